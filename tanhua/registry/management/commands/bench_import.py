"""`tanhua bench-import`: time and measure a large roster import on this database.

Checks the requirement "a 100,000-row roster imports in seconds with bounded memory" on the
machine and database at hand. The command

1. creates its own subtree: a root unit ``BENCH`` with 200 child units;
2. generates a realistic roster .xlsx for those units in a temp dir (title row, header,
   text dates such as "1975.03", valid unique ID numbers, ranks from the rank table);
3. measures, each as its own phase: generating the file, importing it (all rows created),
   importing it again (all rows unchanged), exporting those cadres;
4. deletes everything it created (cadres, post histories, units), whatever happened.

By default every phase runs in a fresh child process (multiprocessing "spawn"), so each
phase's peak RSS (``ru_maxrss``) is that phase's own and not left over from an earlier one.
``--in-process`` runs the phases in this process instead (needed when the database is only
visible here, e.g. a test database inside a transaction); the peak-RSS increase then only
shows growth beyond the peak reached by earlier phases.

Generated ID numbers use the region prefix "99", which no real ID number has, so they cannot
collide with real cadres; the command refuses to run if any cadre with that prefix exists.

This module imports Django models only inside functions: a spawned child unpickles the
phase function by importing this module before it has set Django up.
"""

import datetime
import gc
import json
import multiprocessing
import os
import platform
import random
import resource
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback

from django.core.management.base import BaseCommand, CommandError

from tanhua.registry.parsing import (
    id_check_digit,  # no Django inside: safe before setup
)

BENCH_CODE = "BENCH"
BENCH_NAME = "导入基准测试(临时单位,可删除)"
BENCH_UNITS = 200
ID_PREFIX = "99"  # no real ID number starts with 99 (no such province code)
BIRTH_FIRST = datetime.date(1962, 1, 1)
BIRTH_DAYS = 14610  # 40 years of birth dates
MAX_ROWS = 5_000_000
PHASES = ["generate", "import", "reimport", "export"]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建文辉玉兰红志国海林斌波宇浩凯健俊帆帅旭鹏晨振东立新春晓燕云飞雪梅婷琳颖倩丹慧"
DISTRICTS = ["东城", "西城", "南湖", "北塘", "城厢", "沙溪", "浏河", "璜泾", "双凤", "陆渡"]
DEPARTMENTS = [
    ("财政局", "市直部门"), ("发展和改革委员会", "市直部门"), ("教育局", "市直部门"), ("公安局", "市直部门"),
    ("自然资源和规划局", "市直部门"), ("住房和城乡建设局", "市直部门"), ("交通运输局", "市直部门"),
    ("卫生健康委员会", "市直部门"), ("审计局", "市直部门"), ("市场监督管理局", "市直部门"),
    ("人民政府", "县区"), ("街道办事处", "镇街"), ("镇人民政府", "镇街"), ("第一中学", "学校"),
    ("人民医院", "医院"), ("城市建设投资集团有限公司", "国有企业"), ("水务集团有限公司", "国有企业"),
    ("农业农村局", "市直部门"), ("民政局", "市直部门"), ("文化广电和旅游局", "市直部门"),
]
POSTS = ["科员", "副科长", "科长", "副主任", "主任", "副局长", "局长", "党组成员、副局长", "党组书记、局长",
         "副镇长", "镇长", "党委副书记", "党委书记", "副校长", "校长", "副院长", "院长", "副总经理", "总经理"]
EDUCATION = ["大学", "大学", "大学", "研究生", "研究生", "大专", "中专"]
NATIVE = ["江苏太仓", "江苏昆山", "江苏常熟", "浙江嘉兴", "安徽合肥", "山东济南", "上海", "江苏苏州"]
ETHNICITY = ["汉族"] * 30 + ["回族", "满族", "壮族", "蒙古族"]
SENSITIVE = ["执纪执法", "干部人事", "审计", "项目审批", "资金管理"]
REMARKS = ["挂职", "援疆", "借调", "兼任工会主席"]


def bench_id_number(n):
    """The n-th benchmark ID number: 18 digits, valid checksum, unique for n < MAX_ROWS.

    Within each block of BIRTH_DAYS consecutive n the birth dates are a permutation of the
    40 years (7919 is prime, coprime to BIRTH_DAYS); the block number and a pseudo-random
    gender bit make the 3-digit sequence number, so (birth date, sequence) never repeats.
    """
    block, i = divmod(n, BIRTH_DAYS)
    birth = BIRTH_FIRST + datetime.timedelta(days=i * 7919 % BIRTH_DAYS)
    female = (n * 2654435761 >> 11) & 1
    seq = block * 2 + (0 if female else 1)  # the 17th digit is odd for men
    region = f"{ID_PREFIX}{n % 10:02d}{n // 10 % 7:02d}"
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first17 + id_check_digit(first17)


