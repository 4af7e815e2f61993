"""`tanhua gen-bench --clues N` and `tanhua bench-clues` on small generated sets.

The benchmark proper (marked ``bench``, skipped by default) times the clue list on a larger set:
``pytest tests/clues/test_bench_clues.py --benchmark-only -s`` (``TANHUA_BENCH_CLUES`` clues,
50,000 unless set).
"""

import datetime
import json
import os
from collections import Counter
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import F
from django.utils import timezone

from tanhua.accounts.scope import scope_queryset
from tanhua.clues import search, services
from tanhua.clues.management.commands import bench_clues
from tanhua.clues.models import Clue, half_way
from tanhua.registry.models import Unit


def test_gen_bench_clues_are_consistent(roles):
    out = StringIO()
    call_command("gen_bench", cadres=300, clues=2000, seed=1, stdout=out)
    assert "2000 条问题线索" in out.getvalue()
    clues = list(Clue.objects.select_related("unit", "cadre"))
    assert len(clues) == 2000

    # What Clue.save() would have filled in.
    assert not Clue.objects.exclude(unit_path=F("unit__path")).exists()
    assert all(c.warn_on == half_way(c.received_on, c.due_on) for c in clues)
    # Numbers: unique, <unit code>-<year>-<seq>, counted 1, 2, 3 ... per unit and year.
    assert len({c.number for c in clues}) == 2000
    assert all(c.number == f"{c.unit.code}-{c.year}-{c.seq:04d}" and c.year == c.received_on.year for c in clues)
    per_unit_year = Counter((c.unit_id, c.year) for c in clues)
    for (unit_id, year), count in per_unit_year.items():
        seqs = sorted(c.seq for c in clues if (c.unit_id, c.year) == (unit_id, year))
        assert seqs == list(range(1, count + 1))
    # The cadre named is in the clue's unit; about a tenth name the unit only.
    assert all(c.cadre.unit_id == c.unit_id for c in clues if c.cadre_id)
    assert 120 <= sum(1 for c in clues if c.cadre_id is None) <= 300
    # Anonymous: nothing to decrypt.
    assert all(c.reporter_anonymous and not c.has_reporter for c in clues)
    # Three years of clues, old ones mostly closed, recent ones waiting.
    today = timezone.localdate()
    assert min(c.received_on for c in clues) >= today - datetime.timedelta(days=3 * 365)
    statuses = Counter(c.status for c in clues)
    assert statuses[Clue.Status.CLOSED] > statuses[Clue.Status.HANDLING] > 0 and statuses[Clue.Status.PENDING] > 0
    assert all(c.disposition == "" and c.disposed_at is None for c in clues if c.status == Clue.Status.PENDING)
    assert all(c.disposition and c.closed_at and c.closed_at >= c.disposed_at and c.outcome
               for c in clues if c.status == Clue.Status.CLOSED)
    assert len({c.summary for c in clues}) > 100 and len({c.content for c in clues}) > 1900

    # The search index holds the generated text: a phrase from the middle of a clue, and a
    # common term counted the plain way.
    everyone = scope_queryset(Clue.objects.all(), _staff_at(Unit.get_root_nodes().get(), roles))
    sample = clues[1234]
    phrase = sample.content[4:14]
    assert sample.pk in set(search.matching(everyone, phrase).values_list("pk", flat=True))
    for term in ("有限公司", "宴请", "宴"):
        assert search.matching(everyone, term).count() == sum(1 for c in clues if term in c.summary + c.content)

    # The ORM carries on after the bulk insert: the next number of a unit and year follows.
    unit, year = max(per_unit_year, key=per_unit_year.get)
    added = services.register_clue(None, unit=Unit.objects.get(pk=unit), received_on=datetime.date(year, 6, 1),
                                   source=sample.source, category=sample.category, summary="新登记", content="新内容")
    assert added.seq == per_unit_year[unit, year] + 1

    with pytest.raises(CommandError, match="已有"):
        call_command("gen_bench", cadres=100, stdout=StringIO())
    # --force: the registered clue has a history, so the clues go the careful way; the second
    # time only generated clues are left, and they go in one DELETE.
    for count in (300, 200):
        call_command("gen_bench", cadres=200, clues=count, seed=2, force=True, stdout=StringIO())
        assert Clue.objects.count() == count
        assert search.matching(Clue.objects.all(), "新登记").count() == 0
        assert search.matching(Clue.objects.all(), "有限公司").count() == Clue.objects.filter(
            content__contains="有限公司").count() > 0
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("INSERT INTO clue_fts(clue_fts, rank) VALUES ('integrity-check', 1)")
                cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'clues_clue'")
                assert {row[0] for row in cursor.fetchall()} == set(search.SQLITE_TRIGGER_NAMES)


def _staff_at(unit, roles):
    user = get_user_model()(username="bench-test", unit=unit, is_active=True)
    user._tanhua_roles = [roles["staff"]]
    return user


def test_bench_clues_command(roles):
    with pytest.raises(CommandError, match="没有问题线索"):
        call_command("bench_clues", stdout=StringIO())
    call_command("gen_bench", cadres=300, clues=600, seed=3, stdout=StringIO())
    out = StringIO()
    call_command("bench_clues", "--repeat", "1", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["clues"] == 600
    results = report["results"]
    assert len(results) == 2 * len(bench_clues.SCENARIOS) + 6
    assert all(r["queries"] > 0 and r["median_ms"] > 0 for r in results)
    found = {(r["user"].startswith("全市"), r["scenario"]): r["found"] for r in results}
    assert found[True, "无筛选,第1页"] == 600 > found[False, "无筛选,第1页"] > 0
    assert found[True, "检索“公务用车”"] == found[True, "繁体检索“公務用車”"]
    assert found[True, "检索常见词“有限公司”"] >= found[True, "检索“有限公司”且待处置"]
    problems = [r for r in results if r["scenario"].startswith("问题清单")]
    assert [r["scenario"].endswith("页面") for r in problems] == [True, False] * 3
    county, town, cadre = (problems[i]["found"] for i in (0, 2, 4))
    assert county >= town > 0 and county >= cadre > 0
    out = StringIO()
    call_command("bench_clues", "--repeat", "1", stdout=out)
    assert "查询" in out.getvalue() and "命中" in out.getvalue()


@pytest.mark.bench
def test_bench_clue_list(benchmark, roles):
    clues = int(os.environ.get("TANHUA_BENCH_CLUES", "50000"))
    call_command("gen_bench", cadres=max(300, clues // 10), clues=clues, stdout=StringIO())
    report = benchmark.pedantic(bench_clues.run, kwargs={"repeat": 3}, rounds=1, iterations=1)
    benchmark.extra_info["clues"] = report["clues"]
    print(f"\n{report['database']}, {report['clues']} clues: page ms / list ms / queries / found")
    for r in report["results"]:
        benchmark.extra_info[f"{r['user']} {r['scenario']}"] = r["median_ms"]
        print(f"  {r['user']:<14} {r['scenario']:<22} {r['median_ms']:>8.1f} {r['list_ms']:>8.1f} "
              f"{r['queries']:>3} {r['found']:>8}")
