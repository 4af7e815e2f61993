"""Writing the audit log: the chain, the fields, the guards, tampering, algorithms, concurrency."""

import datetime
import hashlib
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection, connections, transaction
from django.test import RequestFactory
from django.utils import timezone

from tanhua.audit import chain
from tanhua.audit.models import AuditEntry, AuditLogIsAppendOnly
from tanhua.audit.services import diff, head, record, verify_chain

from .conftest import renumber

on_postgresql = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the trigger exists on PostgreSQL only")


def verdict(**kwargs):
    result = verify_chain(**kwargs)
    assert not result.ok
    return result.problem.seq, result.problem.kind


@pytest.mark.django_db
def test_record_builds_a_chain_from_the_genesis():
    assert head() is None and verify_chain().ok
    entries = [record("view", object_id=str(n)) for n in range(4)]
    assert [e.seq for e in entries] == [1, 2, 3, 4]
    assert entries[0].prev_hash == chain.GENESIS
    assert [e.prev_hash for e in entries[1:]] == [e.hash for e in entries[:-1]]
    for entry in AuditEntry.objects.all():
        assert entry.hash == chain.entry_hash("sha256", entry.prev_hash, entry.hashed_fields())
    assert head() == (4, entries[-1].hash)
    result = verify_chain()
    assert result.ok and result.count == 4 and result.head == (4, entries[-1].hash)


@pytest.mark.django_db
def test_target_and_request_fill_the_entry(make_user, tree):
    user = make_user("jiwei", "QH")
    request = RequestFactory().post("/units/", REMOTE_ADDR="10.1.2.3")
    request.user = user
    unit = tree["CX"]
    entry = record("update", request=request, target=unit, summary={"name": ["城厢", "城厢区"]})
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert (entry.user, entry.username, entry.address) == (user, "jiwei", "10.1.2.3")
    assert (entry.object_type, entry.object_id, entry.object_repr) == ("registry.unit", str(unit.pk), "城厢区")
    assert (entry.action, entry.action_label, entry.result) == ("update", "修改", "success")
    assert timezone.is_aware(entry.time)

    # Explicit values win; an anonymous request records no user; the worker passes the address.
    request.user = type("Anonymous", (), {"is_authenticated": False})()
    entry = record("login", request=request, object_type="accounts.user", object_repr="x" * 300, result="failure")
    assert (entry.user, entry.username, entry.address, len(entry.object_repr)) == (None, "", "10.1.2.3", 200)
    entry = record("import", user=user, address="192.168.0.9", object_id=0)
    assert (entry.username, entry.address, entry.object_id) == ("jiwei", "192.168.0.9", "0")
    assert verify_chain().ok


@pytest.mark.django_db
def test_summary_round_trips_so_the_hash_still_verifies():
    when = datetime.datetime(2025, 3, 1, 8, 30, 5, 123456, tzinfo=datetime.UTC)
    summary = {
        "出生年月": datetime.date(1975, 3, 1), "when": when, "金额": Decimal("12.50"), "姓名": ["张三", "李四"],
        "ratio": 0.1, "whole": 2.0, "huge": 1e20, "tiny": 1.5e-7, 3: "key", "nul": "a\x00b", "none": None,
    }
    entry = record("update", summary=summary)
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.summary == entry.summary
    assert stored.summary["出生年月"] == "1975-03-01" and stored.summary["金额"] == "12.50"
    assert stored.summary["whole"] == 2 and stored.summary["huge"] == 10**20 and stored.summary["3"] == "key"
    assert stored.summary["nul"] == "ab"
    assert stored.hashed_fields() == entry.hashed_fields()
    assert verify_chain().ok


@pytest.mark.django_db
def test_record_refuses_bad_input():
    with pytest.raises(ValueError, match="未知的审计操作"):
        record("frobnicate")
    with pytest.raises(ValueError, match="未知的审计结果"):
        record("view", result="maybe")
    with pytest.raises(TypeError):
        record("view", summary={"user": object()})
    with pytest.raises(ValueError, match="NaN"):
        record("view", summary={"x": float("nan")})
    assert not AuditEntry.objects.exists()


