#!/usr/bin/env python3
"""The verifiable random draw (随机抽取) and its verifier.

Standard library only: this file is also the standalone verifier (``tools/verify_draw.py``
is this file), which anyone can read and run on an exported draw record::

    python3 verify_draw.py draw-record.json

RFC 3797 (the IETF NomCom selection) is the model: the pool is fixed and hashed first; the
seed comes from inputs nobody controls alone (public numbers announced after the freeze,
values group members committed to and then revealed, a server value whose hash was recorded
at the freeze); selection is a deterministic function of pool and seed.

- ``pool``: candidate ids (integers), ascending; ``weights``: null, or one positive integer
  per candidate in the same order.
- ``pool_hash`` = SHA-256 of the canonical JSON of ``{"pool": ..., "weights": ...}``.
- canonical JSON: UTF-8, keys sorted, no spaces, no escaping of Chinese characters.
- a commitment is the SHA-256 (hex) of the input value's UTF-8 bytes.
- ``seed`` = SHA-256 of the canonical JSON of ``{"algorithm", "pool_hash", "inputs"}``, where
  inputs are ``[kind, label, value]`` in the order fixed before the freeze.
- each candidate's ticket = SHA-256(seed bytes ‖ the id in decimal ASCII), a 256-bit integer.
  Unweighted: the lowest tickets win (a full sort of the hashes, so no modulo bias). Weighted:
  the Efraimidis–Spirakis key −ln(u)/w with u = (ticket + 1) / 2²⁵⁶, computed in decimal
  arithmetic at 50 digits (correctly rounded, so the same on every machine); the lowest keys
  win. This is exactly successive sampling without replacement with probability
  proportional to weight. Ties (never seen in practice) go to the lower id.
- ``group`` (the talk group: name, rule, roster id, unit id) and ``excluded`` (who the
  conflict-of-interest rules left out at the freeze): no one in them (by roster id, or by unit
  for a unit programme) may be in the pool or designated.
- ``sealed``: the salted hashes (SHA-256 of the canonical JSON of ``{"salt", "value"}``, the
  salts in ``salts``) of ``labels`` (the candidates' names) and ``designations`` (each
  designation's reason and clue numbers, by subject id). They stand in the record hash for those
  parts, so the copy published to anyone may leave them (and their salts) out and still verify;
  a copy that holds them is checked against them. ``selected_labels`` (the names of the
  selected, always public) must name exactly the selected, as ``labels`` does. Records made
  before ``sealed`` existed hash whole.
- ``record_hash`` = SHA-256 of the canonical JSON of the record without ``record_hash`` and
  ``chain`` (and without the sealed parts, when ``sealed`` is present); ``previous_hash`` is the record hash of the programme's previous draw, so the
  draws of a programme form a chain; ``chain`` lists the earlier links, oldest first.
"""

import decimal
import hashlib
import json
import math
import sys
import unicodedata

ALGORITHM = "tanhua-draw/1"
FORMAT = "tanhua-draw-record"
INPUT_KINDS = ("public", "member", "server")
_TWO_256 = decimal.Decimal(2) ** 256
_DECIMAL = decimal.Context(prec=50, rounding=decimal.ROUND_HALF_EVEN)


def canonical(obj):
    """The one byte encoding that is hashed: sorted keys, no spaces, UTF-8."""
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False).encode("utf-8")


def sha256_hex(data):
    return hashlib.sha256(data).hexdigest()


def normalise_value(value):
    """An input value as it is hashed: NFC, surrounding spaces removed (typed by hand)."""
    return unicodedata.normalize("NFC", str(value)).strip()


def commitment(value):
    return sha256_hex(normalise_value(value).encode("utf-8"))


def pool_hash(pool, weights=None):
    return sha256_hex(canonical({"pool": list(pool), "weights": None if weights is None else list(weights)}))


def seed(pool_hash_hex, inputs):
    """The seed from the pool hash and the inputs (dicts with kind, label, value), in order."""
    rows = [[i["kind"], i["label"], normalise_value(i["value"])] for i in inputs]
    return sha256_hex(canonical({"algorithm": ALGORITHM, "pool_hash": pool_hash_hex, "inputs": rows}))


