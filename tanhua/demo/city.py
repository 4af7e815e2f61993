"""The demo city 清河市: a fictional but realistic registry, generated from a seed.

:func:`generate_city` is pure (a seed and a date in, plain dicts out); :func:`load_demo`
writes its result into an empty database together with three demo logins.
"""

import datetime
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone

from tanhua.accounts import roles
from tanhua.accounts.models import Role
from tanhua.audit.services import record
from tanhua.registry.models import (
    Cadre,
    CadreStatus,
    PostHistory,
    Rank,
    Unit,
    UnitKind,
    UnitTag,
)
from tanhua.registry.ranks import RANKS, load_ranks

from . import people
from .people import add_years, month_start, weighted

DEMO_PASSWORD = "Demo@2026"
CITY = "清河市"
TAGS = ["权力集中", "资金密集", "社会关注度高", "重点任务", "扶贫任务"]

RANK_LEVEL = {name: level for name, level, _order, _track in RANKS}
GRADE_RANKS = {name for name, _level, _order, track in RANKS if track == "职级"}

# What a cadre's previous rank may have been; None is a 科员 without a leadership rank.
STEP_DOWN = {
    "正厅级": ["副厅级"],
    "副厅级": ["正处级"],
    "正处级": ["副处级"],
    "副处级": ["正科级"],
    "正科级": ["副科级"],
    "副科级": [None],
    "一级巡视员": ["二级巡视员", "正厅级"],
    "二级巡视员": ["正处级", "一级调研员"],
    "一级调研员": ["二级调研员", "正处级"],
    "二级调研员": ["三级调研员", "副处级", "正处级"],
    "三级调研员": ["四级调研员", "副处级"],
    "四级调研员": ["正科级", "一级主任科员"],
    "一级主任科员": ["二级主任科员", "正科级"],
    "二级主任科员": ["三级主任科员", "副科级"],
    "三级主任科员": ["四级主任科员", "副科级"],
    "四级主任科员": [None],
}

# Birth years by rank band: leaders reach a band at a typical age.
BIRTH_YEARS = {60: (1965, 1972), 50: (1966, 1976), 40: (1967, 1982), 30: (1968, 1986), 20: (1970, 1990), 10: (1975, 1990)}
GRADE_BIRTH_YEARS = {60: (1965, 1967), 50: (1965, 1968), 40: (1965, 1972), 30: (1965, 1976), 20: (1966, 1984), 10: (1972, 1990)}

# Staffing entries: (post, rank, role, sensitive post, count). Role "head" is the 一把手,
# "pgh" another 党政正职; count is (min, max) or the probability of one.
ROOT_STAFF = [
    ("市委书记", "正厅级", "head", "", 1),
    ("市委副书记、市长", "正厅级", "pgh", "", 1),
    ("市人大常委会主任", "正厅级", "", "", 1),
    ("市政协主席", "正厅级", "", "", 1),
    ("市委副书记", "副厅级", "", "", 1),
    ("市委常委、常务副市长", "副厅级", "", "", 1),
    ("市委常委、政法委书记", "副厅级", "", "", 1),
    ("市委常委、宣传部部长", "副厅级", "", "", 1),
    ("市委常委、秘书长", "副厅级", "", "", 1),
    ("副市长", "副厅级", "", "", (3, 4)),
    ("二级巡视员", "二级巡视员", "", "", 0.6),
]
JIWEI_STAFF = [
    ("市委常委、市纪委书记、市监委主任", "副厅级", "head", "执纪执法", 1),
    ("市纪委副书记、市监委副主任", "正处级", "", "执纪执法", (2, 3)),
    ("市纪委常委、市监委委员", "副处级", "", "执纪执法", (2, 3)),
    ("第一纪检监察室主任", "正科级", "", "执纪执法", 1),
    ("第二纪检监察室主任", "正科级", "", "执纪执法", 1),
    ("案件审理室主任", "正科级", "", "执纪执法", 0.7),
    ("党风政风监督室主任", "正科级", "", "", 1),
    ("办公室主任", "正科级", "", "", 1),
    ("一级调研员", "一级调研员", "", "", 0.5),
]
ZUZHI_STAFF = [
    ("市委常委、组织部部长", "副厅级", "head", "干部人事", 1),
    ("常务副部长", "正处级", "", "干部人事", 1),
    ("副部长", "副处级", "", "", 2),
    ("干部一科科长", "正科级", "", "干部人事", 1),
    ("干部监督科科长", "正科级", "", "", 0.6),
    ("办公室主任", "正科级", "", "", 1),
    ("四级调研员", "四级调研员", "", "", 0.5),
]

