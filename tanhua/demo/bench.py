"""A large synthetic registry for benchmarks: a few thousand units and any number of cadres.

Built for speed: tree paths are computed here instead of through treebeard's one-node-at-a-
time API, units go in with ``bulk_create`` and cadres in batches of plain INSERTs, all in
one transaction.
"""

import datetime
import random
import time

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from tanhua.db import insert_rows
from tanhua.registry.models import (
    Cadre,
    CadreStatus,
    PostHistory,
    Unit,
    UnitKind,
    UnitTag,
)

from . import people
from .city import DEMO_USERS, TAGS, DemoError, ensure_ranks, wipe_registry

HEAD_POSTS = {UnitKind.CITY: "市委书记", UnitKind.COUNTY: "县委书记", UnitKind.DEPARTMENT: "党组书记、局长",
              UnitKind.TOWN: "党委书记", UnitKind.OTHER: "主任"}
DEPUTY_POSTS = {UnitKind.CITY: "副市长", UnitKind.COUNTY: "副县长", UnitKind.DEPARTMENT: "副局长",
                UnitKind.TOWN: "副镇长", UnitKind.OTHER: "副主任"}
HEAD_RANKS = {1: "正厅级", 2: "正处级", 3: "正科级", 4: "副科级"}
# Ranks of the other cadres by unit depth: (rank, weight).
OTHER_RANKS = {
    1: [("副厅级", 6), ("二级巡视员", 1), ("正处级", 2)],
    2: [("副处级", 6), ("正科级", 3), ("四级调研员", 1), ("二级调研员", 1)],
    3: [("副科级", 5), ("正科级", 2), ("一级主任科员", 1), ("三级主任科员", 1)],
    4: [("副科级", 5), ("四级主任科员", 1), ("二级主任科员", 1)],
}
SENSITIVE = ["执纪执法", "干部人事", "审计", "项目审批", "资金管理"]
EDUCATIONS = [("大学", 50), ("硕士研究生", 20), ("研究生", 12), ("中央党校研究生", 10), ("大专", 5), ("博士研究生", 3)]


def _unit_prefix():
    prefix, n = "BENCH-", 1
    while Unit.objects.filter(code__startswith=prefix).exists():
        n += 1
        prefix = f"BENCH{n}-"
    return prefix


def _shape(count):
    """Number of units on depths 2, 3 and 4 under one root, about ``count`` in all."""
    rest = count - 1
    second = max(2, min(rest, round(rest**0.5 / 2)))
    third = round((rest - second) * 0.6)
    return second, third, rest - second - third


def build_units(count, rng, tags):
    """Create a 4-level tree of about ``count`` units with paths computed here; returns them."""
    last_root = Unit.objects.filter(depth=1).order_by("-path").only("path").first()
    root_path = Unit._get_path(None, 1, Unit._str2int(last_root.path) + 1 if last_root else 1)
    prefix = _unit_prefix()
    second, third, fourth = _shape(count)

    root = Unit(path=root_path, depth=1, numchild=0, code=f"{prefix}000000", name="基准市", short_name="基准市",
                kind=UnitKind.CITY)
    units = [root]

    def child(parent, kind, name):
        parent.numchild += 1
        unit = Unit(path=Unit._get_path(parent.path, parent.depth + 1, parent.numchild), depth=parent.depth + 1,
                    numchild=0, code=f"{prefix}{len(units):06d}", name=name, short_name=name[-40:], kind=kind)
        units.append(unit)
        return unit

    level2 = []
    for i in range(second):
        county = i % 3 != 2
        kind, name = (UnitKind.COUNTY, f"第{i + 1}县") if county else (UnitKind.DEPARTMENT, f"第{i + 1}局")
        level2.append(child(root, kind, name))
    level3 = []
    for j in range(third):
        parent = level2[j % second]
        if parent.kind == UnitKind.COUNTY and j % 2:
            level3.append(child(parent, UnitKind.TOWN, f"{parent.name}第{parent.numchild + 1}镇"))
        else:
            level3.append(child(parent, UnitKind.OTHER, f"{parent.name}第{parent.numchild + 1}科"))
    for k in range(fourth):
        parent = level3[k % len(level3)]
        child(parent, UnitKind.OTHER, f"{parent.name}第{parent.numchild + 1}所")

    Unit.objects.bulk_create(units, batch_size=2000)
    Through = Unit.tags.through
    tag_list = list(tags.values())
    Through.objects.bulk_create(
        [Through(unit=u, unittag=rng.choice(tag_list)) for u in units if rng.random() < 0.25], batch_size=5000
    )
    return units


