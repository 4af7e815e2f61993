"""Time the draw over the whole registry: freeze, draw, export and verify (after `gen-bench`).

Everything runs in one transaction that is rolled back: the benchmark leaves nothing behind,
not even audit entries.
"""

import datetime
import json
import statistics
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from tanhua.accounts.roles import STAFF
from tanhua.demo.bench import unsaved_user
from tanhua.registry.models import Cadre, Unit
from tanhua.talks import draw, services
from tanhua.talks.models import DrawInput, Kind, Weighting


class _Rollback(Exception):
    pass


def _once(root, weighting):
    """One round over every cadre at the root: the phases' times in seconds, and the pool size."""
    staff = unsaved_user(root, "bench-draw", STAFF)
    staff.save()  # the audit log needs a saved user; rolled back with the rest
    staff.roles.set([staff._tanhua_roles[0]])
    programme = services.create_programme(staff, unit=root, name="基准抽取", kind=Kind.HALF_MONTH,
                                          random_count=4, designated_count=0, weighting=weighting,
                                          active_only=False)
    round_ = services.create_round(staff, programme, date=datetime.date(2027, 1, 15),
                                   public_labels=["开奖号码"], member_users=[staff])
    services.commit(staff, round_.inputs.get(kind=DrawInput.Kind.MEMBER), value="bench-secret")
    times = {}
    start = time.perf_counter()
    frozen = services.freeze(staff, round_)
    times["freeze"] = time.perf_counter() - start
    services.enter_public(staff, round_.inputs.get(kind=DrawInput.Kind.PUBLIC), "1 2 3 4 5")
    services.reveal(staff, round_.inputs.get(kind=DrawInput.Kind.MEMBER), "bench-secret")
    start = time.perf_counter()
    services.perform_draw(staff, round_)
    times["draw"] = time.perf_counter() - start
    frozen.refresh_from_db()
    start = time.perf_counter()
    record = json.loads(json.dumps(services.export_record(frozen)))
    times["export"] = time.perf_counter() - start
    start = time.perf_counter()
    problems = draw.verify(record)
    times["verify"] = time.perf_counter() - start
    if problems:
        raise CommandError("校验失败:" + ";".join(problems))
    start = time.perf_counter()
    problems = services.verify_against_database(record)
    times["verify_db"] = time.perf_counter() - start
    if problems:
        raise CommandError("校验失败:" + ";".join(problems))
    return times, len(frozen.pool), len(json.dumps(record, ensure_ascii=False).encode())


def run(repeat=3):
    cadres = Cadre.objects.count()
    if not cadres:
        raise CommandError("数据库中没有干部,请先运行 tanhua gen-bench --cadres 100000")
    root = Unit.objects.filter(depth=1).order_by("path").first()
    results = []
    for weighting in (Weighting.NONE, Weighting.SINCE_LAST):
        runs = []
        for _ in range(repeat):
            try:
                with transaction.atomic():
                    runs.append(_once(root, weighting))
                    raise _Rollback
            except _Rollback:
                pass
        phases = {k: round(statistics.median(r[0][k] for r in runs) * 1000, 1) for k in runs[0][0]}
        results.append({"weighting": weighting, "pool": runs[0][1], "record_bytes": runs[0][2], "ms": phases})
    return {"database": connection.vendor, "cadres": cadres, "repeat": repeat, "results": results}


class Command(BaseCommand):
    help = "对全部干部组成的候选名单计时:冻结、抽取、导出、校验(先用 gen-bench 生成大数据量;不留下任何数据)"

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=3, help="重复次数,取中位数(默认3)")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        if options["repeat"] < 1:
            raise CommandError("--repeat 必须是正整数")
        report = run(options["repeat"])
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False))
            return
        self.stdout.write(f"数据库 {report['database']}:{report['cadres']} 名干部,每项 {report['repeat']} 次取中位数")
        for r in report["results"]:
            ms = r["ms"]
            self.stdout.write(
                f"  {'等概率' if r['weighting'] == 'none' else '按权重'}  候选 {r['pool']} 人  冻结 {ms['freeze']:.0f} ms  "
                f"抽取 {ms['draw']:.0f} ms  导出 {ms['export']:.0f} ms  独立校验 {ms['verify']:.0f} ms  "
                f"对照系统校验 {ms['verify_db']:.0f} ms  记录 {r['record_bytes'] / 1024:.0f} KB")