# (code, name, short name, head title, tags, extra staffing)
DEPARTMENTS = [
    ("FGW", "清河市发展和改革委员会", "市发改委", "主任", ["重点任务", "权力集中"], [("投资科科长", "正科级", "", "项目审批", 1)]),
    ("CZJ", "清河市财政局", "市财政局", "局长", ["资金密集"], [("国库科科长", "正科级", "", "资金管理", 1), ("预算科科长", "正科级", "", "", 0.5)]),
    ("ZRZY", "清河市自然资源和规划局", "市自然资源和规划局", "局长", ["权力集中", "资金密集"],
     [("用地审批科科长", "正科级", "", "项目审批", 1), ("执法监察支队支队长", "正科级", "", "执纪执法", 0.5)]),
    ("ZJJ", "清河市住房和城乡建设局", "市住建局", "局长", ["权力集中"], [("建筑市场监管科科长", "正科级", "", "项目审批", 1)]),
    ("JTJ", "清河市交通运输局", "市交通运输局", "局长", ["资金密集", "重点任务"], [("建设管理科科长", "正科级", "", "项目审批", 0.6)]),
    ("SLJ", "清河市水利局", "市水利局", "局长", ["资金密集"], [("规划建设科科长", "正科级", "", "", 0.6)]),
    ("NYNC", "清河市农业农村局", "市农业农村局", "局长", ["扶贫任务", "资金密集"], [("计划财务科科长", "正科级", "", "资金管理", 0.6)]),
    ("JYJ", "清河市教育局", "市教育局", "局长", ["社会关注度高"], [("基础教育科科长", "正科级", "", "", 0.6)]),
    ("WJW", "清河市卫生健康委员会", "市卫健委", "主任", ["社会关注度高"], [("医政医管科科长", "正科级", "", "", 0.6)]),
    ("MZJ", "清河市民政局", "市民政局", "局长", ["社会关注度高"], [("社会救助科科长", "正科级", "", "资金管理", 0.5)]),
    ("RSJ", "清河市人力资源和社会保障局", "市人社局", "局长", ["资金密集"], [("社会保险基金监督科科长", "正科级", "", "资金管理", 0.5)]),
    ("SCJ", "清河市市场监督管理局", "市市场监管局", "局长", ["权力集中", "社会关注度高"], [("执法稽查支队支队长", "正科级", "", "执纪执法", 1)]),
    ("SJJ", "清河市审计局", "市审计局", "局长", [], [("经济责任审计科科长", "正科级", "", "审计", 1), ("财政审计科科长", "正科级", "", "审计", 0.5)]),
    ("GAJ", "清河市公安局", "市公安局", "局长", ["权力集中", "社会关注度高"],
     [("刑事侦查支队支队长", "副处级", "", "执纪执法", 1), ("治安管理支队支队长", "正科级", "", "", 1), ("交通警察支队支队长", "副处级", "", "", 1)]),
    ("SFJ", "清河市司法局", "市司法局", "局长", [], []),
    ("STHJ", "清河市生态环境局", "市生态环境局", "局长", ["社会关注度高", "重点任务"], [("环境执法支队支队长", "正科级", "", "执纪执法", 0.5)]),
    ("SWJ", "清河市商务局", "市商务局", "局长", ["重点任务"], []),
    ("WGL", "清河市文化广电和旅游局", "市文广旅局", "局长", [], []),
    ("YJJ", "清河市应急管理局", "市应急管理局", "局长", ["重点任务"], [("安全生产执法支队支队长", "正科级", "", "", 0.5)]),
    ("TYJR", "清河市退役军人事务局", "市退役军人事务局", "局长", [], []),
    ("YBJ", "清河市医疗保障局", "市医保局", "局长", ["资金密集", "社会关注度高"], [("基金监管科科长", "正科级", "", "资金管理", 1)]),
    ("TJJ", "清河市统计局", "市统计局", "局长", [], []),
    ("XFJ", "清河市信访局", "市信访局", "局长", ["社会关注度高"], []),
    ("XZSP", "清河市行政审批局", "市行政审批局", "局长", ["权力集中"], [("投资项目审批科科长", "正科级", "", "项目审批", 1)]),
    ("CGJ", "清河市城市管理局", "市城管局", "局长", ["社会关注度高"], [("综合行政执法支队支队长", "正科级", "", "执纪执法", 0.5)]),
    ("GZW", "清河市人民政府国有资产监督管理委员会", "市国资委", "主任", ["资金密集"], [("产权管理科科长", "正科级", "", "", 0.5)]),
    ("XCZX", "清河市乡村振兴局", "市乡村振兴局", "局长", ["扶贫任务", "资金密集"], [("项目资金管理科科长", "正科级", "", "资金管理", 0.5)]),
    ("KJJ", "清河市科学技术局", "市科技局", "局长", [], []),
    ("GXJ", "清河市工业和信息化局", "市工信局", "局长", ["重点任务"], [("投资与技术改造科科长", "正科级", "", "", 0.5)]),
    ("SWJU", "国家税务总局清河市税务局", "市税务局", "局长", ["权力集中"], [("稽查局局长", "副处级", "", "执纪执法", 1)]),
]
PARTY_COMMITTEE_DEPARTMENTS = {"GAJ", "SWJU"}  # these have a 党委, the others a 党组

