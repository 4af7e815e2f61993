"""A large synthetic registry for benchmarks: a few thousand units, any number of cadres and clues.

Built for speed: tree paths are computed here instead of through treebeard's one-node-at-a-
time API, units go in with ``bulk_create``, cadres and clues in batches of plain INSERTs
(COPY on PostgreSQL), all in one transaction.
"""

import contextlib
import datetime
import itertools
import random
import time

from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from tanhua.clues import search
from tanhua.clues.models import Category, Clue, Disposition, Source
from tanhua.clues.services import number_for
from tanhua.db import insert_rows
from tanhua.registry.models import (
    Cadre,
    CadreStatus,
    PostHistory,
    Unit,
    UnitKind,
    UnitTag,
)
from tanhua.timelimits import half_way

from . import people
from .city import DEMO_USERS, TAGS, DemoError, ensure_ranks, wipe_registry
from .clues import SOURCES_WEIGHTED

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


def unsaved_user(unit, username, role_code):
    """A user with one default role, not saved: benchmarks leave nothing behind.

    Call it for each run: the scope is cached on the user object.
    """
    from django.contrib.auth import get_user_model
    from django.core.management.base import CommandError

    from tanhua.accounts.models import Role

    role = Role.objects.filter(code=role_code).first()
    if role is None:
        raise CommandError(f"没有角色 {role_code},请先运行 tanhua migrate")
    user = get_user_model()(username=username, full_name=username, unit=unit, is_active=True)
    user._tanhua_roles = [role]
    return user


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


def load_bench(cadres, seed=1, *, clues=0, force=False, batch_size=5000, stdout=None, today=None):
    """Write ``cadres`` synthetic cadres in about cadres/60 units, and ``clues`` clues about them;
    returns counts and timings.

    Refuses (:class:`DemoError`) when cadres exist, unless ``force`` (which wipes the registry
    and the clues).
    """
    started = time.perf_counter()
    rng = random.Random(seed)
    today = today or timezone.localdate()
    with transaction.atomic():
        existing = Cadre.objects.count()
        if existing:
            if not force:
                raise DemoError(f"数据库中已有{existing}名干部,基准数据只能装入没有干部的数据库;如确需清空,请加 --force。")
            _delete_bench_clues()
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
        cadres_done = time.perf_counter()
        clues_written = load_bench_clues(clues, rng, batch_size=batch_size, stdout=stdout, today=today) if clues else 0
        clues_done = time.perf_counter()
    # Fresh statistics, or PostgreSQL plans the roster's first page as a scan and sort of
    # every row until autovacuum gets round to the new table. On PostgreSQL VACUUM too (not
    # possible inside a transaction, as in tests): it sets the visibility map and hint bits
    # that the first timed runs on a million fresh clues would otherwise pay for.
    vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
    finished = time.perf_counter()
    return {
        "seed": seed,
        "units": len(units),
        "cadres": written,
        "post_histories": written,
        "clues": clues_written,
        "seconds": round(finished - started, 2),
        "unit_seconds": round(units_done - started, 2),
        "cadre_seconds": round(cadres_done - units_done, 2),
        "clue_seconds": round(clues_done - cadres_done, 2),
        "analyze_seconds": round(finished - clues_done, 2),
    }