def ticket(seed_hex, candidate):
    return int.from_bytes(hashlib.sha256(bytes.fromhex(seed_hex) + str(int(candidate)).encode("ascii")).digest(), "big")


def weighted_key(ticket_value, weight):
    """−ln(u)/w: an exponential variable of rate w; the smallest keys win."""
    u = _DECIMAL.divide(decimal.Decimal(ticket_value + 1), _TWO_256)
    return _DECIMAL.divide(_DECIMAL.minus(u.ln(_DECIMAL)), decimal.Decimal(weight))


def select(pool, seed_hex, count, weights=None):
    """The ``count`` winners, in the order they were drawn (lowest ticket or key first)."""
    if weights is None:
        keyed = sorted((ticket(seed_hex, c), c) for c in pool)
        return [c for _, c in keyed[:count]]
    if count <= 0:
        return []
    tickets = [(ticket(seed_hex, c), c, w) for c, w in zip(pool, weights, strict=True)]
    # Exact decimal keys for a few only: floats (relative error ~1e-16) find every candidate
    # that can be among the winners; a margin of 1e-9 keeps all of them.
    rough = sorted((-math.log((t + 1) / 2.0**256) / w, c) for t, c, w in tickets)
    bound = rough[min(count, len(rough)) - 1][0] * (1 + 1e-9) + 1e-300
    near = [(t, c, w) for t, c, w in tickets if -math.log((t + 1) / 2.0**256) / w <= bound]
    keyed = sorted((weighted_key(t, w), c) for t, c, w in near)
    return [c for _, c in keyed[:count]]


SEALABLE = ("labels", "designations")


def part_hash(value, salt):
    """A sealed part's commitment: salted, so that short, guessable contents (a clue number, a
    name from the roster) cannot be recovered by trying candidates against the hash."""
    return sha256_hex(canonical({"salt": salt, "value": value}))


def record_hash(record):
    """The hash of the record without ``record_hash`` and ``chain``. A record with ``sealed``
    commits to its sealable parts (the candidates' names; the designations' reasons and clue
    numbers) by their salted hashes, so a copy for the public may leave those parts and their
    salts out and still verify."""
    body = {k: v for k, v in record.items() if k not in ("record_hash", "chain")}
    if isinstance(record.get("sealed"), dict):
        for key in (*SEALABLE, "salts"):
            body.pop(key, None)
    return sha256_hex(canonical(body))


def verify_sealed(record):
    """Each sealed part the copy holds, with its salt, must match its hash; a part left out is
    not an error (the public copy). The names of the selected must be theirs."""
    sealed = record.get("sealed")
    if sealed is None:
        return []
    if not isinstance(sealed, dict) or set(sealed) != set(SEALABLE):
        return ["sealed(密封部分的哈希)格式无效"]
    problems = [f"{key}(记录中应有)缺失" for key in ("group", "excluded", "selected_labels") if key not in record]
    salts = record.get("salts") or {}
    if not isinstance(salts, dict):
        return [*problems, "salts 格式无效"]
    for key in SEALABLE:
        if key in record and key not in salts:
            problems.append(f"{key} 缺少对应的 salts")
        elif key in record and part_hash(record[key], salts[key]) != sealed[key]:
            problems.append(f"{key} 与 sealed 中登记的哈希不符")
    named = record.get("selected_labels")
    if isinstance(named, dict):
        if sorted(named) != sorted(str(c) for c in record.get("selected") or []):
            problems.append("selected_labels(抽中对象的姓名)与 selected(抽中名单)不一致")
        labels = record.get("labels")
        if isinstance(labels, dict) and any(labels.get(k) != v for k, v in named.items()):
            problems.append("selected_labels(抽中对象的姓名)与 labels(候选名单)不符")
    details = record.get("designations")
    if isinstance(details, dict):
        ids = {str(d.get("id")) for d in record.get("designated") or [] if isinstance(d, dict)}
        if set(details) != ids:
            problems.append("designations(指定依据)与 designated(指定对象)不一致")
    return problems


# --- Probabilities, shown before the draw --------------------------------------------------------