# (code, name, 区 or 县, tags, towns as (name, 镇 or 街道))
DISTRICTS = [
    ("CX", "城厢区", "区", ["重点任务", "社会关注度高"],
     [("城厢街道", "街道"), ("南园街道", "街道"), ("东门街道", "街道"), ("柳桥镇", "镇"), ("桃源镇", "镇")]),
    ("SX", "沙溪县", "县", ["扶贫任务"],
     [("沙溪镇", "镇"), ("直塘镇", "镇"), ("岳王镇", "镇"), ("归庄镇", "镇"), ("新湖镇", "镇")]),
    ("LH", "浏河区", "区", ["重点任务"],
     [("浏河街道", "街道"), ("港城街道", "街道"), ("新塘镇", "镇"), ("东仓镇", "镇"), ("白茆镇", "镇")]),
    ("SF", "双凤县", "县", ["扶贫任务"],
     [("双凤镇", "镇"), ("鹿河镇", "镇"), ("王秀镇", "镇"), ("时思镇", "镇"), ("金鸡镇", "镇")]),
]
# (code, name, short name, head title, tags)
DISTRICT_DEPARTMENTS = [
    ("FGJ", "发展和改革局", "发改局", "局长", ["重点任务"]),
    ("CZJ", "财政局", "财政局", "局长", ["资金密集"]),
    ("ZJJ", "住房和城乡建设局", "住建局", "局长", ["权力集中"]),
    ("JYJ", "教育局", "教育局", "局长", ["社会关注度高"]),
    ("NYNC", "农业农村局", "农业农村局", "局长", ["扶贫任务"]),
    ("WJW", "卫生健康委员会", "卫健委", "主任", ["社会关注度高"]),
    ("RSJ", "人力资源和社会保障局", "人社局", "局长", []),
    ("SCJ", "市场监督管理局", "市场监管局", "局长", ["权力集中"]),
]
SOES = [
    ("CTJT", "清河市城市建设投资集团有限公司", "城投集团", ["资金密集", "重点任务"]),
    ("SWJT", "清河市水务集团有限公司", "水务集团", ["资金密集"]),
    ("JTJT", "清河市交通投资集团有限公司", "交投集团", ["资金密集", "重点任务"]),
]
SOE_STAFF = [
    ("党委书记、董事长", "正处级", "head", "", 1),
    ("党委副书记、总经理", "副处级", "pgh", "", 1),
    ("党委委员、副总经理", "正科级", "", "", (2, 3)),
    ("党委委员、纪委书记", "正科级", "", "", 1),
    ("财务总监", "正科级", "", "资金管理", 1),
    ("工程管理部经理", "副科级", "", "项目审批", 0.6),
]
SCHOOL_STAFF = [
    ("党委书记", "副处级", "head", "", 1),
    ("党委副书记、校长", "副处级", "pgh", "", 1),
    ("副校长", "正科级", "", "", (2, 3)),
    ("纪委书记", "正科级", "", "", 1),
    ("总务处主任", "副科级", "", "资金管理", 0.5),
]
HOSPITAL_STAFF = [
    ("党委书记", "正处级", "head", "", 1),
    ("党委副书记、院长", "正处级", "pgh", "", 1),
    ("副院长", "副处级", "", "", (2, 3)),
    ("纪委书记", "副处级", "", "", 1),
    ("财务科科长", "正科级", "", "资金管理", 1),
    ("医务科科长", "正科级", "", "", 0.6),
    ("设备采购科科长", "正科级", "", "项目审批", 0.5),
]

# Earlier posts held outside the city (the province), by rank band.
OUTSIDE_UNITS = ["省发展和改革委员会", "省财政厅", "省委组织部", "省住房和城乡建设厅", "省交通运输厅", "省自然资源厅"]
OUTSIDE_POSTS = {50: ["副厅长", "副主任"], 40: ["处长"], 30: ["副处长"]}

# Unit kinds a cadre of a band could have come from.
POOL_KINDS = {
    60: [UnitKind.CITY],
    50: [UnitKind.CITY],
    40: [UnitKind.DEPARTMENT, UnitKind.COUNTY, UnitKind.SOE, UnitKind.HOSPITAL],
    30: [UnitKind.DEPARTMENT, UnitKind.COUNTY, UnitKind.SOE, UnitKind.HOSPITAL, UnitKind.SCHOOL],
    20: [UnitKind.DEPARTMENT, UnitKind.OTHER, UnitKind.TOWN, UnitKind.SOE, UnitKind.SCHOOL],
    10: [UnitKind.DEPARTMENT, UnitKind.OTHER, UnitKind.TOWN, UnitKind.SOE, UnitKind.HOSPITAL],
    None: [UnitKind.DEPARTMENT, UnitKind.OTHER, UnitKind.TOWN],
}

DEMO_USERS = [
    # (username, full name, unit code, role codes, what they see). Users with a cadre selector
    # instead of a name log in as that cadre: the city's discipline secretary leads talks, a town
    # party secretary in 城厢区 is talked with.
    ("admin", "王建国", None, [roles.ADMIN], "用户、角色、单位和锁定管理(不接触案件数据)"),
    ("jiwei", "周立新", "QH", [roles.STAFF], "纪委工作人员:全市"),
    ("chengxiang", "陆晓东", "QH-CX", [roles.STAFF], "纪委工作人员:城厢区"),
    ("xinfang", "林晓梅", "QH", [roles.PETITION], "信访室:全市线索受理,可见举报人"),
    ("zuzhi", "何志强", "QH", [roles.ORGANIZATION], "组织部:全市干部名册维护"),
    ("cxzuzhi", "孙丽娜", "QH-CX", [roles.ORGANIZATION], "组织部:城厢区干部名册维护"),
    ("shenji", "许文静", "QH", [roles.AUDITOR], "审计员:全部只读,含审计日志"),
    ("tanhua", {"unit": "QH-JW", "post": "市纪委书记"}, None, [roles.LEADER], "谈话领导(市纪委书记):本人主谈的谈话"),
    ("ganbu", {"under": "QH-CX", "post": "党委书记", "is_unit_head": True}, None, [roles.CADRE],
     "被谈话干部(城厢区一名镇党委书记):本人的通知、报告和整改"),
]