# Problem clues. Each matter has summaries and wordings (a letter, a hotline call, an inspection
# finding); the details filled in (people, places, firms, villages, projects, sums, plates) vary
# so that, as in real registers, a matter's stock phrases are common and its details rare.
CLUE_MATTERS = [
    ("奢靡之风", ["违规接受管理服务对象宴请", "接受企业老板宴请", "违规吃喝"], [
        ("反映{unit}{post}{name}于{date}晚在{place}接受{company}负责人宴请,席间饮用高档白酒,费用由企业支付,"
         "此类宴请今年以来已有{count}次。"),
        "来电称{unit}的{name}经常被{company}老板请吃饭,在{place}吃喝,喝的是好酒,老板买单。",
        "明察暗访发现{date}晚{plate}公务车辆停放于{place}门口,经查系{unit}{post}{name}参加{company}安排的宴请。",
    ]),
    ("奢靡之风", ["违规发放津补贴", "巧立名目发放福利"], [
        "反映{unit}以加班费、值班补助等名义违规发放津补贴,年底人均领取{money}元,经{post}{name}签批。",
        "审计发现{unit}{year}年在“会议费”科目中列支职工福利{amount}万元,发放购物卡{count}张。",
    ]),
    ("享乐主义", ["公车私用", "违规使用公务用车"], [
        ("反映{unit}{post}{name}多次在周末驾驶单位公务用车(车牌{plate})接送子女上下辅导班,并开公车到外地游玩,"
         "车辆停放在其居住小区内。"),
        "群众来电:车牌{plate}的公车周末停在{name}家小区,{name}开着公车送孩子上辅导班、出去玩。",
    ]),
    ("享乐主义", ["违规出入私人会所", "工作日到高档娱乐场所"], [
        "反映{unit}{post}{name}经常出入{place},与{company}老板打牌娱乐,消费由老板承担。",
        "网络举报称,{date}{unit}{name}在{place}唱歌到深夜,陪同人员为{company}员工。",
    ]),
    ("廉洁纪律", ["借子女婚礼收受礼金", "借操办婚丧喜庆事宜敛财"], [
        ("反映{unit}{post}{name}为其{relative}操办婚礼,在{place}宴请{tables}余桌,收受辖区企业主和下属礼金,"
         "{company}负责人送礼金{money}元。"),
        "群众反映{name}家里办酒摆了{tables}多桌,收了很多老板和下属的礼金,{company}送了{money}元。",
    ]),
    ("廉洁纪律", ["亲属承揽工程项目", "利用职权为亲属谋利"], [
        ("反映{unit}{post}{name}的{relative}承接{village}{project},合同金额{amount}万元,未经公开招标,"
         "工程质量差,完工半年即出现问题。"),
        "来信反映{village}{project}由{name}的{relative}挂靠{company}承建,{name}多次打招呼,验收走过场。",
    ]),
    ("廉洁纪律", ["收受管理服务对象财物", "收受购物卡"], [
        "反映{unit}{post}{name}在{date}前后收受{company}所送购物卡{money}元,为该公司在项目审批中提供便利。",
        "举报称{company}为承揽{village}{project},向{unit}{name}送现金{amount}万元。",
    ]),
    ("群众纪律", ["扶贫补助发放优亲厚友", "惠民资金优亲厚友"], [
        ("反映{unit}在发放{subsidy}时优亲厚友,{village}部分不符合条件的村干部亲属领取了补助,"
         "真正困难的农户没有享受到。"),
        "来电:{village}的{subsidy}发给了村干部的亲戚,困难户反而没有,希望查一查。",
    ]),
    ("群众纪律", ["侵占群众利益", "截留群众补偿款"], [
        "反映{village}村干部截留征地补偿款{amount}万元,至今未发放到户,{unit}{post}{name}知情不管。",
        "群众反映{village}{project}拆迁补偿不公开,每户少发{money}元,多次到{unit}反映无果。",
    ]),
    ("形式主义", ["填表报数过多加重基层负担", "督查检查考核过多过频"], [
        "反映{unit}要求各村(社区)每周报送各类台账和工作信息,同一事项多头重复报送,层层加码,村干部大量时间用于整理材料。",
        "基层反映{unit}今年以来开展各类检查{count}次,要求{village}等村准备迎检材料,影响正常工作。",
    ]),
    ("官僚主义", ["群众办事推诿扯皮", "服务窗口作风不实"], [
        "反映{unit}窗口工作人员在办理不动产登记时推诿扯皮,群众往返{count}次仍未办结,负责人{name}对群众投诉不予理睬。",
        "12345热线:在{unit}办证跑了{count}趟还没办好,找{name}也不管。",
    ]),
    ("官僚主义", ["对群众反映问题敷衍塞责", "落实整改不到位"], [
        "反映{village}{project}存在质量问题,群众多次向{unit}反映,{post}{name}只批转不督办,问题至今未解决。",
    ]),
    ("工作纪律", ["工作时间打牌", "上班期间脱岗"], [
        "反映{unit}部分工作人员工作日下午在办公室打牌,{post}{name}知情不管。",
        "明察暗访发现{date}上午{unit}办公室无人值守,工作人员在{place}喝茶打牌。",
    ]),
    ("工作纪律", ["违规插手干预工程招投标", "违规干预市场经济活动"], [
        "反映{unit}{post}{name}违规打招呼,要求{village}{project}由{company}中标,中标价高出预算{amount}万元。",
    ]),
    ("组织纪律", ["干部选拔任用程序不规范", "违规提拔亲属"], [
        "反映{unit}在提拔股级干部时未按规定进行民主推荐和考察,{post}{name}的{relative}被提拔。",
        "来信称{unit}{year}年招聘编外人员{count}名,其中多人系{name}等领导干部的亲属。",
    ]),
    ("组织纪律", ["不如实报告个人有关事项", "隐瞒个人有关事项"], [
        "反映{unit}{post}{name}在{city}有住房多套未如实报告,其{relative}在{company}持有股份。",
    ]),
    ("生活纪律", ["生活作风问题", "不良生活作风"], [
        "反映{unit}{post}{name}长期在外与他人同居,造成不良影响。",
        "群众反映{name}经常深夜出入{place},生活奢靡,与身份不符。",
    ]),
    ("政治纪律", ["落实上级决策部署打折扣", "搞上有政策下有对策"], [
        "反映{unit}对秸秆禁烧、河道“清四乱”等工作部署只开会发文不抓落实,检查前临时突击应付。",
        "巡察发现{unit}对{village}{project}中的问题整改不力,{post}{name}以文件落实整改。",
    ]),
]
# Who "反映" (reports): put before wordings that start with it.
CLUE_OPENINGS = ["", "", "", "群众来信", "来访群众", "网络举报", "12345热线转办件", "有群众"]
CLUE_CLOSINGS = ["", "请组织调查核实。", "希望纪委严肃查处。", "以上情况群众反映强烈。", "举报人称可提供相关照片。",
                 "该情况已持续较长时间。"]
