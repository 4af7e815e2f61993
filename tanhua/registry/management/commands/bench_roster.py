"""Time the roster page on the current database (fill it first with `tanhua gen-bench`)."""

import json
import statistics
import time

from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from tanhua.accounts.roles import ORGANIZATION
from tanhua.demo.bench import unsaved_user
from tanhua.registry import selectors, views
from tanhua.registry.models import Cadre, Unit


class Command(BaseCommand):
    help = "对当前数据库中的干部名册页面计时(先用 gen-bench 生成大数据量)"

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=7)
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        cadres = Cadre.objects.count()
        if not cadres:
            raise CommandError("数据库中没有干部,请先运行 tanhua gen-bench --cadres 100000")
        # 组织部 staff at the root (every cadre) and in the first district, as the demo has them.
        root = Unit.objects.filter(depth=1).order_by("path").first()
        district = Unit.objects.filter(depth=2).order_by("path").first() or root

        def everyone():
            return unsaved_user(root, "bench-all", ORGANIZATION)

        def local():
            return unsaved_user(district, "bench-district", ORGANIZATION)

        scenarios = [
            ("全部干部,第1页", everyone, {}),
            ("全部干部,第1000页", everyone, {"page": 1000}),
            (f"区县用户({district.name})", local, {}),
            ("按姓名搜索“王”", everyone, {"q": "王"}),
            ("一把手且任现职5年以上", everyone, {"unit_head": "on", "min_years": 5}),
            ("副处级以上", everyone, {"min_level": 30}),
        ]
        factory = RequestFactory()
        results = []
        for label, user, query in scenarios:
            timings, queries = [], 0
            for _ in range(options["repeat"]):
                request = factory.get("/registry/", query)
                request.user, request.session, request.LANGUAGE_CODE = user(), SessionStore(), "zh-hans"
                request._messages = FallbackStorage(request)
                with CaptureQueriesContext(connection) as captured:
                    start = time.perf_counter()
                    response = views.roster(request)
                    timings.append(time.perf_counter() - start)
                assert response.status_code == 200
                queries = len(captured)
            found = selectors.filtered_roster(user(), query)[2].count()
            results.append({"scenario": label, "found": found, "median_ms": round(statistics.median(timings) * 1000, 1), "queries": queries})
        report = {"database": connection.vendor, "cadres": cadres, "units": Unit.objects.count(), "results": results}
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False))
            return
        self.stdout.write(f"数据库 {connection.vendor}:{cadres} 名干部,{report['units']} 个单位")
        for r in results:
            self.stdout.write(f"  {r['scenario']:<24} {r['median_ms']:>8.1f} ms  查询 {r['queries']} 次  "
                              f"命中 {r['found']} 名")