class DemoError(Exception):
    """The demo cannot be loaded; the message says why, in Chinese."""


def _count(rng, spec):
    if isinstance(spec, tuple):
        return rng.randint(*spec)
    if isinstance(spec, float):
        return 1 if rng.random() < spec else 0
    return spec


def _unit(code, name, short_name, kind, parent, tags=(), staff=(), posts=None):
    return {
        "code": code,
        "name": name,
        "short_name": short_name,
        "kind": kind,
        "parent": parent,
        "tags": list(tags),
        "staff": list(staff),
        "posts": posts or {},
    }


def _department_staff(title, extras, party_org="党组"):
    return [
        (f"{party_org}书记、{title}", "正处级", "head", "", 1),
        (f"{party_org}成员、副{title}", "副处级", "", "", (2, 3)),
        (f"副{title}", "副处级", "", "", 0.5),
        ("派驻纪检监察组组长", "副处级", "", "执纪执法", 0.25),
        ("办公室主任", "正科级", "", "", 1),
        ("财务科科长", "正科级", "", "资金管理", 0.2),
        ("人事科科长", "正科级", "", "干部人事", 0.2),
        *extras,
        ("综合科科长", "正科级", "", "", 0.6),
        ("办公室副主任", "副科级", "", "", 0.7),
        ("综合科副科长", "副科级", "", "", 0.5),
        ("二级调研员", "二级调研员", "", "", 0.4),
        ("四级调研员", "四级调研员", "", "", 0.6),
        ("一级主任科员", "一级主任科员", "", "", 0.6),
        ("三级主任科员", "三级主任科员", "", "", 0.3),
    ]


def _department_posts(title):
    return {
        40: [f"党组书记、{title}", title],
        30: [f"副{title}", f"党组成员、副{title}"],
        20: ["办公室主任", "综合科科长", "法规科科长", "规划科科长"],
        10: ["办公室副主任", "综合科副科长", "规划科副科长"],
        None: ["科员"],
    }


def _district_staff(d):
    return [
        (f"{d}委书记", "正处级", "head", "", 1),
        (f"{d}委副书记、{d}长", "正处级", "pgh", "", 1),
        (f"{d}人大常委会主任", "正处级", "", "", 0.5),
        (f"{d}委副书记", "副处级", "", "", 1),
        (f"{d}委常委、常务副{d}长", "副处级", "", "", 1),
        (f"{d}委常委、{d}纪委书记、{d}监委主任", "副处级", "", "执纪执法", 1),
        (f"{d}委常委、组织部部长", "副处级", "", "干部人事", 1),
        (f"{d}委常委、宣传部部长", "副处级", "", "", 0.5),
        (f"副{d}长", "副处级", "", "", (2, 3)),
        ("三级调研员", "三级调研员", "", "", 0.5),
    ]


def _district_department_staff(title):
    return [
        (f"党组书记、{title}", "正科级", "head", "", 1),
        (f"党组成员、副{title}", "副科级", "", "", (2, 3)),
        ("一级主任科员", "一级主任科员", "", "", 0.4),
        ("四级主任科员", "四级主任科员", "", "", 0.3),
    ]


def _town_staff(kind):
    if kind == "镇":
        return [
            ("党委书记", "正科级", "head", "", 1),
            ("党委副书记、镇长", "正科级", "pgh", "", 1),
            ("人大主席", "正科级", "", "", 0.5),
            ("党委副书记", "副科级", "", "", 0.7),
            ("党委委员、纪委书记", "副科级", "", "", 1),
            ("党委委员、组织委员", "副科级", "", "", 0.6),
            ("党委委员、宣传委员", "副科级", "", "", 0.5),
            ("党委委员、副镇长", "副科级", "", "", (1, 2)),
            ("副镇长", "副科级", "", "", 0.5),
            ("二级主任科员", "二级主任科员", "", "", 0.4),
        ]
    return [
        ("党工委书记", "正科级", "head", "", 1),
        ("党工委副书记、办事处主任", "正科级", "pgh", "", 1),
        ("人大工委主任", "正科级", "", "", 0.5),
        ("党工委副书记", "副科级", "", "", 0.7),
        ("党工委委员、纪工委书记", "副科级", "", "", 1),
        ("党工委委员、组织委员", "副科级", "", "", 0.6),
        ("党工委委员、宣传委员", "副科级", "", "", 0.5),
        ("党工委委员、办事处副主任", "副科级", "", "", (1, 2)),
        ("办事处副主任", "副科级", "", "", 0.5),
        ("二级主任科员", "二级主任科员", "", "", 0.4),
    ]


