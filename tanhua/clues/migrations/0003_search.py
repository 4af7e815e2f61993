"""Full-text search over clue summaries and content (see tanhua.clues.search).

SQLite: an FTS5 trigram index kept in step by triggers. PostgreSQL: pg_trgm GIN indexes. The
SQL is written out here, not imported, so this migration keeps doing what it did when
tanhua.clues.search changes; a test checks the two agree.
"""

import sqlite3

from django.db import migrations

SQLITE_FORWARD = [
    (
        "CREATE VIRTUAL TABLE IF NOT EXISTS clue_fts USING fts5("
        "summary, content, content='clues_clue', content_rowid='id', tokenize='trigram')"
    ),
    """CREATE TRIGGER IF NOT EXISTS clue_fts_insert AFTER INSERT ON clues_clue BEGIN
        INSERT INTO clue_fts(rowid, summary, content) VALUES (new.id, new.summary, new.content);
    END""",
    """CREATE TRIGGER IF NOT EXISTS clue_fts_delete AFTER DELETE ON clues_clue BEGIN
        INSERT INTO clue_fts(clue_fts, rowid, summary, content) VALUES ('delete', old.id, old.summary, old.content);
    END""",
    """CREATE TRIGGER IF NOT EXISTS clue_fts_update AFTER UPDATE OF id, summary, content ON clues_clue BEGIN
        INSERT INTO clue_fts(clue_fts, rowid, summary, content) VALUES ('delete', old.id, old.summary, old.content);
        INSERT INTO clue_fts(rowid, summary, content) VALUES (new.id, new.summary, new.content);
    END""",
    # Clues registered before this migration.
    "INSERT INTO clue_fts(clue_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS clue_fts_insert",
    "DROP TRIGGER IF EXISTS clue_fts_delete",
    "DROP TRIGGER IF EXISTS clue_fts_update",
    "DROP TABLE IF EXISTS clue_fts",
]
POSTGRES_FORWARD = [
    "CREATE INDEX IF NOT EXISTS clue_summary_trgm ON clues_clue USING gin (summary gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS clue_content_trgm ON clues_clue USING gin (content gin_trgm_ops)",
]
# The extension stays: other tables may use it.
POSTGRES_BACKWARD = ["DROP INDEX IF EXISTS clue_summary_trgm", "DROP INDEX IF EXISTS clue_content_trgm"]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        try:
            schema_editor.execute("CREATE VIRTUAL TABLE temp.clue_fts_probe USING fts5(x, tokenize='trigram')")
            schema_editor.execute("DROP TABLE temp.clue_fts_probe")
        except Exception as exc:
            raise RuntimeError(
                f"当前 Python 所带的 SQLite(版本 {sqlite3.sqlite_version})不支持 FTS5 全文检索的 trigram 分词器,"
                "问题线索检索需要 SQLite 3.34 或更高版本并启用 FTS5。请换用自带较新 SQLite 的 Python"
                "(python.org 的 3.11 及以上版本、Debian 12 的 python3 均可),或改用 PostgreSQL 数据库。"
                f"(原始错误:{exc})"
            ) from exc
        for sql in SQLITE_FORWARD:
            schema_editor.execute(sql)
    elif vendor == "postgresql":
        try:
            # pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it.
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except Exception as exc:
            raise RuntimeError(
                "无法启用 PostgreSQL 的 pg_trgm 扩展(问题线索全文检索需要它)。请由数据库管理员在本数据库中执行 "
                "CREATE EXTENSION pg_trgm;(Debian/Ubuntu 的 postgresql 软件包已自带该扩展),然后重新运行 "
                f"tanhua migrate。(原始错误:{exc})"
            ) from exc
        for sql in POSTGRES_FORWARD:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}.get(vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("clues", "0002_vocabulary")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
