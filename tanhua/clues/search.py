"""Full-text search over clue summaries and content, in Chinese, on SQLite and PostgreSQL.

The interface is one function for both databases:

- ``search_q(text)`` is a ``Q`` over :class:`Clue` for the clues whose summary or content
  contains the text; combine it with other conditions (the list page ORs it with the number
  and the cadre's name);
- ``matching(queryset, text)`` is ``queryset.filter(search_q(text))``.

Both only narrow what they are given: callers pass ``scope_queryset(...)`` as always, and a
clue outside the user's scope is never found. What the text means, the same on both databases:

- it is split at white space (full-width spaces too) and every term must occur (AND), in the
  summary or in the content, as a plain substring: there is no search syntax, so quotes, ``*``,
  ``OR``, ``NEAR(`` and ``-`` are searched for as they are typed;
- Latin letters match in either case (``ktv`` finds ``KTV``);
- a term typed in Traditional characters also finds the Simplified text that is stored.

Only the summary and content are indexed: the reporter's identity is encrypted and never
searchable.

**SQLite** (3.34 or later, with FTS5): the FTS5 table ``clue_fts`` (trigram tokenizer) is an
external-content index over ``clues_clue(summary, content)``, kept in step by triggers
(migration 0003). Terms of 3 or more characters are one ``MATCH`` for all of them; terms of
1-2 characters cannot be looked up in a trigram index and use ``LIKE``, a scan of the clues in
the scope (indexed terms in the same search still narrow it first). SQLite drops a table's
triggers when Django's schema editor rebuilds the table (many ``AlterField`` and constraint
changes on clues_clue do): such a migration must run :func:`install_sqlite` afterwards;
``tests/clues/test_search.py`` fails until it does.

**PostgreSQL**: pg_trgm GIN indexes on summary and content, queried with ``ILIKE '%term%'``
(``LIKE`` for terms without letters that have case, the same rows found faster), which the
indexes serve for terms of 3 or more characters; shorter terms give the index nothing to look
up, and PostgreSQL scans the clues in the scope instead (a sequential scan, acceptable: a
one- or two-character search is rare and the scope often small).
"""

import re

from django.db import connection
from django.db.models import F, Q
from django.db.models.expressions import RawSQL
from django.db.models.lookups import Lookup

from tanhua.i18n import to_simplified

FTS_TABLE = "clue_fts"
# Shorter terms have no trigram to look up.
MIN_INDEXED = 3

# The FTS5 table and the triggers that keep it in step with clues_clue. Updates touching
# neither column leave the index alone: status changes are frequent, text changes rare.
SQLITE_TABLE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS clue_fts USING fts5("
    "summary, content, content='clues_clue', content_rowid='id', tokenize='trigram')"
)
SQLITE_TRIGGERS = [
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
]
SQLITE_TRIGGER_NAMES = ("clue_fts_insert", "clue_fts_delete", "clue_fts_update")

# Created by migration 0003 with pg_trgm.
POSTGRES_INDEXES = ("clue_summary_trgm", "clue_content_trgm")


def install_sqlite(schema_editor, rebuild=True):
    """Create the FTS5 table and its triggers where missing; ``rebuild`` re-reads every clue.

    For a migration that makes SQLite rebuild clues_clue, which drops the triggers.
    """
    schema_editor.execute(SQLITE_TABLE)
    for sql in SQLITE_TRIGGERS:
        schema_editor.execute(sql)
    if rebuild:
        schema_editor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")


def terms(text):
    """The search terms of ``text``: each as the set of its typed and Simplified forms."""
    found = []
    for word in (text or "").split():
        variants = frozenset({word, to_simplified(word)})
        if variants not in found:
            found.append(variants)
    return found


def search_q(text):
    """``Q`` for clues whose summary or content contains every term of ``text`` (see the module)."""
    words = terms(text)
    if not words:
        return Q()
    if connection.vendor == "sqlite":
        return _sqlite_q(words)
    return _like_q(words)


def matching(queryset, text):
    """``queryset`` (already scoped) narrowed to the clues that contain ``text``."""
    return queryset.filter(search_q(text))


def _phrase(word):
    # An FTS5 string: inside double quotes everything is literal except the quote, doubled.
    return '"' + word.replace('"', '""') + '"'


def _sqlite_q(words):
    indexed = [w for w in words if min(len(v) for v in w) >= MIN_INDEXED]
    q = Q()
    if indexed:
        # One MATCH for every indexed term: ("甲乙丙" OR "甲乙丙's Simplified") AND (...).
        query = " AND ".join("(" + " OR ".join(_phrase(v) for v in sorted(w)) + ")" for w in indexed)
        q &= Q(pk__in=RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", (query,)))
    for word in words:
        if word not in indexed:
            # 1-2 characters hold no trigram: LIKE (Django's contains, wildcards escaped; case-
            # insensitive for Latin letters on SQLite, as the trigram index is).
            q &= _any(Q(summary__contains=v) | Q(content__contains=v) for v in word)
    return q


class _Like(Lookup):
    """``lhs LIKE rhs``, the pattern passed as it is (Django's contains would escape it again)."""

    lookup_name = "trgm_like"
    prepare_rhs = False
    operator = "LIKE"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} {self.operator} {rhs}", [*lhs_params, *rhs_params]


class _ILike(_Like):
    """``lhs ILIKE rhs``: Django's icontains writes UPPER(col) LIKE UPPER(...), which no trigram index serves."""

    lookup_name = "trgm_ilike"
    operator = "ILIKE"


def _like_pattern(word):
    return "%" + re.sub(r"([\\%_])", r"\\\1", word) + "%"


def _like_q(words):
    q = Q()
    for word in words:
        conditions = []
        for variant in sorted(word):
            # ILIKE only where case exists: on a term without letters (most Chinese terms) it
            # gives the same rows, and when the index cannot help (1-2 characters, or very
            # common terms) plain LIKE scans three times faster.
            like = _ILike if variant.lower() != variant.upper() else _Like
            pattern = _like_pattern(variant)
            conditions += [Q(like(F("summary"), pattern)), Q(like(F("content"), pattern))]
        q &= _any(conditions)
    return q


def _any(conditions):
    result = None
    for condition in conditions:
        result = condition if result is None else result | condition
    return result