def city_units(rng):
    """The unit tree, parents first, each with its staffing table and typical post names."""
    root = "QH"
    units = [
        _unit(root, CITY, CITY, UnitKind.CITY, None, staff=ROOT_STAFF,
              posts={60: ["市长", "市委副书记、市长"], 50: ["副市长", "市委常委、秘书长", "市委副书记"]}),
        _unit("QH-JW", "中共清河市纪律检查委员会 清河市监察委员会", "市纪委监委", UnitKind.DEPARTMENT, root,
              staff=JIWEI_STAFF,
              posts={40: ["市纪委副书记、市监委副主任"], 30: ["市纪委常委"], 20: ["纪检监察室主任", "审查调查室主任"],
                     10: ["纪检监察室副主任"]}),
        _unit("QH-ZZB", "中共清河市委组织部", "市委组织部", UnitKind.DEPARTMENT, root, staff=ZUZHI_STAFF,
              posts={40: ["常务副部长"], 30: ["副部长"], 20: ["干部科科长", "组织科科长"], 10: ["干部科副科长"]}),
    ]
    for code, name, short, title, tags, extras in DEPARTMENTS:
        party_org = "党委" if code in PARTY_COMMITTEE_DEPARTMENTS else "党组"
        units.append(_unit(f"QH-{code}", name, short, UnitKind.DEPARTMENT, root, tags,
                           _department_staff(title, extras, party_org), _department_posts(title)))
    for code, name, d, tags, towns in DISTRICTS:
        dcode = f"QH-{code}"
        units.append(_unit(dcode, f"{CITY}{name}", name, UnitKind.COUNTY, root, tags, _district_staff(d), {
            40: [f"{d}委书记", f"{d}委副书记、{d}长"],
            30: [f"副{d}长", f"{d}委常委", f"{d}委常委、常务副{d}长"],
            20: [f"{d}委办公室主任", f"{d}政府办公室主任"],
            10: [f"{d}委办公室副主任", f"{d}政府办公室副主任"],
        }))
        picked = sorted(rng.sample(range(len(DISTRICT_DEPARTMENTS)), rng.randint(3, 5)))
        for i in picked:
            sub, full, short, title, dtags = DISTRICT_DEPARTMENTS[i]
            units.append(_unit(f"{dcode}-{sub}", f"{name}{full}", f"{name}{short}", UnitKind.OTHER, dcode, dtags,
                               _district_department_staff(title),
                               {20: [f"党组书记、{title}", title], 10: [f"副{title}", "办公室主任"], None: ["科员"]}))
        for n, (town, town_kind) in enumerate(towns[: rng.randint(3, 5)], 1):
            ttags = ["扶贫任务"] if d == "县" and rng.random() < 0.5 else []
            head, chief, deputy = ("党委书记", "镇长", "副镇长") if town_kind == "镇" else ("党工委书记", "办事处主任", "办事处副主任")
            units.append(_unit(f"{dcode}-T{n:02d}", f"{name}{town}", town, UnitKind.TOWN, dcode, ttags, _town_staff(town_kind),
                               {20: [head, chief], 10: [deputy, "党委委员" if town_kind == "镇" else "党工委委员"],
                                None: ["党政办科员", "经济发展办科员"]}))
    for code, name, short, tags in SOES:
        units.append(_unit(f"QH-{code}", name, short, UnitKind.SOE, root, tags, SOE_STAFF,
                           {40: ["董事长"], 30: ["总经理", "副总经理"], 20: ["副总经理", "部门经理"], 10: ["部门副经理"]}))
    units.append(_unit("QH-YZ", "清河市第一中学", "清河一中", UnitKind.SCHOOL, root, ["社会关注度高"], SCHOOL_STAFF,
                       {30: ["校长"], 20: ["副校长"], 10: ["教务处主任", "办公室主任"]}))
    units.append(_unit("QH-RMYY", "清河市第一人民医院", "市一院", UnitKind.HOSPITAL, root, ["资金密集", "社会关注度高"],
                       HOSPITAL_STAFF, {40: ["院长"], 30: ["副院长"], 20: ["医务科科长", "科主任"], 10: ["科室副主任"]}))
    return units


