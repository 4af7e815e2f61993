"""Demo problem clues for 清河市: realistic complaints from every source, at every stage.

Some matters arrive twice through different channels in different words (a letter and a
hotline call), as they do in practice. Dates are spread over the last half year so the
traffic lights show all colours. The same seed and date always give the same clues.
"""

import datetime
import random

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from tanhua.clues import duplicates, services
from tanhua.clues.models import Category, Clue, ClueEvent, Disposition, DuplicateSuggestion, Inquiry, Source
from tanhua.registry.models import Cadre
from tanhua.workdays import add_workdays

PLACES = ["城郊“乡里人家”农家乐", "清河宾馆", "滨河路一私人会所", "开发区“御膳坊”酒店", "老街“聚贤楼”"]
COMPANIES = ["清河市宏远建设有限公司", "清河恒达置业有限公司", "城厢区鑫源建材经营部", "清河市通达物流有限公司",
             "沙溪县绿源农业开发公司"]
VILLAGES = ["柳桥村", "河西村", "大王庄村", "新民村", "石桥村", "东湖村"]
REPORTERS = [("王秀英", "139{:08d}"), ("刘建华", "138{:08d}"), ("陈国平", "135{:08d}"), ("张桂芳", "137{:08d}"),
             ("赵志强", "150{:08d}"), ("孙丽", "186{:08d}")]

# (category, summary, letter wording, hotline wording or None); {name} {post} {unit} ... filled in.
MATTERS = [
    ("奢靡之风", "接受管理服务对象宴请",
     ("反映{unit}{post}{name}于{date}晚在{place}接受{company}负责人宴请,席间饮用高档白酒,"
      "费用由企业支付。此类宴请今年以来已有多次,同桌还有该单位其他工作人员。"),
     "市民来电:{unit}{name}经常被{company}老板请吃饭,在{place}吃喝,喝的是好酒,老板买单。"),
    ("享乐主义", "公车私用",
     ("反映{unit}{post}{name}多次在周末驾驶单位公务用车接送子女上下辅导班,并开公车到外地游玩,"
      "车辆停放在其居住小区内。"),
     "来电反映:{unit}的公车周末停在{name}家小区,{name}开着公车送孩子上辅导班、出去玩。"),
    ("廉洁纪律", "借子女婚礼收受礼金",
     ("反映{unit}{post}{name}为其子操办婚礼,宴请30余桌,收受辖区企业主和下属礼金,数额较大,"
      "{company}负责人送礼金两万元。"),
     "群众反映{name}儿子结婚摆了三十多桌酒席,收了很多老板和下属的礼金,{company}送了两万。"),
    ("廉洁纪律", "亲属承揽工程项目",
     ("反映{unit}{post}{name}的妻弟承接{village}道路硬化和排水工程,未经公开招标,工程质量差,"
      "路面完工半年即出现开裂。"),
     None),
    ("群众纪律", "扶贫补助发放优亲厚友",
     ("反映{unit}在发放产业扶贫补助时优亲厚友,{village}部分不符合条件的村干部亲属领取了补助,"
      "真正困难的农户没有享受到。"),
     "来电:{village}扶贫补助发给了村干部的亲戚,困难户反而没有,希望查一查。"),
    ("形式主义", "填表报数过多加重基层负担",
     ("反映{unit}要求各村(社区)每周报送各类台账和工作信息,同一事项多头重复报送,层层加码,"
      "村干部大量时间用于整理材料。"),
     None),
    ("官僚主义", "群众办事推诿扯皮",
     ("反映{unit}窗口工作人员在办理不动产登记时推诿扯皮,群众往返五次仍未办结,"
      "负责人{name}对群众投诉不予理睬。"),
     "12345热线:在{unit}办不动产证跑了五趟还没办好,找{name}也不管。"),
    ("工作纪律", "工作时间打牌",
     "反映{unit}部分工作人员工作日下午在办公室打牌,{post}{name}知情不管。", None),
    ("组织纪律", "干部选拔任用程序不规范",
     "反映{unit}在提拔股级干部时未按规定进行民主推荐和考察,{post}{name}的亲属被提拔。", None),
    ("奢靡之风", "违规发放津补贴",
     "反映{unit}以加班费、值班补助等名义违规发放津补贴,年底人均领取五千余元,经{post}{name}签批。", None),
    ("生活纪律", "生活作风问题",
     "反映{unit}{post}{name}长期在外与他人同居,造成不良影响。", None),
    ("政治纪律", "落实上级决策部署打折扣",
     "反映{unit}对秸秆禁烧、河道“清四乱”等工作部署只开会发文不抓落实,检查前临时突击应付。", None),
]