PLACE_AREAS = ["城东", "城西", "城南", "城北", "开发区", "高铁站旁", "滨河路", "老街", "新城", "工业园区", "湖滨", "火车站附近"]
PLACE_BRANDS = ["聚贤", "御膳", "福满", "金港", "悦来", "鸿运", "同福", "四季", "江南", "渔家", "乡里", "翠竹", "金色",
                "皇冠", "锦江", "香格", "盛世", "和顺", "好运", "百味", "天香", "龙门", "桃源", "湘味"]
PLACE_KINDS = ["酒楼", "大酒店", "农家乐", "私人会所", "茶楼", "KTV", "宾馆", "山庄", "土菜馆", "洗浴中心", "食府", "度假村"]
FIRM_WORDS = ["宏远", "恒达", "鑫源", "通达", "绿源", "华宇", "金盛", "天宇", "永顺", "中信达", "博远", "瑞丰", "恒泰", "隆基",
              "润发", "兴旺", "嘉禾", "万通", "诚信", "东方", "振华", "腾飞", "富民", "安泰", "汇丰源", "明珠", "新世纪", "天诚",
              "广厦", "银河"]
FIRM_TRADES = ["建设", "置业", "建材", "物流", "农业开发", "环保科技", "市政工程", "劳务派遣", "餐饮管理", "物业服务", "医疗器械",
               "信息技术", "园林绿化", "石材", "汽车销售", "房地产开发", "水利工程", "商贸", "装饰工程", "交通工程"]
