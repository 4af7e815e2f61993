"""The draw algorithm and the standalone verifier: no Django, no database.

The statistical tests use fixed seeds, so they give the same answer on every run; the
chi-square bound is at the 0.1 % level (Wilson–Hilferty approximation of the quantile).
"""

import copy
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from tanhua.talks import draw

ROOT = Path(__file__).resolve().parents[2]


def chi_square_bound(df, z=3.0902):  # z for 0.999
    return df * (1 - 2 / (9 * df) + z * math.sqrt(2 / (9 * df))) ** 3


def make_record(pool=(3, 5, 8, 13, 21, 34, 55), weights=None, count=2):
    pool = list(pool)
    pool_hash = draw.pool_hash(pool, weights)
    inputs = [
        {"kind": "public", "label": "体育彩票排列5 第26301期", "commitment": None, "value": "4 0 7 9 1"},
        {"kind": "member", "label": "张三的承诺值", "commitment": draw.commitment("清风徐来2026"), "value": "清风徐来2026"},
        {"kind": "server", "label": "系统随机值", "commitment": draw.commitment("ab" * 32), "value": "ab" * 32},
    ]
    seed = draw.seed(pool_hash, inputs)
    record = {
        "format": draw.FORMAT, "algorithm": draw.ALGORITHM, "id": 9, "pool": pool, "weights": weights,
        "pool_hash": pool_hash, "designated": [{"id": 99, "label": "指定", "reason": "信访举报"}],
        "inputs": inputs, "seed": seed, "count": count, "selected": draw.select(pool, seed, count, weights),
        "previous_hash": "1" * 64, "labels": {str(c): f"干部{c}" for c in pool},
    }
    record["record_hash"] = draw.record_hash(record)
    record["chain"] = [{"id": 1, "round": 1, "record_hash": "0" * 64, "previous_hash": None},
                       {"id": 4, "round": 2, "record_hash": "1" * 64, "previous_hash": "0" * 64}]
    return record