def _month(date):
    return f"{date.year}.{date.month:02d}"


def _shift(date, months):
    total = date.year * 12 + date.month - 1 + months
    return datetime.date(total // 12, total % 12 + 1, 1)


def roster_rows(rows, units, ranks, seed=20261122):
    """Yield ``rows`` data rows in the column order of ``roster.HEADERS``.

    ``units`` is a list of (code, name); ``ranks`` a list of rank names.
    """
    rng = random.Random(seed)
    today = datetime.date.today()
    # ``ranks`` come lowest first; lower ranks are far more common than higher ones.
    weights = [len(ranks) - i for i in range(len(ranks))]
    for n in range(rows):
        id_number = bench_id_number(n)
        birth = datetime.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
        work = _shift(birth, rng.randint(19 * 12, 25 * 12))
        party = _shift(work, rng.randint(6, 120)) if rng.random() < 0.8 else None
        latest = today.year * 12 + today.month - 1 - (work.year * 12 + work.month - 1)
        post_since = _shift(work, rng.randint(0, max(0, latest - 1)))
        rank_since = _shift(post_since, -rng.randint(0, 36)) if rng.random() < 0.5 else post_since
        rank_since = max(rank_since, work)
        unit_code, unit_name = units[n % len(units)]
        given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
        yield [
            rng.choice(SURNAMES) + given,                             # 姓名
            "男" if int(id_number[16]) % 2 else "女",                 # 性别
            rng.choice(ETHNICITY),                                    # 民族
            _month(birth),                                            # 出生年月
            rng.choice(NATIVE),                                       # 籍贯
            "中共党员" if party else rng.choice(["群众", "民盟盟员", "九三学社社员"]),  # 政治面貌
            _month(party) if party else "",                           # 入党时间
            _month(work),                                             # 参加工作时间
            rng.choice(EDUCATION),                                    # 学历
            id_number,                                                # 身份证号
            unit_name,                                                # 工作单位
            unit_code,                                                # 单位代码
            rng.choice(POSTS),                                        # 现任职务
            rng.choices(ranks, weights=weights)[0],                   # 职级
            _month(post_since),                                       # 任现职时间
            _month(rank_since),                                       # 任现职级时间
            "是" if rng.random() < 0.08 else "否",                    # 是否一把手
            "是" if rng.random() < 0.12 else "否",                    # 是否党政正职
            rng.choice(SENSITIVE) if rng.random() < 0.1 else "",     # 岗位类别
            f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",       # 联系电话
            rng.choice(REMARKS) if rng.random() < 0.03 else "",      # 备注
            "在职" if rng.random() < 0.95 else rng.choice(["调离", "退休"]),  # 状态
        ]


def write_roster(path, rows, units, ranks):
    """A roster workbook as offices send them: title lines, the header, data, a footer."""
    from openpyxl import Workbook

    from tanhua.registry.roster import HEADERS

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("干部名册")
    sheet.append(["清河市领导干部名册(基准测试数据)"])
    sheet.append(["填报单位:市委组织部", None, None, None, None, None, None, None, None, None,
                  f"{datetime.date.today().year}年{datetime.date.today().month}月"])
    sheet.append(list(HEADERS))
    for values in roster_rows(rows, units, ranks):
        sheet.append(values)
    sheet.append(["制表人:基准测试", None, None, None, "审核人:基准测试"])
    workbook.save(path)


# ---------------------------------------------------------------------------------------
# Memory


def _kib_factor():
    return 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB elsewhere


def peak_rss_mb():
    """This process's peak RSS (``ru_maxrss``)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * _kib_factor() / 2**20


def _proc_status_mb(key):
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def current_rss_mb():
    return _proc_status_mb("VmRSS")


def reset_peak_rss():
    """Linux: writing 5 to clear_refs resets the peak RSS (VmHWM, and ru_maxrss with it)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


# ---------------------------------------------------------------------------------------
# Phases: run either here or in a spawned child; params and results are plain data.


def run_phase(phase, params, *, reset_peak=False):
    """Run one phase here; time it and measure its peak RSS.

    In a child process the child's ``ru_maxrss`` is the phase's peak (the child did nothing
    bigger before). In-process, ``reset_peak`` resets the kernel's peak-RSS mark first where
    Linux allows it; otherwise the peak is the process's peak so far.
    """
    # Imports first: loading modules is not part of what a phase measures.
    import openpyxl  # noqa: F401  (generate)

    from tanhua.registry.models import Cadre
    from tanhua.registry.roster import export_roster, import_roster

    gc.collect()
    peak_source = "ru_maxrss"
    if reset_peak:
        peak_source = "ru_maxrss, reset before the phase" if reset_peak_rss() else "ru_maxrss of the whole process"
    rss_before = current_rss_mb()
    start = time.perf_counter()
    out = {}
    if phase == "generate":
        write_roster(params["path"], params["rows"], params["units"], params["ranks"])
        out["file_bytes"] = os.path.getsize(params["path"])
    elif phase in ("import", "reimport"):
        result = import_roster(params["path"])
        summary = result.as_dict()
        out["result"] = {**summary, "errors": len(result.errors), "first_errors": result.errors[:5]}
    elif phase == "export":
        cadres = Cadre.objects.filter(unit__path__startswith=params["root_path"])
        out["count"] = export_roster(cadres, params["export_path"], title="基准测试导出")
        out["file_bytes"] = os.path.getsize(params["export_path"])
    else:  # pragma: no cover
        raise ValueError(phase)
    seconds = time.perf_counter() - start
    peak_after = peak_rss_mb()
    return {
        "seconds": round(seconds, 3),
        "rows_per_second": round(params["rows"] / seconds) if seconds else None,
        "rss_before_mb": round(rss_before, 1) if rss_before is not None else None,
        "peak_rss_mb": round(peak_after, 1),
        # What the phase itself needed: its peak above the RSS it started with.
        "peak_rss_increase_mb": round(peak_after - rss_before, 1) if rss_before is not None else None,
        "peak_source": peak_source,
        **out,
    }


def _phase_child(phase, params, conn):
    """Entry point of a spawned child: set Django up (not timed), run one phase, report."""
    try:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tanhua.settings")
        import django

        django.setup()
        conn.send(("ok", run_phase(phase, params)))
    except Exception:  # noqa: BLE001 -- any failure goes back to the parent as a traceback
        conn.send(("error", traceback.format_exc()))
    finally:
        conn.close()


def _start_method():
    # Not plain "spawn" on Linux: a process started by fork+exec inherits its parent's peak
    # RSS into ru_maxrss (the kernel keeps the larger mark across exec), so a spawned child
    # of this (large) process would report the parent's peak. The fork server is a fresh,
    # small interpreter; the children it forks start with its small peak.
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def run_phase_in_child(phase, params):
    context = multiprocessing.get_context(_start_method())
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_phase_child, args=(phase, params, send), name=f"bench-{phase}")
    process.start()
    send.close()
    try:
        status, payload = receive.recv()
    except EOFError:
        process.join()
        raise CommandError(f"phase {phase}: child process died (exit code {process.exitcode})") from None
    except BaseException:
        # Interrupted (Ctrl-C, kill): stop the child and let its transaction roll back before
        # the caller's cleanup deletes the benchmark units.
        process.terminate()
        process.join()
        raise
    finally:
        receive.close()
    process.join()
    if status != "ok":
        raise CommandError(f"phase {phase} failed in the child process:\n{payload}")
    return payload


