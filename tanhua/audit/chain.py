"""The audit log's hash chain: canonical form, entry hashes and verification (no Django).

Every entry's hash covers its predecessor's hash and its own content, so an entry cannot be
changed, removed or slipped in without breaking the chain from that point on:

    hash(n) = H(prev_hash(n) + canonical(fields(n))),   prev_hash(1) = GENESIS

``H`` is the entry's own ``algorithm`` (sha256 or the 国密 sm3), so a deployment can move
from one to the other mid-chain and old entries still verify.
"""

import datetime
import hashlib
import json
from collections import namedtuple
from dataclasses import dataclass, field

GENESIS = "0" * 64

# Both give 64 hex digits, the width of the hash columns.
ALGORITHMS = ("sha256", "sm3")

# The content an entry's hash covers, in the keys the canonical JSON uses.
HASHED_FIELDS = (
    "seq", "time", "user_id", "username", "address", "action", "object_type", "object_id",
    "object_repr", "summary", "result", "algorithm",
)

# What ``verify`` reads from each entry; ``fields`` is the dict of HASHED_FIELDS.
ChainEntry = namedtuple("ChainEntry", "seq prev_hash hash algorithm fields")


class UnsupportedAlgorithm(ValueError):
    """This Python's hashlib (OpenSSL) does not provide the algorithm."""


def canonical(fields):
    """The bytes that are hashed: compact JSON, sorted keys, UTF-8 (not \\u escapes)."""
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def format_time(value):
    """An aware datetime as hashed: UTC, ISO 8601, always with microseconds.

    Both databases keep microseconds and give back UTC, so the text is the same after a
    round trip through SQLite or PostgreSQL.
    """
    return value.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def new_hash(algorithm):
    if algorithm not in ALGORITHMS:
        raise UnsupportedAlgorithm(algorithm)
    try:
        return hashlib.new(algorithm)
    except ValueError as exc:  # an OpenSSL built without SM3
        raise UnsupportedAlgorithm(algorithm) from exc


def entry_hash(algorithm, prev_hash, fields):
    """The hex digest of ``prev_hash`` (its ASCII hex) followed by ``canonical(fields)``."""
    digest = new_hash(algorithm)
    digest.update(prev_hash.encode("ascii"))
    digest.update(canonical(fields))
    return digest.hexdigest()


@dataclass
class Problem:
    seq: int
    kind: str  # changed | deleted | inserted | anchor
    message: str

    def as_dict(self):
        return {"seq": self.seq, "kind": self.kind, "message": self.message}


@dataclass
class VerifyResult:
    ok: bool = True
    count: int = 0
    head_seq: int | None = None
    head_hash: str | None = None
    problem: Problem | None = None
    algorithms: set = field(default_factory=set)

    @property
    def head(self):
        return None if self.head_seq is None else (self.head_seq, self.head_hash)