def test_diff():
    before = {"name": "城厢", "rank": "副科级", "tags": ["a"]}
    after = {"name": "城厢区", "rank": "副科级", "tags": ["a", "b"], "new": 1}
    assert diff(before, after) == {"name": ["城厢", "城厢区"], "tags": [["a"], ["a", "b"]], "new": [None, 1]}
    assert diff(before, before) == {}


@pytest.mark.django_db
def test_the_orm_refuses_changes(five):
    entry = AuditEntry.objects.get(seq=3)
    entry.object_repr = "改了"
    with pytest.raises(AuditLogIsAppendOnly):
        entry.save()
    with pytest.raises(AuditLogIsAppendOnly):
        entry.delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.filter(seq=3).update(object_repr="改了")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.update(object_repr="改了")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.filter(seq__gt=3).delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.all().delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.bulk_update([entry], ["object_repr"])
    assert AuditEntry.objects.count() == 5 and verify_chain().ok


@pytest.mark.django_db
def test_a_user_in_the_log_cannot_be_deleted(make_user):
    from django.db.models import ProtectedError

    user = make_user("jiwei")
    record("login", user=user)
    with pytest.raises(ProtectedError):
        user.delete()


@on_postgresql
@pytest.mark.django_db
def test_postgresql_refuses_raw_update_and_delete(five):
    for sql in (
        "UPDATE audit_auditentry SET object_repr = 'x' WHERE seq = 3",
        "DELETE FROM audit_auditentry WHERE seq = 5",
    ):
        with pytest.raises(DatabaseError, match="审计日志只能追加"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditEntry.objects.get(seq=3).object_repr == "干部3"
    assert AuditEntry.objects.count() == 5


# --- tampering behind the ORM's back ---------------------------------------------------


def test_changed_field_is_found(five, tamper):
    tamper("UPDATE {table} SET object_repr = %s WHERE seq = 3", ["别人"])
    assert verdict() == (3, "changed")


def test_changed_address_is_found(five, tamper):
    tamper("UPDATE {table} SET address = %s WHERE seq = 1", ["10.9.9.9"])
    assert verdict() == (1, "changed")


def test_deleted_middle_entry_is_found(five, tamper):
    tamper("DELETE FROM {table} WHERE seq = 3")
    assert verdict() == (3, "deleted")


def test_deleted_and_renumbered_entry_is_found(five, tamper):
    tamper("DELETE FROM {table} WHERE seq = 2")
    renumber(tamper, above=2, by=-1)
    assert verdict() == (2, "deleted")


def test_deleted_last_entry_needs_the_anchor(five, tamper):
    anchor = head()
    assert verify_chain(anchor=anchor).ok
    tamper("DELETE FROM {table} WHERE seq = 5")
    assert verify_chain().ok  # what is left is a good chain
    assert verdict(anchor=anchor) == (5, "anchor")


def test_anchor_catches_a_rechained_rewrite(five, tamper, insert_raw):
    anchor = (3, five[2].hash)
    # Everything from entry 3 on replaced by a self-consistent forgery.
    tamper("DELETE FROM {table} WHERE seq >= 3")
    prev = five[1].hash
    for seq in (3, 4, 5):
        prev = insert_raw(seq=seq, prev_hash=prev, time=timezone.now())
    assert verify_chain().ok
    assert verdict(anchor=anchor) == (3, "anchor")
    assert verdict(anchor=anchor, since=4) == (3, "anchor")


def test_forged_entry_renumbered_into_the_middle_is_found(five, tamper, insert_raw):
    renumber(tamper, above=2, by=1)
    # The forger computes a consistent hash, but entry 2's hash is taken as a predecessor
    # (prev_hash is unique), so the forgery must name another.
    insert_raw(seq=3, prev_hash=five[-1].hash, time=five[1].time)
    assert AuditEntry.objects.count() == 6
    assert verdict() == (3, "inserted")


def test_plain_insertion_with_a_wrong_prev_hash_is_found(five, insert_raw):
    insert_raw(seq=6, prev_hash="e" * 64, time=timezone.now())
    assert verdict() == (6, "inserted")
    # With a made-up hash as well.
    insert_raw(seq=7, prev_hash="f" * 64, hash="1" * 64, time=timezone.now())
    assert verdict() == (6, "inserted")


def test_since_checks_from_a_trusted_entry(five, tamper):
    tamper("UPDATE {table} SET object_repr = %s WHERE seq = 2", ["别人"])
    assert verdict() == (2, "changed")
    assert verify_chain(since=3).ok
    assert verify_chain(since=3).count == 3


# --- algorithms --------------------------------------------------------------------------


@pytest.mark.django_db
def test_sm3_chain_and_switching_mid_chain(settings):
    settings.TANHUA_AUDIT_HASH = "sm3"
    first = [record("view", object_id=str(n)) for n in range(3)]
    assert {e.algorithm for e in first} == {"sm3"}
    entry = first[1]
    expected = hashlib.new("sm3", entry.prev_hash.encode() + chain.canonical(entry.hashed_fields())).hexdigest()
    assert entry.hash == expected
    assert verify_chain().ok

    settings.TANHUA_AUDIT_HASH = "sha256"
    second = [record("view", object_id=str(n)) for n in range(2)]
    assert [e.algorithm for e in second] == ["sha256", "sha256"]
    settings.TANHUA_AUDIT_HASH = "SM3"
    record("view")
    result = verify_chain()
    assert result.ok and result.count == 6 and result.algorithms == {"sha256", "sm3"}


@pytest.mark.django_db
def test_bad_or_missing_algorithm_is_a_configuration_error(settings, monkeypatch):
    settings.TANHUA_AUDIT_HASH = "md5"
    with pytest.raises(ImproperlyConfigured, match="只能是 sha256 或 sm3"):
        record("view")

    real_new = hashlib.new

    def without_sm3(name, *args, **kwargs):
        if name == "sm3":
            raise ValueError("unsupported hash type sm3")
        return real_new(name, *args, **kwargs)

    settings.TANHUA_AUDIT_HASH = "sm3"
    monkeypatch.setattr(chain.hashlib, "new", without_sm3)
    with pytest.raises(ImproperlyConfigured, match="不提供 sm3"):
        record("view")
    assert not AuditEntry.objects.exists()


# --- transactions, queries, concurrency ---------------------------------------------------


@pytest.mark.django_db
def test_entry_rolls_back_with_the_callers_change():
    record("view")
    with pytest.raises(RuntimeError), transaction.atomic():
        record("update")
        raise RuntimeError
    record("update", result="failure")  # the failure is recorded after the rollback
    assert list(AuditEntry.objects.values_list("seq", "action", "result")) == [
        (1, "view", "success"), (2, "update", "failure"),
    ]
    assert verify_chain().ok


@pytest.mark.django_db
def test_record_makes_a_constant_number_of_queries(django_assert_num_queries, make_user):
    user = make_user("jiwei")
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1")
    request.user = user
    # savepoint, [advisory lock], last entry, insert, release
    expected = 5 if connection.vendor == "postgresql" else 4
    for n in range(3):
        with django_assert_num_queries(expected):
            record("update", request=request, target=user, summary={"n": n})


THREADS = 8
PER_THREAD = 25


# Real connections writing at once. SQLite's default test database is in memory with a
# shared cache, whose table locks fail at once instead of waiting (busy_timeout does not
# apply): there the test needs a file, TANHUA_TEST_SQLITE_NAME=/tmp/tanhua-test.sqlite3.
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_fork_the_chain():
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("SQLite 内存测试库的共享缓存锁不等待;设 TANHUA_TEST_SQLITE_NAME 为文件以运行")
    barrier = threading.Barrier(THREADS)  # all threads start writing together
    errors = []

    def write(n):
        try:
            barrier.wait(timeout=30)
            for i in range(PER_THREAD):
                record("view", object_type="tests.thread", object_id=f"{n}-{i}")
        except Exception as exc:  # noqa: BLE001 -- the main thread reports it
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    total = THREADS * PER_THREAD
    assert list(AuditEntry.objects.values_list("seq", flat=True)) == list(range(1, total + 1))
    assert AuditEntry.objects.values("object_id").distinct().count() == total
    result = verify_chain()
    assert result.ok and result.count == total