# ---------------------------------------------------------------------------------------
# Benchmark units: created before, deleted after.


def create_bench_units(count=BENCH_UNITS):
    from django.db import transaction

    from tanhua.registry.models import Unit

    with transaction.atomic():
        root = Unit.objects.add_root({"code": BENCH_CODE, "name": BENCH_NAME, "kind": "其他"})
        units = []
        for i in range(count):
            district = DISTRICTS[i // len(DEPARTMENTS) % len(DISTRICTS)]
            department, kind = DEPARTMENTS[i % len(DEPARTMENTS)]
            suffix = f"({i // (len(DEPARTMENTS) * len(DISTRICTS)) + 1})" if i >= len(DEPARTMENTS) * len(DISTRICTS) else ""
            fields = {"code": f"{BENCH_CODE}-{i + 1:03d}", "name": f"基准{district}{department}{suffix}", "kind": kind}
            root.refresh_from_db()  # add_child updates numchild on the parent row
            unit = Unit.objects.add_child(root, fields)
            units.append((unit.code, unit.name))
    return root, units


def delete_bench_data(root_path, chunk=5000):
    """Delete the benchmark's cadres, their post histories and the BENCH units, atomically."""
    from django.db import transaction

    from tanhua.registry.models import Cadre, PostHistory, Unit

    deleted = {"post_histories": 0, "cadres": 0, "units": 0}
    with transaction.atomic():
        in_tree = {"unit__path__startswith": root_path}
        deleted["post_histories"] += PostHistory.objects.filter(cadre__unit__path__startswith=root_path).delete()[0]
        deleted["post_histories"] += PostHistory.objects.filter(**in_tree).delete()[0]
        Unit.objects.filter(contact_leader__unit__path__startswith=root_path).update(contact_leader=None)
        while True:
            pks = list(Cadre.objects.filter(**in_tree).values_list("pk", flat=True)[:chunk])
            if not pks:
                break
            deleted["cadres"] += Cadre.objects.filter(pk__in=pks).delete()[1].get("registry.Cadre", 0)
        deleted["units"] = Unit.objects.filter(path__startswith=root_path).count()
        Unit.objects.filter(path__startswith=root_path).delete()
    return deleted


def _interrupt(signum, frame):
    # Once only: `timeout` signals both the process and its group, and the second signal
    # must not cut the cleanup short.
    signal.signal(signum, signal.SIG_IGN)
    raise KeyboardInterrupt(f"signal {signum}")


def _database_label():
    from django.db import connection

    settings = connection.settings_dict
    name = str(settings.get("NAME") or "")
    host = settings.get("HOST") or ""
    return connection.vendor, (f"{host}/{name}" if host else name)


class Command(BaseCommand):
    help = "导入性能基准:生成N行名册,计时导入/重复导入/导出并测峰值内存,结束后删除生成的数据"

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=100_000, help="名册行数(默认 100000)")
        parser.add_argument("--keep", metavar="FILE", help="把生成的名册另存到 FILE")
        parser.add_argument("--json", action="store_true", help="以一个 JSON 对象输出结果")
        parser.add_argument(
            "--in-process",
            action="store_true",
            help="各阶段在本进程内运行(默认每阶段一个子进程,峰值内存互不影响;测试数据库须用此项)",
        )
        parser.add_argument(
            "--purge", action="store_true", help="只删除上次中断的基准测试遗留的单位和干部(单位代码 BENCH)"
        )

    def handle(self, *args, **options):
        from django.db import connection

        from tanhua.registry.models import Cadre, Rank, Unit

        rows = options["rows"]
        if not 1 <= rows <= MAX_ROWS:
            raise CommandError(f"--rows 应在 1 到 {MAX_ROWS} 之间")

        leftover = Unit.objects.filter(code=BENCH_CODE).first()
        if options["purge"]:
            if leftover is None:
                self.stdout.write("没有遗留的基准测试数据。")
                return
            if leftover.name != BENCH_NAME:
                raise CommandError(f"单位代码 {BENCH_CODE} 的单位“{leftover.name}”不是基准测试创建的,不删除")
            deleted = delete_bench_data(leftover.path)
            self.stdout.write(f"已删除遗留的基准测试数据:{deleted}")
            return
        if leftover is not None:
            raise CommandError(
                f"单位代码 {BENCH_CODE} 已存在(可能是上次中断的基准测试遗留)。"
                "确认后运行 `tanhua bench-import --purge` 删除。"
            )
        if Cadre.objects.filter(id_number__startswith=ID_PREFIX).exists():
            raise CommandError(f"已有身份证号以 {ID_PREFIX} 开头的干部,与基准测试生成的号码可能冲突,拒绝运行")
        ranks = list(Rank.objects.order_by("order").values_list("name", flat=True))
        if not ranks:
            raise CommandError("职级表为空:请先运行 tanhua migrate")

        in_process = options["in_process"]
        if not in_process:
            vendor = connection.vendor
            memory = vendor == "sqlite" and connection.creation.is_in_memory_db(connection.settings_dict["NAME"])
            if connection.in_atomic_block or memory:
                raise CommandError(
                    "当前数据库连接在事务中或是内存数据库,子进程看不到这里写入的数据:请加 --in-process"
                )
        if in_process:
            def run(phase, params):
                return run_phase(phase, params, reset_peak=True)
        else:
            run = run_phase_in_child

        vendor, db_name = _database_label()
        report = {
            "rows": rows,
            "database": vendor,
            "database_name": db_name,
            "mode": "in-process" if in_process else f"child process per phase ({_start_method()})",
            "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "phases": {},
        }
        counts_before = {"units": Unit.objects.count()}
        workdir = tempfile.mkdtemp(prefix="tanhua-bench-")
        root = None
        failure = None
        # SIGTERM (`timeout`, a service manager) would end Python without running the cleanup.
        previous_sigterm = None
        if threading.current_thread() is threading.main_thread():
            previous_sigterm = signal.signal(signal.SIGTERM, _interrupt)
        try:
            start = time.perf_counter()
            root, units = create_bench_units()
            report["setup_seconds"] = round(time.perf_counter() - start, 3)
            report["units"] = len(units)
            path = os.path.join(workdir, "roster.xlsx")
            params = {
                "rows": rows,
                "path": path,
                "units": units,
                "ranks": ranks,
                "root_path": root.path,
                "export_path": os.path.join(workdir, "export.xlsx"),
            }
            for phase in PHASES:
                self._progress(options, f"{phase} ...")
                report["phases"][phase] = run(phase, params)
                if phase == "generate" and options["keep"]:
                    shutil.copyfile(path, options["keep"])
                    report["kept_file"] = options["keep"]
            failure = self._check(report, rows)
        finally:
            try:
                if root is not None:
                    self._progress(options, "cleanup ...")
                    start = time.perf_counter()
                    report["cleanup"] = {"deleted": delete_bench_data(root.path)}
                    report["cleanup"]["seconds"] = round(time.perf_counter() - start, 3)
            finally:
                shutil.rmtree(workdir, ignore_errors=True)
                if previous_sigterm is not None:
                    signal.signal(signal.SIGTERM, previous_sigterm)
        report["clean"] = (
            not Unit.objects.filter(code__startswith=BENCH_CODE).exists()
            and not Cadre.objects.filter(id_number__startswith=ID_PREFIX).exists()
            and Unit.objects.count() == counts_before["units"]
        )
        report["main_process_peak_rss_mb"] = round(peak_rss_mb(), 1)

        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False))
        else:
            self.stdout.write(format_report(report))
        if failure:
            raise CommandError(failure)

    def _progress(self, options, message):
        if not options["json"] and options["verbosity"] >= 1:
            self.stderr.write(message)

    @staticmethod
    def _check(report, rows):
        phases = report["phases"]
        for phase, expect in (("import", "created"), ("reimport", "unchanged")):
            result = phases[phase]["result"]
            if result["errors"]:
                return f"{phase}: {result['errors']} errors, e.g. {result['first_errors']}"
            if result[expect] != rows:
                return f"{phase}: expected {expect} == {rows}, got {result}"
        if phases["export"]["count"] != rows:
            return f"export: expected {rows} cadres, got {phases['export']['count']}"
        return None