def verify(entries, *, start=None, anchor=None):
    """Check a chain; returns a :class:`VerifyResult` naming the first bad entry, if any.

    ``entries`` is an iterable of :data:`ChainEntry` (or anything with those attributes) in
    ascending ``seq``. ``start`` is ``(seq, hash)`` of a trusted entry just before the first
    one given (default: the genesis, seq 0 and ``GENESIS``). ``anchor`` is ``(seq, hash)``
    recorded outside the database earlier: the entry at that seq must still exist and still
    have that hash, which catches what the chain alone cannot (the newest entries removed, or
    the whole chain rewritten from some point on).

    Each entry ``e`` is checked against the entry before it, ``p``; the first rule that
    applies names the problem, and checking stops at the first problem (the rest is only
    counted, so ``count`` and ``head`` always describe the whole log):

    1. ``inserted`` at e: e.seq is not greater than p.seq (a duplicate or out-of-order seq).
    2. ``deleted`` at p.seq + 1: e.seq skips numbers; p.seq + 1 … e.seq - 1 are missing
       (e, written after the missing entry, names its hash as predecessor, not p's).
    3. e's stored hash differs from the hash recomputed from its content and prev_hash:
       a. ``deleted`` at e.seq if the hash matches with seq e.seq + 1: e was renumbered down
          to close the gap left by removing the entry that had e.seq;
       b. ``inserted`` at p.seq if the hash matches with seq e.seq - 1 and e names the same
          predecessor as p: p was slipped in before e and e renumbered up;
       c. ``changed`` at e otherwise: the row was edited after it was written.
    4. ``inserted`` at e: e's own hash is consistent but its prev_hash is not p's hash.
       Either e was not written after p (forged and placed there), or p was rewritten with a
       recomputed hash; the chain cannot tell which, and the message says so.
    5. ``anchor`` at the anchor's seq: that entry has another hash, or the log ends before it.

    An entry whose algorithm is neither sha256 nor sm3 counts as ``changed``; one whose
    algorithm this Python lacks raises :class:`UnsupportedAlgorithm` (it cannot be checked).
    """
    result = VerifyResult()
    prev_seq, prev_hash = start or (0, GENESIS)
    prev_claim = None  # the prev_hash the previous entry names
    anchor_seq, anchor_hash = anchor or (None, None)

    def fail(seq, kind, message):
        result.ok = False
        result.problem = Problem(seq, kind, message)

    for entry in entries:
        result.count += 1
        result.head_seq, result.head_hash = entry.seq, entry.hash
        if not result.ok:
            continue
        result.algorithms.add(entry.algorithm)
        problem = _check(entry, prev_seq, prev_hash, prev_claim)
        if problem:
            fail(*problem)
        elif entry.seq == anchor_seq and entry.hash != anchor_hash:
            fail(anchor_seq, "anchor", f"第{anchor_seq}条的哈希与此前记下的锚点不符:该条或它之前的记录被改写,哈希链被重新计算。")
        prev_seq, prev_hash, prev_claim = entry.seq, entry.hash, entry.prev_hash

    if result.ok and anchor_seq is not None and anchor_seq > prev_seq:
        fail(anchor_seq, "anchor", f"锚点第{anchor_seq}条不存在:日志只到第{prev_seq}条,其后的记录被删除。")
    return result


def _check(entry, prev_seq, prev_hash, prev_claim):
    """The problem with ``entry`` after the entry ``prev_seq``/``prev_hash``: (seq, kind, message) or None."""
    seq = entry.seq
    if seq <= prev_seq:
        return seq, "inserted", f"第{seq}条的序号重复或次序颠倒(前一条是第{prev_seq}条),是插入的记录。"
    if seq > prev_seq + 1:
        missing = f"第{prev_seq + 1}条" if seq == prev_seq + 2 else f"第{prev_seq + 1}至{seq - 1}条"
        return prev_seq + 1, "deleted", f"{missing}被删除:第{seq}条之前缺少记录。"
    if entry.algorithm not in ALGORITHMS:
        return seq, "changed", f"第{seq}条被篡改:哈希算法“{entry.algorithm}”无效。"
    if _hash_with_seq(entry, seq) != entry.hash:
        linked = entry.prev_hash == prev_hash
        if not linked and _hash_with_seq(entry, seq + 1) == entry.hash:
            return seq, "deleted", f"第{seq}条被删除,其后的记录被重新编号。"
        if not linked and entry.prev_hash == prev_claim and _hash_with_seq(entry, seq - 1) == entry.hash:
            return prev_seq, "inserted", f"第{prev_seq}条是插入的记录,其后的记录被重新编号。"
        return seq, "changed", f"第{seq}条被篡改:内容与其哈希不符。"
    if entry.prev_hash != prev_hash:
        return seq, "inserted", (
            f"第{seq}条与前一条(第{prev_seq}条)的哈希不衔接:第{seq}条是插入的记录,"
            f"或第{prev_seq}条被改写并重新计算了哈希。"
        )
    return None


def _hash_with_seq(entry, seq):
    fields = entry.fields if entry.fields["seq"] == seq else {**entry.fields, "seq": seq}
    return entry_hash(entry.algorithm, entry.prev_hash, fields)