def inclusion_probabilities(weights, count):
    """Each candidate's chance of being among the ``count`` drawn.

    Unweighted (``weights`` all equal) it is count/n. Weighted, candidate i is drawn when its
    key E_i ~ Exp(w_i) is among the ``count`` smallest:
    π_i = ∫ w_i e^(−w_i t) P(fewer than count of the others have E_j < t) dt,
    computed numerically with candidates grouped by weight (weights are few distinct integers,
    so a pool of 100,000 costs the same as one of ten).
    """
    n = len(weights)
    if n == 0:
        return []
    if count >= n:
        return [1.0] * n
    if len(set(weights)) == 1:
        return [count / n] * n
    classes = {}
    for w in weights:
        classes[w] = classes.get(w, 0) + 1
    total = float(sum(weights))
    # Beyond t_max everybody else is almost surely below t: the integrand is nil.
    t_max = 1.0 / total
    while _at_most(classes, None, count, t_max) > 1e-18:
        t_max *= 2
    per_class = {}
    steps = 4096
    h = t_max / steps
    for w in classes:
        acc = 0.0
        for s in range(steps + 1):
            t = s * h
            f = w * math.exp(-w * t) * _at_most(classes, w, count - 1, t)
            acc += f * (1 if s in (0, steps) else 4 if s % 2 else 2)
        per_class[w] = acc * h / 3
    # Numerical error: the probabilities must add up to count exactly.
    scale = count / sum(per_class[w] * m for w, m in classes.items())
    return [min(1.0, per_class[w] * scale) for w in weights]


def _at_most(classes, skip_one_of, k, t):
    """P(at most k candidates have E < t), leaving out one member of class ``skip_one_of``."""
    dist = [1.0] + [0.0] * k
    for w, m in classes.items():
        if w == skip_one_of:
            m -= 1
        if m <= 0:
            continue
        p = -math.expm1(-w * t)
        pmf = _binomial_head(m, p, k)
        dist = [sum(dist[a] * pmf[j - a] for a in range(j + 1)) for j in range(k + 1)]
    return sum(dist)


def _binomial_head(m, p, k):
    """P(X = j) for j = 0..k, X ~ Binomial(m, p)."""
    if p <= 0.0:
        return [1.0] + [0.0] * k
    if p >= 1.0:
        return [1.0 if j == m else 0.0 for j in range(k + 1)]
    log_p, log_q = math.log(p), math.log1p(-p)
    out = []
    for j in range(k + 1):
        if j > m:
            out.append(0.0)
            continue
        log_c = math.lgamma(m + 1) - math.lgamma(j + 1) - math.lgamma(m - j + 1)
        out.append(math.exp(log_c + j * log_p + (m - j) * log_q))
    return out


# --- Verification ------------------------------------------------------------------------------


def verify(record):
    """Everything that does not match in ``record``, as Chinese sentences; [] when consistent."""
    problems = []
    if record.get("format") != FORMAT or record.get("algorithm") != ALGORITHM:
        return [f"不是可识别的抽取记录(format 应为 {FORMAT},algorithm 应为 {ALGORITHM})"]
    pool, weights = record.get("pool"), record.get("weights")
    if not isinstance(pool, list) or not all(isinstance(c, int) and not isinstance(c, bool) for c in pool):
        return ["pool(候选名单)应为整数编号的列表"]
    if pool != sorted(set(pool)):
        problems.append("pool(候选名单)不是升序排列或有重复编号")
    if weights is not None and (not isinstance(weights, list) or len(weights) != len(pool)
                                or not all(isinstance(w, int) and not isinstance(w, bool) and w > 0 for w in weights)):
        return [*problems, "weights(权重)应为与候选名单等长的正整数列表"]
    if pool_hash(pool, weights) != record.get("pool_hash"):
        problems.append("pool(候选名单)或 weights(权重)与冻结时记录的 pool_hash 不符")
    designated = {d.get("id") for d in record.get("designated") or []}
    if designated & set(pool):
        problems.append("指定对象出现在随机抽取的候选名单中")
    problems += verify_conflicts(record, set(pool), designated)
    inputs = record.get("inputs")
    if not isinstance(inputs, list) or not inputs:
        return [*problems, "inputs(随机种子输入)缺失"]
    for n, item in enumerate(inputs, 1):
        label = f"第{n}项输入({item.get('label', '')})"
        if item.get("kind") not in INPUT_KINDS or not isinstance(item.get("value"), str) or not item["value"].strip():
            problems.append(f"{label}的类型或公布值无效")
            continue
        if item["kind"] in ("member", "server") and not item.get("commitment"):
            problems.append(f"{label}缺少事先登记的承诺哈希")
        if item.get("commitment") and commitment(item["value"]) != item["commitment"]:
            problems.append(f"{label}的公布值与事先登记的承诺哈希不符")
    if not any(i.get("kind") == "server" for i in inputs):
        problems.append("inputs 中没有系统随机值(server)")
    computed_seed = seed(record.get("pool_hash", ""), inputs) if not problems else None
    if computed_seed is not None and computed_seed != record.get("seed"):
        problems.append("seed(随机种子)与由 pool_hash 和各项输入算出的值不符")
    count = record.get("count")
    if not isinstance(count, int) or count < 0:
        problems.append("count(抽取人数)无效")
    elif computed_seed is not None and not problems:
        expected = select(pool, computed_seed, count, weights)
        if expected != record.get("selected"):
            problems.append(f"selected(抽中名单)与重新计算的结果不符:应为 {expected}")
    problems += verify_sealed(record)
    if record_hash(record) != record.get("record_hash"):
        problems.append("record_hash(记录哈希)与记录内容不符:记录在导出后被改动过")
    problems += verify_chain(record)
    return problems


