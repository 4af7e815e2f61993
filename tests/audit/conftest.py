import json

import pytest
from django.db import connection

from tanhua.audit import chain
from tanhua.audit.models import AuditEntry
from tanhua.audit.services import record

TABLE = AuditEntry._meta.db_table


@pytest.fixture
def tamper(db):
    """Run raw SQL against the audit table as an intruder with database access would.

    On PostgreSQL the append-only trigger is bypassed the way a superuser can
    (session_replication_role = replica), for this statement only.
    """

    def run(sql, params=()):
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET session_replication_role = replica")
            cursor.execute(sql.format(table=TABLE), params)
            if connection.vendor == "postgresql":
                cursor.execute("SET session_replication_role = DEFAULT")

    return run


@pytest.fixture
def insert_raw(tamper):
    """Insert an entry by raw SQL; ``hash=None`` computes a hash consistent with the row."""

    def insert(*, seq, prev_hash, hash=None, time, algorithm="sha256", **values):
        row = {
            "seq": seq, "time": time, "user_id": None, "username": "intruder", "address": "", "action": "delete",
            "object_type": "registry.cadre", "object_id": "9", "object_repr": "伪造", "summary": {}, "result": "success",
            "algorithm": algorithm, **values,
        }
        fields = dict(row, time=chain.format_time(time))
        row.update(prev_hash=prev_hash, hash=hash or chain.entry_hash(algorithm, prev_hash, fields))
        row["time"] = connection.ops.adapt_datetimefield_value(time)
        row["summary"] = json.dumps(row["summary"], ensure_ascii=False)
        columns = ", ".join(row)
        tamper(f"INSERT INTO {{table}} ({columns}) VALUES ({', '.join(['%s'] * len(row))})", list(row.values()))
        return row["hash"]

    return insert


def renumber(tamper, *, above, by):
    """Shift the seq of every entry after ``above`` by ``by``, in two steps (seq is unique)."""
    tamper("UPDATE {table} SET seq = seq + 1000000 WHERE seq > %s", [above])
    tamper("UPDATE {table} SET seq = seq - 1000000 + %s WHERE seq > 1000000", [by])


@pytest.fixture
def five(db):
    """A chain of five entries."""
    return [record("view", object_type="registry.cadre", object_id=str(n), object_repr=f"干部{n}") for n in range(1, 6)]