VILLAGE_FIRST = ["柳", "河", "大王", "新", "石", "东湖", "李", "张", "杨", "黄", "高", "白", "青", "桃", "马", "刘", "陈", "周",
                 "吴", "徐"]
VILLAGE_SECOND = ["桥", "西", "庄", "民", "湾", "店", "集", "岗", "圩", "塘", "埠", "营", "楼", "坝", "寨", "家"]
RELATIVES = ["妻子", "妻弟", "儿子", "女儿", "女婿", "弟弟", "侄子", "表弟", "小舅子", "妹夫", "岳父"]
PROJECTS = ["道路硬化工程", "排水管网改造工程", "农村饮水安全工程", "高标准农田建设项目", "河道清淤工程", "老旧小区改造项目",
            "路灯安装工程", "文化广场建设项目", "污水处理站建设工程", "校舍维修工程", "安置房建设项目", "美丽乡村建设项目"]
SUBSIDIES = ["产业扶贫补助", "低保金", "危房改造补助", "耕地地力保护补贴", "养老保险补贴", "临时救助金", "退耕还林补助",
             "农机购置补贴"]
CITIES = ["南京", "苏州", "上海", "杭州", "无锡", "海南三亚"]
UNIT_ONLY_NAMES = ["主要负责人", "分管领导", "部分工作人员", "相关负责人"]
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
# How clues of each state were disposed of: (disposition, weight).
OPEN_DISPOSITIONS = [(Disposition.INQUIRY, 45), (Disposition.VERIFY, 35), (Disposition.SHELVE, 20)]
CLOSED_DISPOSITIONS = [(Disposition.CLOSE, 35), (Disposition.INQUIRY, 30), (Disposition.VERIFY, 25), (Disposition.CASE, 10)]
REASONS = {
    Disposition.INQUIRY: "反映问题较为具体,但情节较轻,拟采取谈话函询方式处置。",
    Disposition.VERIFY: "反映问题具体、可查性强,拟进行初步核实。",
    Disposition.SHELVE: "反映问题具有一定可查性,但由于时机、现有条件等原因暂不具备核查条件,暂存待查。",
    Disposition.CLOSE: "反映问题线索笼统、缺乏可查性,予以了结。",
    Disposition.CASE: "经初步核实,涉嫌严重违纪违法,拟立案审查调查。",
}
OUTCOMES = {
    Disposition.INQUIRY: "经谈话函询,本人作出书面说明,反映问题基本不属实,予以了结澄清。",
    Disposition.VERIFY: "经初步核实,反映问题部分属实,对相关责任人进行批评教育。",
    Disposition.CLOSE: "反映问题缺乏可查性,予以了结。",
    Disposition.CASE: "已移送审查调查部门立案审查。",
}
FORMS = {Disposition.INQUIRY: [(None, 2), (1, 8)], Disposition.VERIFY: [(None, 3), (1, 4), (2, 3)],
         Disposition.CLOSE: [(None, 1)], Disposition.CASE: [(3, 6), (4, 4)]}
CLUE_YEARS = 3


def _clue_status(rng, age):
    """A clue's status by its age in days: recent ones wait, old ones are mostly closed."""
    roll = rng.random()
    if age <= 10:
        return Clue.Status.PENDING if roll < 0.85 else Clue.Status.HANDLING
    if age <= 60:
        return Clue.Status.PENDING if roll < 0.1 else Clue.Status.HANDLING if roll < 0.65 else Clue.Status.CLOSED
    if age <= 365:
        return Clue.Status.PENDING if roll < 0.02 else Clue.Status.HANDLING if roll < 0.2 else Clue.Status.CLOSED
    return Clue.Status.HANDLING if roll < 0.02 else Clue.Status.CLOSED