def test_canonical_encoding_is_stable():
    assert draw.canonical({"b": [1, "谈话"], "a": None}) == '{"a":null,"b":[1,"谈话"]}'.encode()
    # Known answers: these must never change, or old records stop verifying.
    assert draw.commitment("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert draw.commitment("  abc ") == draw.commitment("abc")
    assert draw.pool_hash([1, 2, 3]) == draw.sha256_hex(b'{"pool":[1,2,3],"weights":null}')


def test_selection_is_deterministic_and_depends_on_every_input():
    record = make_record()
    assert draw.verify(record) == []
    again = draw.select(record["pool"], record["seed"], 2)
    assert again == record["selected"] and len(set(again)) == 2
    seeds = {draw.seed(record["pool_hash"], [{**record["inputs"][0], "value": v}, *record["inputs"][1:]])
             for v in ("4 0 7 9 1", "4 0 7 9 2")}
    assert len(seeds) == 2
    assert draw.select(list(range(10)), "00" * 32, 20) == sorted(range(10), key=lambda c: draw.ticket("00" * 32, c))


@pytest.mark.parametrize(("path", "value", "message"), [
    (("pool", 0), 4, "pool_hash"),
    (("weights",), [1] * 7, "pool_hash"),
    (("inputs", 0, "value"), "4 0 7 9 2", "seed"),
    (("inputs", 1, "value"), "清风徐来2027", "承诺哈希不符"),
    (("inputs", 2, "commitment"), "c" * 64, "承诺哈希不符"),
    (("seed",), "d" * 64, "seed"),
    (("selected",), [3, 5], "selected"),
    (("count",), 3, "selected"),
    (("previous_hash",), "2" * 64, "抽取链断开"),
    (("chain", 1, "previous_hash"), "9" * 64, "抽取链第2环"),
    (("labels", "3"), "别人", "record_hash"),
])
def test_verifier_names_what_was_altered(path, value, message):
    record = make_record()
    target = record
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    problems = draw.verify(record)
    assert problems and any(message in p for p in problems), problems


def test_designated_subjects_cannot_be_in_the_pool():
    record = make_record()
    record["designated"][0]["id"] = 5
    assert any("指定对象" in p for p in draw.verify(record))


def test_unweighted_draws_are_uniform():
    pool, count, runs = list(range(1, 21)), 4, 20000
    hits = dict.fromkeys(pool, 0)
    for n in range(runs):
        for c in draw.select(pool, draw.sha256_hex(f"uniform-{n}".encode()), count):
            hits[c] += 1
    expected = runs * count / len(pool)
    statistic = sum((h - expected) ** 2 / expected for h in hits.values())
    assert statistic < chi_square_bound(len(pool) - 1), statistic
    assert draw.inclusion_probabilities([1] * 20, 4) == [0.2] * 20


def test_weighted_draws_match_the_stated_probabilities():
    weights = [1, 1, 1, 2, 2, 3, 3, 5, 8, 13]
    pool, count, runs = list(range(100, 100 + len(weights))), 3, 12000
    stated = draw.inclusion_probabilities(weights, count)
    assert math.isclose(sum(stated), count)
    assert stated[0] < stated[3] < stated[5] < stated[7] < stated[8] < stated[9] < 1
    hits = dict.fromkeys(pool, 0)
    for n in range(runs):
        for c in draw.select(pool, draw.sha256_hex(f"weighted-{n}".encode()), count, weights):
            hits[c] += 1
    statistic = sum((hits[c] - runs * p) ** 2 / (runs * p) for c, p in zip(pool, stated, strict=True))
    assert statistic < chi_square_bound(len(pool) - 1), statistic


def test_stated_probabilities_against_exact_enumeration():
    # Successive sampling without replacement, enumerated exactly for a small pool.
    weights, count = [1, 2, 3, 4], 2
    exact = [0.0] * 4
    total = sum(weights)
    for i in range(4):
        for j in range(4):
            if i != j:
                p = weights[i] / total * weights[j] / (total - weights[i])
                exact[i] += p
                exact[j] += p
    stated = draw.inclusion_probabilities(weights, count)
    assert all(math.isclose(a, b, abs_tol=1e-6) for a, b in zip(exact, stated, strict=True)), (exact, stated)


def test_weighted_selection_never_excludes_anyone():
    assert draw.inclusion_probabilities([1, 1000, 1000], 1)[0] > 0
    assert draw.inclusion_probabilities([1, 2], 5) == [1.0, 1.0]


def test_weighted_shortcut_equals_the_exact_keys():
    pool = list(range(1, 3001))
    weights = [1 + c % 7 for c in pool]
    for n in range(5):
        seed = draw.sha256_hex(f"shortcut-{n}".encode())
        exact = sorted(pool, key=lambda c: (draw.weighted_key(draw.ticket(seed, c), weights[c - 1]), c))[:6]
        assert draw.select(pool, seed, 6, weights) == exact


def run_verifier(path):
    return subprocess.run([sys.executable, str(ROOT / "tools" / "verify_draw.py"), str(path)],
                          capture_output=True, text=True, check=False, cwd="/")


def test_standalone_verifier(tmp_path):
    script = ROOT / "tools" / "verify_draw.py"
    imports = {line.split()[1] for line in script.read_text().splitlines() if line.startswith(("import ", "from "))}
    assert imports <= set(sys.stdlib_module_names), imports
    good = tmp_path / "good.json"
    record = make_record(weights=[1, 2, 3, 1, 2, 3, 9])
    good.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    result = run_verifier(good)
    assert result.returncode == 0 and "校验通过" in result.stdout, result
    bad = copy.deepcopy(record)
    bad["pool"][-1] = 56  # one candidate swapped for another
    (tmp_path / "bad.json").write_text(json.dumps(bad), encoding="utf-8")
    result = run_verifier(tmp_path / "bad.json")
    assert result.returncode == 1 and "pool" in result.stdout
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    assert run_verifier(tmp_path / "broken.json").returncode == 1