def verify_conflicts(record, pool, designated):
    """Nobody who talks in the programme is a candidate or designated: the recorded exclusions,
    and the talk group itself (its members' roster ids, or their units for a unit programme)."""
    problems = []
    excluded = record.get("excluded") or []
    group = record.get("group") or []
    if not isinstance(excluded, list) or not isinstance(group, list):
        return ["excluded(回避排除)或 group(谈话小组)格式无效"]
    key = "unit" if record.get("subject_type") == "unit" else "cadre"
    barred = {e.get("id"): f"{e.get('label')}({e.get('rule')})" for e in excluded if isinstance(e, dict)}
    for m in group:
        if isinstance(m, dict) and m.get(key) is not None:
            barred.setdefault(m[key], f"{m.get('name')}({m.get('rule')})")
    for pk, label in sorted(barred.items(), key=lambda kv: str(kv[0])):
        if pk in pool:
            problems.append(f"应当回避的 {label} 出现在候选名单中")
        if pk in designated:
            problems.append(f"应当回避的 {label} 被指定为谈话对象")
    return problems


def verify_chain(record):
    """The earlier links must follow each other and end where this record's previous_hash points."""
    chain = record.get("chain") or []
    problems, before = [], None
    for n, link in enumerate(chain, 1):
        if link.get("previous_hash") != before:
            problems.append(f"抽取链第{n}环(批次 {link.get('round')})的 previous_hash 与前一环不符")
        before = link.get("record_hash")
    if record.get("previous_hash") != before:
        problems.append("previous_hash 与本活动上一次抽取的记录哈希不符(抽取链断开)")
    return problems


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1 or argv[0] in ("-h", "--help"):
        print("用法:python3 verify_draw.py 抽取记录.json", file=sys.stderr)
        return 2
    try:
        with open(argv[0], encoding="utf-8") as f:
            record = json.load(f)
    except (OSError, ValueError) as exc:
        print(f"无法读取抽取记录 {argv[0]}:{exc}", file=sys.stderr)
        return 1
    if not isinstance(record, dict):
        print(f"{argv[0]} 不是抽取记录(应为一个 JSON 对象)", file=sys.stderr)
        return 1
    problems = verify(record)
    if problems:
        print(f"校验不通过:{argv[0]}")
        for problem in problems:
            print(f"  - {problem}")
        return 1
    print(f"校验通过:候选 {len(record['pool'])} 人(pool_hash {record['pool_hash'][:16]}…),"
          f"{len(record['inputs'])} 项输入,随机种子 {record['seed'][:16]}…,"
          f"抽中 {len(record['selected'])} 人,与记录一致;抽取链 {len(record.get('chain') or [])} 环前序记录衔接一致。")
    return 0


if __name__ == "__main__":
    sys.exit(main())
