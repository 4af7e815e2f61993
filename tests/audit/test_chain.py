"""The hash chain on its own: canonical form, hashes and how verify names the first bad entry."""

import hashlib

import pytest

from tanhua.audit import chain
from tanhua.audit.chain import GENESIS, ChainEntry, canonical, entry_hash, verify


def fields(seq, algorithm="sha256", **extra):
    return {
        "seq": seq, "time": f"2025-03-01T00:00:{seq % 60:02d}.000000+00:00", "user_id": 1, "username": "jiwei",
        "address": "10.0.0.1", "action": "update", "object_type": "registry.cadre", "object_id": str(seq),
        "object_repr": f"干部{seq}", "summary": {"职务": ["副主任", "主任"]}, "result": "success",
        "algorithm": algorithm, **extra,
    }


def build(n, algorithms=("sha256",)):
    """A good chain of n entries, cycling through ``algorithms``."""
    entries, prev = [], GENESIS
    for seq in range(1, n + 1):
        algorithm = algorithms[(seq - 1) % len(algorithms)]
        f = fields(seq, algorithm)
        digest = entry_hash(algorithm, prev, f)
        entries.append(ChainEntry(seq, prev, digest, algorithm, f))
        prev = digest
    return entries


def forge(seq, prev_hash, **extra):
    """An entry whose hash is consistent with its own content and the prev_hash it names."""
    f = fields(seq, **extra)
    return ChainEntry(seq, prev_hash, entry_hash("sha256", prev_hash, f), "sha256", f)


def renumber(entry, seq):
    return entry._replace(seq=seq, fields={**entry.fields, "seq": seq})


def problem(entries, **kwargs):
    result = verify(entries, **kwargs)
    assert not result.ok
    return result.problem.seq, result.problem.kind


def test_canonical_is_compact_sorted_utf8():
    assert canonical({"b": 1, "a": ["城厢", None]}) == '{"a":["城厢",null],"b":1}'.encode()


def test_entry_hash_is_prev_hash_then_canonical_content():
    f = fields(1)
    assert entry_hash("sha256", GENESIS, f) == hashlib.sha256(GENESIS.encode() + canonical(f)).hexdigest()
    assert entry_hash("sm3", GENESIS, f) == hashlib.new("sm3", GENESIS.encode() + canonical(f)).hexdigest()
    assert len(entry_hash("sm3", GENESIS, f)) == 64


def test_format_time_is_utc_with_microseconds():
    import datetime
    from zoneinfo import ZoneInfo

    beijing = datetime.datetime(2025, 3, 1, 8, 30, 5, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert chain.format_time(beijing) == "2025-03-01T00:30:05.000000+00:00"


def test_a_good_chain_verifies():
    entries = build(5, algorithms=("sha256", "sm3"))
    result = verify(entries)
    assert result.ok and result.problem is None
    assert (result.count, result.head) == (5, (5, entries[-1].hash))
    assert result.algorithms == {"sha256", "sm3"}
    assert verify([]).ok and verify([]).head is None


def test_changed_content_names_that_entry():
    entries = build(5)
    entries[2] = entries[2]._replace(fields={**entries[2].fields, "object_repr": "别人"})
    assert problem(entries) == (3, "changed")
    # The whole log is still counted.
    assert verify(entries).count == 5 and verify(entries).head_seq == 5


def test_changed_hash_names_that_entry_not_the_next():
    entries = build(5)
    entries[2] = entries[2]._replace(hash="a" * 64)
    assert problem(entries) == (3, "changed")


def test_changed_algorithm_is_a_change():
    entries = build(3)
    entries[1] = entries[1]._replace(algorithm="md5", fields={**entries[1].fields, "algorithm": "md5"})
    assert problem(entries) == (2, "changed")


def test_deleted_entries_leave_a_gap():
    entries = build(6)
    assert problem(entries[:2] + entries[3:]) == (3, "deleted")
    result = verify(entries[:2] + entries[5:])
    assert (result.problem.seq, result.problem.kind) == (3, "deleted")
    assert "第3至5条" in result.problem.message
    # The first entry removed: the chain no longer starts at 1.
    assert problem(entries[1:]) == (1, "deleted")


def test_deleted_and_renumbered_is_still_a_deletion():
    entries = build(5)
    closed = entries[:2] + [renumber(e, e.seq - 1) for e in entries[3:]]
    assert problem(closed) == (3, "deleted")


def test_forged_entry_with_a_wrong_predecessor_is_inserted():
    entries = build(5)
    forged = forge(3, "f" * 64)
    assert problem(entries[:2] + [forged] + [renumber(e, e.seq + 1) for e in entries[2:]]) == (3, "inserted")
    # Appended at the end.
    assert problem(entries + [forge(6, "f" * 64)]) == (6, "inserted")


def test_forged_entry_with_the_right_predecessor_is_found_at_its_successor():
    # Only possible if the unique prev_hash constraint were dropped: the forgery links to
    # entry 2 like the genuine entry 3, which was renumbered to 4 and no longer verifies.
    entries = build(5)
    forged = forge(3, entries[1].hash, object_repr="伪造")
    assert problem(entries[:2] + [forged] + [renumber(e, e.seq + 1) for e in entries[2:]]) == (3, "inserted")


def test_rewritten_entry_with_recomputed_hash_breaks_the_next_link():
    entries = build(5)
    entries[2] = forge(3, entries[1].hash, object_repr="改写")
    result = verify(entries)
    assert (result.problem.seq, result.problem.kind) == (4, "inserted")
    assert "第3条被改写" in result.problem.message


def test_duplicate_or_out_of_order_seq_is_inserted():
    entries = build(4)
    assert problem(entries[:3] + [renumber(entries[3], 2)]) == (2, "inserted")
    assert problem([forge(0, GENESIS)] + entries) == (0, "inserted")


def test_the_first_problem_wins():
    entries = build(8)
    entries[6] = entries[6]._replace(hash="b" * 64)
    tampered = entries[:3] + entries[4:]  # 4 deleted, 7 changed
    assert problem(tampered) == (4, "deleted")


def test_anchor():
    entries = build(5)
    assert verify(entries, anchor=(3, entries[2].hash)).ok
    assert verify(entries, anchor=(5, entries[4].hash)).ok
    assert problem(entries, anchor=(3, "c" * 64)) == (3, "anchor")
    # The newest entries removed: the rest is a good chain, only the anchor shows it.
    assert verify(entries[:3]).ok
    assert problem(entries[:3], anchor=(5, entries[4].hash)) == (5, "anchor")
    # Everything from entry 2 on rewritten and rechained.
    rewritten = entries[:1]
    for seq in range(2, 6):
        rewritten.append(forge(seq, rewritten[-1].hash, object_repr="重写"))
    assert verify(rewritten).ok
    assert problem(rewritten, anchor=(4, entries[3].hash)) == (4, "anchor")


def test_start_from_a_trusted_entry():
    entries = build(6)
    assert verify(entries[3:], start=(3, entries[2].hash)).ok
    assert problem(entries[3:], start=(3, "d" * 64)) == (4, "inserted")


def test_unavailable_algorithm_raises(monkeypatch):
    real_new = hashlib.new

    def without_sm3(name, *args, **kwargs):
        if name == "sm3":
            raise ValueError("unsupported hash type sm3")
        return real_new(name, *args, **kwargs)

    entries = build(3, algorithms=("sha256", "sm3"))
    monkeypatch.setattr(chain.hashlib, "new", without_sm3)
    with pytest.raises(chain.UnsupportedAlgorithm):
        verify(entries)