def _cadre(rng, unit, head, ranks, today, taken_ids, first_day, last_day, regions):
    """One cadre as database column values (attnames)."""
    depth = min(unit.depth, 4)
    if head:
        rank, post = HEAD_RANKS[depth], HEAD_POSTS[unit.kind]
    else:
        rank = people.weighted(rng, OTHER_RANKS[depth])
        post = rank if ranks[rank].track == "职级" else DEPUTY_POSTS[unit.kind]
    male = rng.random() < 0.75
    birth = datetime.date.fromordinal(rng.randint(first_day, last_day))
    work_start = datetime.date(birth.year + rng.randint(21, 25), 7, 1)
    r = rng.random()
    days = rng.randint(1860, 3300) if r < 0.15 else rng.randint(20, 330) if r < 0.3 else rng.randint(366, 1825)
    post_since = max(today - datetime.timedelta(days=days), work_start)
    rank_since = post_since
    if rng.random() < 0.3:
        rank_since = max(post_since - datetime.timedelta(days=rng.randint(200, 1500)), work_start)
    party = rng.random() < 0.93
    status = rng.random()
    return {
        "name": people.person_name(rng, "男" if male else "女"),
        "gender": "男" if male else "女",
        "ethnicity": "汉族" if rng.random() < 0.95 else "回族",
        "birth_date": birth,
        "native_place": "江苏太仓",
        "political_status": "中共党员" if party else "无党派人士",
        "party_join_date": datetime.date(birth.year + rng.randint(19, 28), rng.randint(1, 12), 1) if party else None,
        "work_start_date": work_start,
        "education": people.weighted(rng, EDUCATIONS),
        "id_number": people.id_number(rng, rng.choice(regions), birth, male, taken_ids),
        "unit_id": unit.pk,
        "unit_path": unit.path,
        "post": post,
        "rank_id": ranks[rank].pk,
        "rank_order": ranks[rank].order,
        "post_since": post_since,
        "rank_since": rank_since,
        "is_unit_head": head,
        "is_party_gov_head": head or rng.random() < 0.05,
        "sensitive_post": rng.choice(SENSITIVE) if rng.random() < 0.1 else "",
        "phone": rng.choice(people.PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}",
        "remarks": "",
        "status": CadreStatus.ACTIVE if status < 0.97 else CadreStatus.RETIRED if status < 0.985 else CadreStatus.TRANSFERRED,
    }


def _next_id(model):
    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


def load_bench(cadres, seed=1, *, force=False, batch_size=5000, stdout=None, today=None):
    """Write ``cadres`` synthetic cadres in about cadres/60 units; returns counts and timings.

    Refuses (:class:`DemoError`) when cadres exist, unless ``force`` (which wipes the registry).
    """
    started = time.perf_counter()
    rng = random.Random(seed)
    today = today or timezone.localdate()
    with transaction.atomic():
        existing = Cadre.objects.count()
        if existing:
            if not force:
                raise DemoError(f"数据库中已有{existing}名干部,基准数据只能装入没有干部的数据库;如确需清空,请加 --force。")
            wipe_registry([u[0] for u in DEMO_USERS])
        ranks = ensure_ranks()
        tags = {name: UnitTag.objects.get_or_create(name=name)[0] for name in TAGS}
        units = build_units(max(4, round(cadres / 60)), rng, tags)
        units_done = time.perf_counter()

        first_day = datetime.date(1965, 1, 1).toordinal()
        last_day = datetime.date(1990, 12, 31).toordinal()
        regions = [code for _place, code, _w in people.NATIVE_PLACES]
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        # Explicit ids let the post history point at cadres without reading them back.
        cadre_id, history_id = _next_id(Cadre), _next_id(PostHistory)
        taken_ids = set()
        written = 0
        while written < cadres:
            rows, histories = [], []
            for i in range(written, min(written + batch_size, cadres)):
                # The first cadre of every unit is its head, so each unit has one.
                head = i < len(units)
                unit = units[i] if head else rng.choice(units)
                row = _cadre(rng, unit, head, ranks, today, taken_ids, first_day, last_day, regions)
                rows.append({"id": cadre_id, **row, "created_at": now, "updated_at": now})
                histories.append({
                    "id": history_id, "cadre_id": cadre_id, "unit_id": unit.pk, "unit_name": unit.name,
                    "post": row["post"], "rank_id": row["rank_id"], "start": row["post_since"], "end": None,
                })
                cadre_id += 1
                history_id += 1
            insert_rows(Cadre, rows)
            insert_rows(PostHistory, histories)
            written += len(rows)
            if stdout is not None and cadres > batch_size:
                stdout.write(f"  已写入 {written}/{cadres} 名干部")
        # PostgreSQL's id sequences do not see explicit ids; SQLite needs no reset.
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Cadre, PostHistory]):
                cursor.execute(sql)
    # Fresh statistics, or PostgreSQL plans the roster's first page as a scan and sort of
    # every row until autovacuum gets round to the new table.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    finished = time.perf_counter()
    return {
        "seed": seed,
        "units": len(units),
        "cadres": written,
        "post_histories": written,
        "seconds": round(finished - started, 2),
        "unit_seconds": round(units_done - started, 2),
        "cadre_seconds": round(finished - units_done, 2),
    }