class _Facts(dict):
    """The details a wording needs, drawn when it asks for them: most use four or five of them,
    and drawing all of them for every clue doubled the generation time."""

    def __init__(self, rng, received, **known):
        super().__init__(known)
        self.rng, self.received = rng, received

    def __missing__(self, key):
        rng = self.rng
        if key == "place":
            value = rng.choice(PLACE_AREAS) + rng.choice(PLACE_BRANDS) + rng.choice(PLACE_KINDS)
        elif key == "company":
            value = ("基准市" if rng.random() < 0.3 else "") + rng.choice(FIRM_WORDS) + rng.choice(FIRM_TRADES) + "有限公司"
        elif key == "village":
            value = rng.choice(VILLAGE_FIRST) + rng.choice(VILLAGE_SECOND) + "村"
        elif key == "plate":
            value = f"苏E{rng.choice(PLATE_LETTERS)}{rng.randrange(10000):04d}"
        elif key in ("date", "year"):
            when = self.received - datetime.timedelta(days=rng.randint(1, 40))
            self["date"], self["year"] = f"{when.month}月{when.day}日", when.year
            return self[key]
        elif key in _FACT_RANGES:
            low, high, step = _FACT_RANGES[key]
            value = rng.randint(low, high) * step
        else:
            value = rng.choice(_FACT_LISTS[key])
        self[key] = value
        return value


def _picker(rng, pairs):
    """``people.weighted`` for one list of ``(item, weight)`` pairs, with the sums done once."""
    items, cumulative = [p[0] for p in pairs], list(itertools.accumulate(p[1] for p in pairs))
    return lambda: rng.choices(items, cum_weights=cumulative)[0]


_FACT_LISTS = {"relative": RELATIVES, "project": PROJECTS, "subsidy": SUBSIDIES, "city": CITIES}
_FACT_RANGES = {"count": (2, 30, 1), "tables": (10, 60, 1), "money": (2, 100, 1000), "amount": (3, 800, 1)}