SOURCES_WEIGHTED = [("来信", 5), ("来访", 2), ("来电", 2), ("网络举报", 3), ("巡察", 3), ("经济责任审计", 1),
                    ("离任审计", 1), ("派驻纪检监察组", 2), ("落实中央八项规定精神检查", 2), ("抽查", 1),
                    ("明察暗访", 2), ("舆论/媒体", 1), ("民主生活会", 1), ("“三重一大”会议", 1),
                    ("案件监督管理", 1), ("其他", 1)]


def _weighted(rng, pairs):
    total = sum(w for _, w in pairs)
    pick = rng.uniform(0, total)
    for value, weight in pairs:
        pick -= weight
        if pick <= 0:
            return value
    return pairs[-1][0]


def _fill(text, cadre, rng, when):
    return text.format(
        name=cadre.name, post=cadre.post.split("、")[-1], unit=cadre.unit.name, place=rng.choice(PLACES),
        company=rng.choice(COMPANIES), village=rng.choice(VILLAGES), date=f"{when.month}月{when.day}日",
    )


def load_demo_clues(users, *, seed=2026, today=None, count=120):
    """Register ``count`` clues (plus reworded repeats) and take them through their stages.

    ``users`` maps demo usernames to users: 信访室 registers, 纪委 staff dispose, the demo
    cadre receives a written inquiry waiting for their reply.
    """
    rng = random.Random(seed * 7 + 4)
    today = today or timezone.localdate()
    sources = {s.name: s for s in Source.objects.all()}
    categories = {c.name: c for c in Category.objects.all()}
    clerk, staff = users["xinfang"], users["jiwei"]
    # Leading cadres are whom clues are mostly about; a tenth name a unit only.
    subjects = list(Cadre.objects.filter(Q(is_unit_head=True) | Q(rank__level__gte=20)).select_related("unit")
                    .order_by("id"))
    made = []
    for n in range(count):
        cadre = rng.choice(subjects)
        category, summary, letter, hotline = rng.choice(MATTERS)
        received = today - datetime.timedelta(days=rng.randint(0, 150))
        anonymous = rng.random() < 0.4
        reporter, phone = rng.choice(REPORTERS)
        fields = {
            "source": sources[_weighted(rng, SOURCES_WEIGHTED)], "category": categories[category],
            "received_on": received, "summary": summary, "content": _fill(letter, cadre, rng, received),
            "cadre": None if n % 10 == 9 else cadre, "unit": cadre.unit, "reporter_anonymous": anonymous,
            "reporter_name": "" if anonymous else reporter,
            "reporter_contact": "" if anonymous else phone.format(rng.randint(0, 99999999)),
            "handling_unit": None,
        }
        clue = services.register_clue(clerk, via="demo", **fields)
        made.append(clue)
        if hotline and rng.random() < 0.35:
            # The same matter again, a few days later, through the hotline in other words.
            again = dict(fields, source=sources["12345热线"], received_on=min(today, received + datetime.timedelta(
                days=rng.randint(1, 20))), content=_fill(hotline, cadre, rng, received), reporter_anonymous=True,
                reporter_name="", reporter_contact="")
            made.append(services.register_clue(clerk, via="demo", **again))
    _advance(rng, made, staff, today)
    # Half the repeats the system noticed have been confirmed by staff; the rest wait for review.
    for n, suggestion in enumerate(DuplicateSuggestion.objects.order_by("id")):
        if n % 2 == 0:
            duplicates.confirm(staff, suggestion)
    made.append(_inquiry_for_demo_cadre(users, clerk, staff, sources, categories, today))
    _backdate(rng, made, today)
    return len(made)


def _advance(rng, clues, staff, today):
    """Move older clues on: disposed, inquired, verified, closed; recent ones stay pending."""
    for clue in clues:
        age = (today - clue.received_on).days
        roll = rng.random()
        # Recent clues wait for a decision; a few older ones are overdue for one.
        if age < 10 or (roll < 0.25 and age < 40):
            continue
        if roll < 0.45 and clue.cadre_id:
            services.dispose(staff, clue, Disposition.INQUIRY, "反映问题较为具体,采取函询方式了解核实。")
            # A written inquiry takes about two months from receipt to conclusion.
            services.update_clue(staff, clue, due_on=clue.received_on + datetime.timedelta(days=60))
            inquiry = services.issue_inquiry(staff, clue, questions=f"请就“{clue.summary}”的有关情况作出书面说明。")
            if age > 40:
                _answer(rng, inquiry, clue)
            if age > 70 and rng.random() < 0.8:
                services.review_inquiry(staff, inquiry, conclusion=rng.choice(["false", "partly", "unverifiable"]),
                                        note="经审核,说明基本清楚。", follow_up="予以了结")
                services.close(staff, clue, outcome_form=None, outcome="函询说明情况基本属实,予以了结。")
        elif roll < 0.6:
            services.dispose(staff, clue, Disposition.VERIFY, "问题线索具体、可查性强,开展初步核实。")
            # 初步核实 has three months.
            services.update_clue(staff, clue, due_on=clue.received_on + datetime.timedelta(days=90))
            if age > 60:
                form = _weighted(rng, [(1, 6), (2, 2), (3, 1), (None, 3)])
                services.close(staff, clue, outcome_form=form, outcome=_outcome(form))
        elif roll < 0.7:
            services.dispose(staff, clue, Disposition.SHELVE, "反映内容笼统、缺少具体线索,暂存待查。")
            services.update_clue(staff, clue, due_on=clue.received_on + datetime.timedelta(days=180))
        elif roll < 0.9:
            services.dispose(staff, clue, Disposition.CLOSE, "经了解,所反映问题已在专项整治中纠正,予以了结。")
        else:
            services.dispose(staff, clue, Disposition.CASE, "经初核,涉嫌严重违纪,拟立案审查。")


