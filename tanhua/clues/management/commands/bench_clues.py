"""Time the clue list on the current database (fill it first with `tanhua gen-bench --clues N`)."""

import json
import statistics
import tempfile
import time

from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from tanhua.accounts.roles import STAFF
from tanhua.clues import selectors, views
from tanhua.clues.exports import export_problem_list
from tanhua.clues.models import Clue
from tanhua.demo.bench import unsaved_user
from tanhua.registry.models import Cadre, Unit, UnitKind

# What is searched for: one and two characters (no index can help), and longer terms from
# very common (most clues name a firm) to rare (one place among thousands generated).
SCENARIOS = [
    ("无筛选,第1页", {}),
    ("无筛选,第200页", {"page": 200}),
    ("按时限紧急排序", {"sort": "light"}),
    ("检索1字“宴”", {"q": "宴"}),
    ("检索2字“礼金”", {"q": "礼金"}),
    ("检索常见词“有限公司”", {"q": "有限公司"}),
    ("检索“公务用车”", {"q": "公务用车"}),
    ("检索少见词“湖滨翠竹农家乐”", {"q": "湖滨翠竹农家乐"}),
    ("检索两词“宴请 农家乐”", {"q": "宴请 农家乐"}),
    ("繁体检索“公務用車”", {"q": "公務用車"}),
    ("检索“有限公司”且待处置", {"q": "有限公司", "status": "pending"}),
    ("检索“公务用车”且处置中", {"q": "公务用车", "status": "handling"}),
]


def bench_users():
    """Two 纪委工作人员 as the demo has them: one at the city (the root unit), one in a district.

    Returns ``[(label, unit, make_user)]``; each call of ``make_user`` gives a fresh unsaved
    user, so that no scope is cached from the run before and nothing is written.
    """
    # The tree the clues are in (gen-bench's 基准市), and its first county.
    path = Clue.objects.order_by("pk").values_list("unit_path", flat=True).first()
    root = Unit.objects.get(path=path[:Unit.steplen])
    below = Unit.objects.filter(depth=2, path__startswith=root.path).order_by("path")
    district = below.filter(kind=UnitKind.COUNTY).first() or below.first() or root

    def make(unit, name):
        return lambda: unsaved_user(unit, name, STAFF)

    return [(f"全市({root.name})", root, make(root, "bench-city")),
            (f"区县({district.name})", district, make(district, "bench-district"))]


def problem_subjects(district):
    """What the problem-list scenarios are about: the county, its busiest town, its busiest cadre."""
    open_clues = Clue.objects.exclude(status=Clue.Status.CLOSED).filter(district.subtree_q("unit_path"))
    towns = Unit.objects.filter(depth=district.depth + 1, path__startswith=district.path)
    town = max(towns, key=lambda u: open_clues.filter(u.subtree_q("unit_path")).count(), default=district)
    cadre = (open_clues.exclude(cadre=None).values("cadre").annotate(n=Count("id")).order_by("-n", "cadre")
             .values_list("cadre", flat=True).first())
    return [
        (f"问题清单:{district.name}(含下级)", {"unit": district.pk}),
        (f"问题清单:{town.name}", {"unit": town.pk}),
        ("问题清单:未结线索最多的干部", {"cadre": cadre}),
    ]


def _list_alone(make_user, query, repeat):
    """The list's own two queries as the page's paginator runs them, the count and the page,
    timed apart from the rest of the page (template, other panels)."""
    timings = []
    first = (int(query.get("page", 1)) - 1) * views.PAGE_SIZE
    for _ in range(repeat):
        start = time.perf_counter()
        _form, _unit, clues = selectors.filtered_clues(make_user(), query)
        found = clues.count()
        list(clues.select_related("source__parent", "category__parent", "unit", "cadre")[
            first:first + views.PAGE_SIZE])
        timings.append(time.perf_counter() - start)
    return found, round(statistics.median(timings) * 1000, 1)


def _time_view(view, path, make_user, query, repeat):
    """Median milliseconds and queries of ``view`` rendering ``query`` for fresh users."""
    factory = RequestFactory()
    timings, queries = [], 0
    for _ in range(repeat):
        request = factory.get(path, query)
        request.user, request.session, request.LANGUAGE_CODE = make_user(), SessionStore(), "zh-hans"
        request._messages = FallbackStorage(request)
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = view(request)
            timings.append(time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
        queries = len(captured)
    return round(statistics.median(timings) * 1000, 1), queries


def _time_export(make_user, unit, cadre, repeat):
    timings, queries = [], 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured, tempfile.TemporaryFile() as out:
            start = time.perf_counter()
            rows = selectors.problem_list(make_user(), unit=unit, cadre=cadre)
            export_problem_list(rows, out, title="问题清单")
            timings.append(time.perf_counter() - start)
        queries = len(captured)
    return round(statistics.median(timings) * 1000, 1), queries


def run(repeat=7):
    clues = Clue.objects.count()
    if not clues:
        raise CommandError("数据库中没有问题线索,请先运行 tanhua gen-bench --cadres 100000 --clues 1000000 --force")
    users = bench_users()
    results = []
    for who, _unit, make_user in users:
        for label, query in SCENARIOS:
            median_ms, queries = _time_view(views.clue_list, "/clues/", make_user, query, repeat)
            found, list_ms = _list_alone(make_user, query, repeat)
            results.append({"user": who, "scenario": label, "found": found,
                            "median_ms": median_ms, "queries": queries, "list_ms": list_ms})
    # The problem lists a talk is prepared from, as the county's own staff see them: the page
    # (every open problem, no paging) and its .xlsx export.
    who, district, make_user = users[-1]
    for label, query in problem_subjects(district):
        unit = Unit.objects.filter(pk=query.get("unit")).first()
        cadre = Cadre.objects.filter(pk=query.get("cadre")).first()
        found = len(selectors.problem_list(make_user(), unit=unit, cadre=cadre))
        median_ms, queries = _time_view(views.problems, "/clues/problems/", make_user, query, repeat)
        results.append({"user": who, "scenario": f"{label}页面", "found": found,
                        "median_ms": median_ms, "queries": queries, "list_ms": None})
        # The export's work without its view, whose audit entry needs a saved user (and the
        # audit log is append-only: a benchmark must not write to it).
        median_ms, queries = _time_export(make_user, unit, cadre, repeat)
        results.append({"user": who, "scenario": f"{label}导出xlsx", "found": found,
                        "median_ms": median_ms, "queries": queries, "list_ms": None})
    return {"database": connection.vendor, "clues": clues, "units": Unit.objects.count(), "repeat": repeat,
            "results": results}


class Command(BaseCommand):
    help = "对当前数据库中的问题线索列表(含全文检索)计时(先用 gen-bench --clues 生成大数据量)"

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=7, help="每个场景重复次数,取中位数(默认7)")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        if options["repeat"] < 1:
            raise CommandError("--repeat 必须是正整数")
        report = run(options["repeat"])
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False))
            return
        self.stdout.write(f"数据库 {report['database']}:{report['clues']} 条线索,{report['units']} 个单位,"
                          f"每个场景 {report['repeat']} 次取中位数")
        for r in report["results"]:
            alone = f"  其中列表 {r['list_ms']:>9.1f} ms" if r["list_ms"] is not None else ""
            self.stdout.write(f"  {r['user']:<16} {r['scenario']:<22} 页面 {r['median_ms']:>9.1f} ms  "
                              f"查询 {r['queries']} 次{alone}  命中 {r['found']} 条")