def format_report(report):
    def num(value, fmt):
        return format(value, fmt) if value is not None else "-"

    lines = [
        (
            f"bench-import  rows={report['rows']}  db={report['database']} ({report['database_name']})  "
            f"cpus={report['cpus']}  mode={report['mode']}  {report['date']}"
        ),
        "",
        f"{'phase':<10}{'seconds':>10}{'rows/s':>10}{'peak RSS MB':>13}{'+peak MB':>10}  detail",
        "-" * 72,
    ]
    for name, phase in report["phases"].items():
        if "result" in phase:
            r = phase["result"]
            detail = f"created {r['created']}, updated {r['updated']}, unchanged {r['unchanged']}, errors {r['errors']}"
        elif name == "export":
            detail = f"{phase['count']} cadres, {phase['file_bytes'] / 2**20:.1f} MiB"
        else:
            detail = f"{phase['file_bytes'] / 2**20:.1f} MiB"
        lines.append(
            f"{name:<10}{phase['seconds']:>10.2f}{num(phase['rows_per_second'], ','):>10}"
            f"{phase['peak_rss_mb']:>13.1f}{phase['peak_rss_increase_mb']:>10.1f}  {detail}"
        )
    cleanup = report.get("cleanup", {})
    lines += [
        "-" * 72,
        (
            f"setup {report.get('setup_seconds', 0):.2f} s ({report.get('units', 0)} units), "
            f"cleanup {cleanup.get('seconds', 0):.2f} s {cleanup.get('deleted', {})}, "
            f"database clean afterwards: {'yes' if report['clean'] else 'NO'}"
        ),
        f"main process peak RSS {report['main_process_peak_rss_mb']:.1f} MB"
        + ("" if report["mode"] == "in-process" else " (phases measured in their own child processes)"),
    ]
    return "\n".join(lines)
