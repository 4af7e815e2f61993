"""Writing the audit log and proving it intact."""

import json

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from . import chain
from .models import ACTIONS, HASHED_COLUMNS, AuditEntry, Result, hashed_fields

# The pg_advisory_xact_lock key that serialises audit writers ("tanhua" and 1, in ASCII hex).
WRITE_LOCK_KEY = 0x7461_6E68_7561_0001

CHUNK_SIZE = 2000


def client_address(request):
    """The address a request came from, as the audit log records it.

    Behind a reverse proxy (``TANHUA_PROXY_COUNT``) this is the client's address from
    X-Forwarded-For, by the same rule django-axes uses for lockouts.
    """
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or request.META.get("REMOTE_ADDR", "")


def hash_algorithm():
    """The configured ``TANHUA_AUDIT_HASH``, checked against this Python's hashlib."""
    name = str(getattr(settings, "TANHUA_AUDIT_HASH", "sha256")).strip().lower()
    if name not in chain.ALGORITHMS:
        raise ImproperlyConfigured(f"TANHUA_AUDIT_HASH 只能是 sha256 或 sm3,当前为“{name}”。")
    try:
        chain.new_hash(name)
    except chain.UnsupportedAlgorithm:
        raise ImproperlyConfigured(_missing_algorithm_message(name)) from None
    return name


def _missing_algorithm_message(name):
    return (
        f"本机 Python 的 hashlib(OpenSSL)不提供 {name} 哈希算法,无法使用 TANHUA_AUDIT_HASH={name}:"
        "请安装支持国密 SM3 的 OpenSSL,或改用 sha256。"
    )


def record(action, *, request=None, user=None, target=None, object_type="", object_id="", object_repr="",
           summary=None, result=Result.SUCCESS, address=None):
    """Append an entry to the audit log and return it.

    ``request`` supplies the user (when ``user`` is not given and the request's user is
    logged in) and the address (``client_address``); ``address`` overrides it, for work done
    outside a request (the worker). ``target`` is the model instance acted on and fills
    ``object_type`` ("app_label.model_name"), ``object_id`` and ``object_repr`` unless they
    are given; record a deletion before deleting, while the instance still has its pk.
    ``summary`` is a dict of JSON-serialisable values (dates and Decimals become text).

    Writers are serialised, so concurrent requests never fork the chain. Called inside an
    outer ``transaction.atomic()``, the entry commits or rolls back with the caller's
    change: an entry never claims a change that did not happen. A failure or a refusal whose
    domain change is rolled back is therefore recorded after the rollback, outside that
    transaction. The writers' lock is held until the outermost transaction ends, so call
    ``record`` at the end of a service's transaction, not the start.
    """
    if action not in ACTIONS:
        raise ValueError(f"未知的审计操作“{action}”:请先在 tanhua.audit.models.ACTIONS 中登记。")
    if result not in Result.values:
        raise ValueError(f"未知的审计结果“{result}”。")
    algorithm = hash_algorithm()
    if user is None and request is not None:
        user = getattr(request, "user", None)
    if user is not None and not user.is_authenticated:
        user = None
    if address is None:
        address = client_address(request) if request is not None else ""
    if target is not None:
        object_type = object_type or target._meta.label_lower
        object_id = object_id or ("" if target.pk is None else str(target.pk))
        object_repr = object_repr or str(target)
    values = {
        "user": user,
        "username": _text(user.get_username() if user is not None else "", 150),
        "address": _text(address, 64),
        "action": action,
        "object_type": _text(object_type, 100),
        "object_id": _text(object_id, 64),
        "object_repr": _text(object_repr, 200),
        "summary": json_value(summary if summary is not None else {}),
        "result": str(result),
        "algorithm": algorithm,
    }
    with transaction.atomic():
        _lock_writers()
        last = head()
        seq, prev_hash = (last[0] + 1, last[1]) if last else (1, chain.GENESIS)
        # The time is taken under the lock, so times never run backwards along the chain.
        entry = AuditEntry(seq=seq, time=timezone.now(), prev_hash=prev_hash, **values)
        entry.hash = chain.entry_hash(algorithm, prev_hash, entry.hashed_fields())
        entry.save()
    return entry