def _person(rng, rank, role, post, today, taken_ids, taken_phones):
    """Demographics for one cadre consistent with the rank: age, ID number, education, dates."""
    level = RANK_LEVEL[rank]
    status = CadreStatus.ACTIVE
    if not role:
        r = rng.random()
        status = CadreStatus.RETIRED if r < 0.015 else CadreStatus.TRANSFERRED if r < 0.03 else CadreStatus.ACTIVE
    gender = "男" if rng.random() < (0.85 if role else 0.74) else "女"
    if status == CadreStatus.RETIRED:
        years = (1965, 1965)
    else:
        years = (GRADE_BIRTH_YEARS if rank in GRADE_RANKS else BIRTH_YEARS)[level]
    birth = people.random_date(rng, datetime.date(years[0], 1, 1), datetime.date(years[1], 12, 31))
    place, region = people.native_place(rng)
    if rng.random() < 0.1:
        region = people.native_place(rng)[1]  # born away from the family's native place
    # Party posts and the 一把手 are held by party members; others may be non-party deputies.
    party_post = role or any(w in post for w in ("党", "纪", "组织", "书记", "委员", "人大", "政协", "市委", "区委", "县委", "监委"))
    political = "中共党员" if party_post else weighted(rng, people.PARTIES)
    if birth.year < 1975:
        education = weighted(rng, [("大学", 40), ("中央党校研究生", 25), ("研究生", 15), ("大专", 15), ("硕士研究生", 5)])
    else:
        education = weighted(rng, [("大学", 50), ("硕士研究生", 25), ("研究生", 12), ("中央党校研究生", 5), ("博士研究生", 8)])
    start_age = {"大专": 20, "大学": 22, "中央党校研究生": 22, "研究生": 24, "硕士研究生": 25, "博士研究生": 28}[education]
    work_start = datetime.date(birth.year + start_age + rng.randint(0, 1), rng.choice([7, 7, 8, 9]), 1)
    party_join = None
    if political == "中共党员":
        party_join = min(month_start(add_years(birth, rng.randint(19, 27))), today)
    name = people.person_name(rng, gender)
    return {
        "name": name,
        "gender": gender,
        "ethnicity": weighted(rng, people.ETHNICITIES),
        "birth_date": birth,
        "native_place": place,
        "political_status": political,
        "party_join_date": party_join,
        "work_start_date": work_start,
        "education": education,
        "id_number": people.id_number(rng, region, birth, gender == "男", taken_ids),
        "phone": people.phone_number(rng, taken_phones),
        "status": status,
        "remarks": _remarks(rng, status, birth, today),
    }


def _remarks(rng, status, birth, today):
    if status == CadreStatus.RETIRED:
        return f"{birth.year + 60}年{birth.month}月退休"
    if status == CadreStatus.TRANSFERRED:
        when = today - datetime.timedelta(days=rng.randint(30, 300))
        return f"{when.year}年{when.month}月调{rng.choice(['外市', '省直机关', '省属国有企业'])}工作"
    return ""


def _post_since(rng, today, work_start):
    r = rng.random()
    if r < 0.14:
        days = rng.randint(5 * 366 + 31, 9 * 365)
    elif r < 0.30:
        days = rng.randint(20, 330)
    else:
        days = rng.randint(366, 5 * 365)
    return max(month_start(today - datetime.timedelta(days=days)), add_years(work_start, 3))


def _earlier_posts(rng, cadre, unit, pools, work_start):
    """1-4 closed posts before the current one, newest first, each ending as the next began."""
    entries = []
    end, rank = cadre["post_since"], cadre["rank"]
    for i in range(rng.randint(1, 4)):
        rank = rank if rng.random() < 0.4 else rng.choice(STEP_DOWN[rank])
        level = RANK_LEVEL.get(rank)
        start = month_start(end - datetime.timedelta(days=rng.randint(18, 66) * 30))
        last = start <= add_years(work_start, 1)
        if last:
            start = work_start
        if rank in GRADE_RANKS:
            where = unit if rng.random() < 0.5 else rng.choice(pools[level])
            entry = {"unit": where["code"], "unit_name": where["name"], "post": rank}
        elif level in OUTSIDE_POSTS and rng.random() < 0.1:
            entry = {"unit": None, "unit_name": rng.choice(OUTSIDE_UNITS), "post": rng.choice(OUTSIDE_POSTS[level])}
        else:
            internal = i == 0 and level in unit["posts"] and rng.random() < 0.35
            where = unit if internal else rng.choice(pools[level])
            entry = {"unit": where["code"], "unit_name": where["name"], "post": rng.choice(where["posts"][level])}
        entries.append({**entry, "rank": rank, "start": start, "end": end})
        end = start
        if last or rank is None:
            break
    return entries


def generate_city(seed=2026, today=None):
    """The whole city as plain data: ``{"units": [...], "cadres": [...], "contacts": {...}}``.

    Each cadre dict holds Cadre fields plus ``unit`` (a code), ``rank`` (a name) and
    ``history`` (earlier posts, newest first). ``contacts`` maps unit codes to the index of
    their contact leader in ``cadres``. The same seed and date always give the same city.
    """
    rng = random.Random(seed)
    today = today or timezone.localdate()
    units = city_units(rng)
    pools = {}
    for level, kinds in POOL_KINDS.items():
        # 纪委 and 组织部 posts are too particular to be anybody's earlier post.
        pools[level] = [u for u in units if u["kind"] in kinds and level in u["posts"]
                        and u["code"] not in ("QH-JW", "QH-ZZB")]

    cadres, taken_ids, taken_phones = [], set(), set()
    for unit in units:
        for post, rank, role, sensitive, count in unit["staff"]:
            for _ in range(_count(rng, count)):
                cadre = _person(rng, rank, role, post, today, taken_ids, taken_phones)
                cadre.update(
                    unit=unit["code"],
                    post=post,
                    rank=rank,
                    is_unit_head=role == "head",
                    is_party_gov_head=role in ("head", "pgh"),
                    sensitive_post=sensitive,
                )
                cadre["post_since"] = _post_since(rng, today, cadre["work_start_date"])
                history = _earlier_posts(rng, cadre, unit, pools, cadre["work_start_date"])
                rank_since = cadre["post_since"]
                for entry in history:
                    if entry["rank"] != rank:
                        break
                    rank_since = entry["start"]
                cadre["rank_since"] = rank_since
                cadre["history"] = history
                cadres.append(cadre)

    leaders = [i for i, c in enumerate(cadres) if c["unit"] == "QH" and "市委常委" in c["post"]]
    jiwei_leaders = [i for i, c in enumerate(cadres) if c["unit"] == "QH-JW" and "书记" in c["post"]]
    contacts = {}
    for unit in units:
        if unit["kind"] == UnitKind.COUNTY:
            contacts[unit["code"]] = rng.choice(leaders)
        elif unit["parent"] == "QH" and unit["code"] not in ("QH-JW", "QH-ZZB"):
            contacts[unit["code"]] = rng.choice(jiwei_leaders + leaders)
    return {"units": units, "cadres": cadres, "contacts": contacts}


