"""`tanhua bench-import` on a small roster: every phase runs and the database is left clean.

The phases run in-process (``--in-process``): the test database (SQLite in memory, or a
PostgreSQL test database inside the test's transaction) is invisible to child processes.
"""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tanhua.demo.bench import unsaved_user
from tanhua.registry.management.commands.bench_import import (
    BENCH_CODE,
    ID_PREFIX,
    bench_id_number,
)
from tanhua.registry.models import Cadre, PostHistory, Unit
from tanhua.registry.parsing import parse_id_number
from tanhua.registry.selectors import filtered_roster

pytestmark = pytest.mark.django_db


def _counts():
    return Unit.objects.count(), Cadre.objects.count(), PostHistory.objects.count()


def test_bench_import_small_roster(tree, make_cadre, tmp_path):
    make_cadre()  # existing data must survive the benchmark untouched
    before = _counts()
    kept = tmp_path / "roster.xlsx"
    out = io.StringIO()
    call_command("bench_import", "--rows", "300", "--json", "--in-process", "--keep", str(kept), stdout=out)
    report = json.loads(out.getvalue())

    assert report["rows"] == 300
    assert list(report["phases"]) == ["generate", "import", "reimport", "export"]
    for phase in report["phases"].values():
        assert phase["seconds"] > 0
        assert phase["peak_rss_mb"] > 0
    imported, reimported = report["phases"]["import"]["result"], report["phases"]["reimport"]["result"]
    assert (imported["rows"], imported["created"], imported["errors"]) == (300, 300, 0)
    assert (reimported["created"], reimported["updated"], reimported["unchanged"], reimported["errors"]) == (0, 0, 300, 0)
    assert report["phases"]["export"]["count"] == 300
    assert kept.stat().st_size == report["phases"]["generate"]["file_bytes"]

    assert report["cleanup"]["deleted"] == {"post_histories": 300, "cadres": 300, "units": 201}
    assert report["clean"] is True
    assert _counts() == before
    assert not Unit.objects.filter(code__startswith=BENCH_CODE).exists()


def test_bench_id_numbers_are_valid_and_unique():
    numbers = [bench_id_number(n) for n in range(0, 60000, 7)]
    assert len(set(numbers)) == len(numbers)
    assert all(parse_id_number(number) == number and number.startswith(ID_PREFIX) for number in numbers)


def test_refuses_when_generated_ids_could_collide(tree, make_cadre):
    make_cadre(id_number=bench_id_number(5))
    before = _counts()
    with pytest.raises(CommandError, match=ID_PREFIX):
        call_command("bench_import", "--rows", "10", "--json", "--in-process", stdout=io.StringIO())
    assert _counts() == before


def test_child_processes_need_a_shared_database():
    # Inside the test transaction a child process could not see the benchmark units.
    with pytest.raises(CommandError, match="--in-process"):
        call_command("bench_import", "--rows", "10", "--json", stdout=io.StringIO())


def test_bench_roster_times_users_who_see_cadres(roles):
    with pytest.raises(CommandError, match="没有干部"):
        call_command("bench_roster", stdout=io.StringIO())
    call_command("gen_bench", cadres=300, stdout=io.StringIO())
    out = io.StringIO()
    call_command("bench_roster", "--repeat", "1", "--json", stdout=out)
    found = {r["scenario"]: r["found"] for r in json.loads(out.getvalue())["results"]}
    # The root user sees what a 全部-scope administrator sees (the roster's default filter
    # leaves out cadres no longer in post).
    admin = unsaved_user(Unit.objects.get(depth=1), "admin", "admin")
    assert found["全部干部,第1页"] == filtered_roster(admin, {})[2].count() > 250
    district = next(v for k, v in found.items() if k.startswith("区县用户"))
    assert 0 < district < 300