class _ClueWriter:
    """Clue rows as database column values: the derived columns (number, unit_path, warn_on)
    computed here, as Clue.save() would."""

    def __init__(self, rng, today):
        self.rng, self.today = rng, today
        self.tz = timezone.get_current_timezone()
        self.offsets = {}
        # SQLite stores UTC as text; PostgreSQL takes aware datetimes.
        self.aware = connection.vendor != "sqlite"
        self.limit = datetime.timedelta(days=settings.TANHUA_CLUE_TIME_LIMIT_DAYS)
        self.units = {u.pk: u for u in Unit.objects.only("code", "path", "name")}
        cadres = list(Cadre.objects.order_by("id").values_list("id", "name", "post", "unit_id", "is_unit_head",
                                                              "rank_order"))
        # Clues are mostly about leading cadres: unit heads and the upper third of ranks.
        orders = sorted(c[5] for c in cadres)
        cut = orders[len(orders) * 2 // 3] if orders else 0
        self.leaders = [c for c in cadres if c[4] or c[5] > cut] or cadres
        self.cadres = cadres
        self.sources = {s.name: s.pk for s in Source.objects.all()}
        self.source = _picker(rng, [(self.sources[name], w) for name, w in SOURCES_WEIGHTED if name in self.sources])
        self.disposition = {Clue.Status.HANDLING: _picker(rng, OPEN_DISPOSITIONS),
                            Clue.Status.CLOSED: _picker(rng, CLOSED_DISPOSITIONS)}
        self.form = {d: _picker(rng, pairs) for d, pairs in FORMS.items()}
        self.categories = {c.name: c.pk for c in Category.objects.all()}
        self.seqs = {}

    def _at(self, day):
        """A moment in the working hours of ``day``, as the database column wants it."""
        offset = self.offsets.get(day)
        if offset is None:
            offset = self.offsets[day] = self.tz.utcoffset(datetime.datetime.combine(day, datetime.time(12)))
        # Django's adapt_datetimefield_value did the same for a tenth of the generation time.
        moment = datetime.datetime.combine(day, datetime.time(8)) + datetime.timedelta(
            minutes=self.rng.randrange(600)) - offset
        return moment.replace(tzinfo=datetime.UTC) if self.aware else str(moment)

    def row(self, received):
        rng = self.rng
        cadre = rng.choice(self.leaders if rng.random() < 0.6 else self.cadres)
        unit = self.units[cadre[3]]
        unit_only = rng.random() < 0.1
        category, summaries, wordings = rng.choice(CLUE_MATTERS)
        year = received.year
        seq = self.seqs[unit.pk, year] = self.seqs.get((unit.pk, year), 0) + 1
        facts = _Facts(rng, received, unit=unit.name, post="" if unit_only else cadre[2].split("、")[-1],
                       name=rng.choice(UNIT_ONLY_NAMES) if unit_only else cadre[1])
        content = rng.choice(wordings).format_map(facts)
        if content.startswith("反映"):
            content = rng.choice(CLUE_OPENINGS) + content
        content += rng.choice(CLUE_CLOSINGS)
        summary = rng.choice(summaries)
        if rng.random() < 0.3:
            summary = f"{facts['unit']}{facts['post']}{facts['name']}{summary}"[:200]
        due = received + self.limit
        if rng.random() < 0.15:
            due += datetime.timedelta(days=rng.choice((30, 60)))  # 延期
        age = (self.today - received).days
        status = _clue_status(rng, age)
        disposition, disposed_at, closed_at, outcome_form, outcome = "", None, None, None, ""
        if status != Clue.Status.PENDING:
            disposition = self.disposition[status]()
            disposed = min(self.today, received + datetime.timedelta(days=rng.randint(1, 20)))
            disposed_at = self._at(disposed)
            if status == Clue.Status.CLOSED:
                closed_at = self._at(min(self.today, disposed + datetime.timedelta(days=rng.randint(5, 90))))
                outcome_form = self.form[disposition]()
                outcome = OUTCOMES[disposition]
        return {
            "number": number_for(unit, year, seq), "year": year, "seq": seq,
            "source_id": self.source(), "received_on": received,
            "cadre_id": None if unit_only else cadre[0], "unit_id": unit.pk, "unit_path": unit.path,
            "category_id": self.categories[category], "summary": summary, "content": content,
            # Anonymous: encrypting a million reporters is not what the benchmark measures.
            "reporter_anonymous": True, "reporter_name_sealed": "", "reporter_contact_sealed": "",
            "handling_unit_id": None, "handler_id": None, "due_on": due, "warn_on": half_way(received, due),
            # Plain strings: psycopg would write an Enum member's name, not its value.
            "status": str(status), "disposition": str(disposition),
            "disposition_reason": REASONS[disposition] if disposition else "", "disposed_by_id": None,
            "disposed_at": disposed_at, "outcome_form": outcome_form, "outcome": outcome, "closed_at": closed_at,
            "created_by_id": None, "created_at": self._at(received),
        }


def load_bench_clues(count, rng, *, batch_size=5000, stdout=None, today=None):
    """Write ``count`` clues about the cadres and units in the database, received over the last
    three years in date order (numbers and ids grow with time, as in a real register); returns
    the number written. Call inside a transaction: the search index is rebuilt at the end.
    """
    today = today or timezone.localdate()
    writer = _ClueWriter(rng, today)
    days = sorted((rng.randrange(CLUE_YEARS * 365) for _ in range(count)), reverse=True)
    written, reported = 0, 0
    with _search_index_rebuilt(stdout):
        while written < count:
            chunk = days[written:written + batch_size]
            insert_rows(Clue, [writer.row(today - datetime.timedelta(days=d)) for d in chunk])
            written += len(chunk)
            if stdout is not None and written - reported >= 50000:
                stdout.write(f"  已写入 {written}/{count} 条线索")
                reported = written
    return written


@contextlib.contextmanager
def _search_index_rebuilt(stdout=None):
    """Build the clue search index once after the rows are in, not row by row.

    PostgreSQL: the pg_trgm GIN indexes are dropped and created again (a million clues: about
    a minute to build, against four kept up to date through COPY). SQLite: the insert trigger
    is set aside and the FTS5 index rebuilt in one pass. Both are taken from the database as
    the migration made them, and put back in the same transaction (on an error, the rollback
    puts them back).
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname = ANY(%s)",
                           [Clue._meta.db_table, list(search.POSTGRES_INDEXES)])
            saved = cursor.fetchall()
            for name, _sql in saved:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        elif connection.vendor == "sqlite":
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name = %s",
                           ["clue_fts_insert"])
            saved = cursor.fetchall()
            for name, _sql in saved:
                cursor.execute(f"DROP TRIGGER {connection.ops.quote_name(name)}")
        else:
            saved = []
    yield
    if stdout is not None and saved:
        stdout.write("  正在建立线索全文检索索引")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The deferred foreign-key checks first: CREATE INDEX refuses a table with pending ones.
            connection.check_constraints()
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        elif saved:
            cursor.execute(f"INSERT INTO {search.FTS_TABLE}({search.FTS_TABLE}) VALUES ('rebuild')")
        for _name, sql in saved:
            cursor.execute(sql)


def _referencing(models):
    """``models`` and every model that refers to one of them, recursively: TRUNCATE must take all
    of a table's referrers with it (they are checked to be empty first)."""
    found, todo = set(), list(models)
    while todo:
        model = todo.pop()
        if model in found:
            continue
        found.add(model)
        todo += [f.related_model for f in model._meta.get_fields(include_hidden=True)
                 if f.auto_created and not f.concrete and (f.one_to_many or f.one_to_one or f.many_to_many)
                 and f.related_model is not None]
    return found


def _delete_bench_clues():
    """Delete all clues quickly when nothing refers to them (history, attachments, inquiries ...).

    Django's delete loads every clue to cascade, which takes minutes after a million-clue
    benchmark; generated clues have nothing attached, so one DELETE does. Otherwise
    wipe_registry() deletes them the careful way (attachment files included).
    """
    # Hidden ones too: a duplicate suggestion's foreign keys have no reverse name.
    refs = [f for f in Clue._meta.get_fields(include_hidden=True)
            if f.auto_created and not f.concrete and (f.one_to_many or f.one_to_one)]
    for rel in refs:
        if rel.related_model._base_manager.filter(**{f"{rel.field.name}__isnull": False}).exists():
            return
    with connection.cursor() as cursor:
        others = _referencing({rel.related_model for rel in refs})
        if connection.vendor == "postgresql" and not any(m._base_manager.exists() for m in others):
            # TRUNCATE, not DELETE: a million dead rows left behind doubled the table and made the
            # next load half as fast again. The deferred foreign-key checks must be done first.
            connection.check_constraints()
            tables = [Clue._meta.db_table, *sorted(m._meta.db_table for m in others)]
            cursor.execute("TRUNCATE " + ", ".join(connection.ops.quote_name(t) for t in tables))
            return
        saved = []
        if connection.vendor == "sqlite":
            # The delete trigger takes each clue out of the FTS5 index in turn (2½ minutes for a
            # million); with every clue going, the index is emptied at once instead.
            cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = %s", ["clue_fts_delete"])
            saved = [row[0] for row in cursor.fetchall()]
            if saved:
                cursor.execute("DROP TRIGGER clue_fts_delete")
                cursor.execute(f"INSERT INTO {search.FTS_TABLE}({search.FTS_TABLE}) VALUES ('delete-all')")
        Clue.objects.all()._raw_delete(connection.alias)
        for sql in saved:
            cursor.execute(sql)