def _demo_cadre(units, spec):
    qs = Cadre.objects.filter(post__contains=spec["post"])
    if "unit" in spec:
        qs = qs.filter(unit=units[spec["unit"]])
    if "under" in spec:
        qs = qs.filter(units[spec["under"]].subtree_q("unit_path")).exclude(unit=units[spec["under"]])
    if "is_unit_head" in spec:
        qs = qs.filter(is_unit_head=spec["is_unit_head"])
    return qs.select_related("unit").order_by("unit_path", "id").first()


def _demo_users(units):
    User = get_user_model()
    roles.seed_roles()  # missing only where a test emptied the tables the migrations filled
    by_code = {role.code: role for role in Role.objects.all()}
    now = timezone.now()
    logins = []
    for username, who, unit_code, role_codes, sees in DEMO_USERS:
        cadre = _demo_cadre(units, who) if isinstance(who, dict) else None
        if isinstance(who, dict) and cadre is None:
            raise DemoError(f"演示数据中没有符合演示账号 {username} 的干部")
        user = User.objects.filter(username=username).first() or User(username=username)
        user.full_name = cadre.name if cadre else who
        user.unit = cadre.unit if cadre else units.get(unit_code)
        user.cadre = cadre
        user.is_active = True
        user.set_password(DEMO_PASSWORD)
        # Demo logins start with a password of their own, so nobody is stopped at the door;
        # accounts an administrator creates must change theirs at first login.
        user.password_changed_at = now
        user.save()
        user.roles.set([by_code[code] for code in role_codes])
        record("grant", target=user, summary={"roles": [[], sorted(by_code[c].name for c in role_codes)],
                                              "via": "demo"})
        logins.append({"username": username, "password": DEMO_PASSWORD, "full_name": user.full_name, "scope": sees})
    return logins


def demo_logins():
    """The demo accounts that exist, as ``load_demo`` reports them."""
    users = {u.username: u for u in get_user_model().objects.filter(username__in=[u[0] for u in DEMO_USERS])}
    return [
        {"username": name, "password": DEMO_PASSWORD, "full_name": users[name].full_name, "scope": sees}
        for name, _who, _unit, _roles, sees in DEMO_USERS
        if name in users
    ]


def _say(stdout, message):
    if stdout is not None:
        stdout.write(message)


def wipe_registry(usernames=()):
    """Delete all clues, cadres, post histories, units and unit tags; reset the named users."""
    User = get_user_model()
    blocking = list(
        User.objects.filter(unit__isnull=False).exclude(username__in=usernames).values_list("username", flat=True)[:10]
    )
    if blocking:
        raise DemoError(f"以下用户属于现有单位,不能清空单位:{'、'.join(blocking)}。请先删除这些用户或调整其所属单位。")
    # Demo users are kept, not deleted: the audit log refers to them. They are set up afresh.
    User.objects.filter(username__in=usernames).update(unit=None, cadre=None)
    try:
        Unit.objects.update(contact_leader=None)
        from tanhua.clues.models import Clue

        from .talks import wipe_talks

        wipe_talks()

        Clue.objects.all().delete()
        PostHistory.objects.all().delete()
        _delete_cadres()
        Unit.objects.all().delete()
        UnitTag.objects.all().delete()
    except (ProtectedError, RestrictedError) as exc:
        objects = getattr(exc, "protected_objects", None) or exc.restricted_objects
        models = sorted({str(obj._meta.verbose_name) for obj in objects})
        raise DemoError(f"还有其他数据({'、'.join(models)})引用了干部或单位,不能清空。") from None


def _delete_cadres():
    # Django's delete loads every row to cascade; after a 100,000-cadre benchmark that takes
    # half a minute, so one DELETE is used when nothing refers to cadres any more.
    referenced = any(
        rel.related_model._base_manager.filter(**{f"{rel.field.name}__isnull": False}).exists()
        for rel in Cadre._meta.related_objects
    )
    qs = Cadre.objects.all()
    if referenced:
        qs.delete()
    else:
        qs._raw_delete(qs.db)