def _answer(rng, inquiry, clue):
    # Written as the cadre's own login would (the demo cadres have no logins of their own).
    inquiry = Inquiry.objects.get(pk=inquiry.pk)
    inquiry.reply = "本人对所反映问题说明如下:经回忆和核对,相关情况不属实,愿意接受组织核查。"
    inquiry.replied_at = timezone.now()
    inquiry.save()
    ClueEvent.objects.create(clue=clue, action="干部书面说明")


def _outcome(form):
    return {
        1: "经核实,问题部分属实,情节轻微,对其进行提醒谈话。",
        2: "经核实,问题属实,给予党内警告处分。",
        3: "经核实,问题属实,给予撤销党内职务处分。",
        None: "经核实,反映问题不属实,予以澄清。",
    }[form]


def _inquiry_for_demo_cadre(users, clerk, staff, sources, categories, today):
    """The demo cadre (ganbu) has a written inquiry waiting for their reply."""
    cadre = users["ganbu"].cadre
    clue = services.register_clue(
        clerk, via="demo", source=sources["来信"], category=categories["奢靡之风"],
        received_on=today - datetime.timedelta(days=12), unit=cadre.unit, cadre=cadre, summary="接受管理服务对象宴请",
        content=f"反映{cadre.unit.name}{cadre.name}多次在城郊农家乐接受辖区企业负责人宴请,费用由企业支付。",
        reporter_name="刘建华", reporter_contact="13800000000",
    )
    services.dispose(staff, clue, Disposition.INQUIRY, "反映问题较为具体,采取函询方式了解核实。")
    services.issue_inquiry(staff, clue, questions="1.今年以来是否接受过辖区企业负责人宴请?\n2.如有,请说明时间、地点、"
                                                  "参加人员和费用支付情况。")
    return clue


def _at(day, minutes):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 0)) + datetime.timedelta(
        minutes=minutes))


def _backdate(rng, clues, today):
    """Spread each clue's history over the days after its receipt, as it would have happened.

    The services stamp everything with the time the demo is loaded; an office's history is
    weeks long. (The audit log keeps the real time: it records when the demo was loaded.)
    """
    for clue in Clue.objects.filter(pk__in=[c.pk for c in clues]).select_related("inquiry"):
        events = list(clue.events.order_by("id"))
        age = (today - clue.received_on).days
        step = max(1, min(12, age // max(1, len(events))))
        times = {}
        for i, event in enumerate(events):
            day = min(today, clue.received_on + datetime.timedelta(days=i * step))
            event.time = _at(day, rng.randint(0, 480))
            times.setdefault(event.action.split(":")[0].split("(")[0], event.time)
        ClueEvent.objects.bulk_update(events, ["time"])
        updates = {"created_at": _at(clue.received_on, 30)}
        if clue.disposed_at:
            updates["disposed_at"] = times.get("处置", clue.disposed_at)
        if clue.closed_at:
            updates["closed_at"] = events[-1].time
        Clue.objects.filter(pk=clue.pk).update(**updates)
        inquiry = getattr(clue, "inquiry", None)
        if inquiry is not None:
            issued = times.get("发出函询", inquiry.issued_at)
            Inquiry.objects.filter(pk=inquiry.pk).update(
                issued_at=issued,
                reply_due=add_workdays(timezone.localtime(issued).date(), settings.TANHUA_INQUIRY_REPLY_WORKDAYS),
                replied_at=times.get("干部书面说明") if inquiry.replied_at else None,
                reviewed_at=times.get("函询审核") if inquiry.reviewed_at else None,
            )


def clue_summary():
    return {
        "clues": Clue.objects.count(),
        "open": Clue.objects.exclude(status=Clue.Status.CLOSED).count(),
        "inquiries": Inquiry.objects.count(),
        "duplicates": DuplicateSuggestion.objects.count(),
    }