def _lock_writers():
    # PostgreSQL: a transaction-level advisory lock, released at commit or rollback. SQLite
    # needs nothing here: the project's transaction_mode IMMEDIATE makes the outermost atomic
    # block BEGIN IMMEDIATE, which already holds the database's single write lock. Either way
    # the unique seq and prev_hash columns refuse a fork should serialisation ever fail.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [WRITE_LOCK_KEY])


def _text(value, max_length):
    # PostgreSQL refuses NUL in text; cut to the column so both databases store what was hashed.
    return ("" if value is None else str(value)).replace("\x00", "")[:max_length]


def json_value(summary):
    """``summary`` as the JSON column will give it back, so the hash covers what is stored.

    Dates, datetimes, Decimals and UUIDs become text (DjangoJSONEncoder), keys become
    strings, tuples lists; whole floats become ints, because PostgreSQL's jsonb gives 1e20
    back as 100000000000000000000 and -0.0 as 0.0; NUL characters are dropped.
    """
    if not isinstance(summary, dict):
        raise TypeError("审计摘要必须是字典(dict)。")
    try:
        text = json.dumps(summary, cls=DjangoJSONEncoder, ensure_ascii=False, allow_nan=False)
    except ValueError:
        raise ValueError("审计摘要不能含 NaN 或无穷大。") from None
    return _normalise(json.loads(text))


def _normalise(value):
    if isinstance(value, dict):
        return {key.replace("\x00", ""): _normalise(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_normalise(item) for item in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return value.replace("\x00", "")
    return value


def diff(before, after):
    """``{"field": [old, new]}`` for each key whose value differs between two dicts.

    A key missing on one side counts as ``None`` there. For "update" entries::

        record("update", request=request, target=unit, summary=diff(before, after))
    """
    changes = {}
    for key in [*before, *(k for k in after if k not in before)]:
        old, new = before.get(key), after.get(key)
        if old != new:
            changes[key] = [old, new]
    return changes


def head():
    """``(seq, hash)`` of the newest entry, or None for an empty log."""
    return AuditEntry.objects.order_by("-seq").values_list("seq", "hash").first()


def verify_chain(since=None, *, anchor=None):
    """Check the chain; returns ``chain.VerifyResult`` (see ``chain.verify`` for the rules).

    ``since`` (a seq) checks only from that entry on, trusting the entry before it.
    ``anchor`` is ``(seq, hash)`` of an entry recorded outside the database (``audit_head``):
    that entry must still exist with that hash, which proves nothing up to it was rewritten
    and catches the newest entries being removed. Reads in chunks, so memory stays flat for
    millions of entries. Raises ImproperlyConfigured if an entry uses an algorithm this
    Python lacks (sm3 without OpenSSL support).
    """
    entries = AuditEntry.objects.order_by("seq")
    start = None
    first = since or 1
    if anchor:  # the anchored entry is checked too, even before ``since``
        first = min(first, anchor[0])
    if first > 1:
        start = AuditEntry.objects.filter(seq__lt=first).order_by("-seq").values_list("seq", "hash").first()
        if start:
            entries = entries.filter(seq__gt=start[0])
    rows = entries.values("prev_hash", "hash", *HASHED_COLUMNS).iterator(chunk_size=CHUNK_SIZE)
    chain_entries = (
        chain.ChainEntry(row["seq"], row["prev_hash"], row["hash"], row["algorithm"], hashed_fields(row)) for row in rows
    )
    try:
        return chain.verify(chain_entries, start=start, anchor=anchor)
    except chain.UnsupportedAlgorithm as exc:
        raise ImproperlyConfigured(_missing_algorithm_message(exc.args[0])) from None