def ensure_ranks():
    """The rank table by name; filled in if a database was set up without the data migration."""
    if not Rank.objects.exists():
        load_ranks(Rank)
    return {r.name: r for r in Rank.objects.all()}


def load_demo(seed=2026, *, force=False, stdout=None, today=None):
    """Fill an empty database with the demo city and its logins; returns a summary dict.

    Refuses (:class:`DemoError`) when units already exist, unless ``force``: then all registry
    data is deleted first and the demo users are set up afresh (kept, because the audit log
    refers to them). Everything happens in one transaction, which the audit log records.
    """
    city = generate_city(seed, today)
    User = get_user_model()
    usernames = [u[0] for u in DEMO_USERS]
    with transaction.atomic():
        unit_count = Unit.objects.count()
        clashing = list(User.objects.filter(username__in=usernames).values_list("username", flat=True))
        if unit_count or (clashing and not force):
            if not force:
                if unit_count:
                    detail = f"{unit_count}个单位、{Cadre.objects.count()}名干部"
                else:
                    detail = f"账号{'、'.join(clashing)}"
                raise DemoError(
                    f"数据库中已有数据({detail}),演示数据只能装入空数据库。如确需清空后重新生成,"
                    "请加 --force(将删除全部单位、干部、任职经历、单位标签和演示账号)。"
                )
            _say(stdout, "清空已有的名册数据和演示账号……")
            wipe_registry(usernames)

        ranks = ensure_ranks()
        tags = {name: UnitTag.objects.get_or_create(name=name)[0] for name in TAGS}
        _say(stdout, f"生成单位({len(city['units'])}个)……")
        units = {}
        for spec in city["units"]:
            fields = {"code": spec["code"], "name": spec["name"], "short_name": spec["short_name"], "kind": spec["kind"]}
            parent = spec["parent"]
            if parent:
                units[spec["code"]] = Unit.objects.add_child(units[parent], create_kwargs=fields)
            else:
                units[spec["code"]] = Unit.objects.add_root(create_kwargs=fields)
        Through = Unit.tags.through
        Through.objects.bulk_create(
            Through(unit=units[spec["code"]], unittag=tags[t]) for spec in city["units"] for t in spec["tags"]
        )

        _say(stdout, f"生成干部({len(city['cadres'])}名)及任职经历……")
        fields = [f.name for f in Cadre._meta.concrete_fields if f.editable and f.name not in ("id", "unit", "rank")]
        cadres = Cadre.objects.bulk_create(
            Cadre(unit=units[c["unit"]], rank=ranks[c["rank"]], **{f: c[f] for f in fields}) for c in city["cadres"]
        )
        histories = []
        for cadre, spec in zip(cadres, city["cadres"]):
            for entry in reversed(spec["history"]):
                histories.append(PostHistory(
                    cadre=cadre, unit=units.get(entry["unit"]), unit_name=entry["unit_name"], post=entry["post"],
                    rank=ranks.get(entry["rank"]), start=entry["start"], end=entry["end"],
                ))
            histories.append(PostHistory(cadre=cadre, unit=cadre.unit, unit_name=cadre.unit.name, post=cadre.post,
                                         rank=cadre.rank, start=cadre.post_since))
        PostHistory.objects.bulk_create(histories, batch_size=2000)

        for code, index in city["contacts"].items():
            units[code].contact_leader = cadres[index]
        Unit.objects.bulk_update([units[code] for code in city["contacts"]], ["contact_leader"])

        logins = _demo_users(units)
        _say(stdout, "生成问题线索……")
        from .clues import clue_summary, load_demo_clues

        load_demo_clues({u.username: u for u in get_user_model().objects.filter(
            username__in=[name for name, *_ in DEMO_USERS]).select_related("cadre__unit")}, seed=seed, today=today)
        _say(stdout, "生成谈话活动、批次和随机抽取……")
        from .talks import load_demo_talks, talk_summary

        demo_users = {u.username: u for u in get_user_model().objects.filter(
            username__in=[name for name, *_ in DEMO_USERS]).select_related("cadre__unit")}
        load_demo_talks(demo_users, seed=seed, today=today)
        _say(stdout, "生成整改事项、民主生活会和提醒……")
        from .rectification import load_demo_rectification

        load_demo_rectification(demo_users, seed=seed, today=today)
        record("import", object_type="registry.cadre", object_repr=f"演示数据:{CITY}", summary={
            "seed": seed, "units": len(units), "cadres": len(cadres), "post_histories": len(histories),
            "users": [u["username"] for u in logins],
        })

    from tanhua.rectification.models import Item

    by_kind = {}
    for spec in city["units"]:
        by_kind[spec["kind"]] = by_kind.get(spec["kind"], 0) + 1
    return {
        "seed": seed,
        "city": CITY,
        "units": len(units),
        "units_by_kind": by_kind,
        "cadres": len(cadres),
        "post_histories": len(histories),
        "unit_heads": sum(c["is_unit_head"] for c in city["cadres"]),
        "users": logins,
        **clue_summary(),
        **talk_summary(),
        "items": Item.objects.count(),
        "items_open": Item.objects.exclude(status=Item.Status.CLOSED).count(),
    }
