"""The demo's talk programmes: every kind seeded as the reports describe it, with history.

- the city's 勤廉半月谈: three past rounds drawn every two months (each with a designated
  cadre justified by clues, a lottery number and the discipline secretary's committed value),
  and the next round in preparation, waiting for the secretary's commitment;
- 城厢区's own 半月谈: a round drawn for the coming days, in which the demo cadre (ganbu) was
  designated, so their own view shows the talk and the report due;
- the city's 党建约谈 of units: last month's round;
- 廉政谈话, 提醒谈话, 诫勉谈话, 任前谈话, 谈心谈话: programmes ready for use.
"""

import datetime
import random

from django.utils import timezone

from tanhua.clues.models import Clue
from tanhua.registry.models import Cadre, Unit
from tanhua.talks import records, services
from tanhua.talks.models import Draw, DrawInput, Kind, Programme, Round, Talk, TalkEvent, TalkRecord, TalkReport
from tanhua.talks.presets import preset
from tanhua.timelimits import add_months

WORK = ["召开党委(党组)会议,研究部署{x}工作", "赴基层调研{x}推进情况", "参加市里{x}专题会议", "接待来访群众,协调处理{x}问题",
        "督查{x}项目进度", "组织班子成员学习党纪法规", "主持召开{x}协调会", "带队检查安全生产"]
TOPICS = ["重点项目", "营商环境", "乡村振兴", "城市更新", "安全生产", "信访维稳", "招商引资", "民生实事"]
AFTER_HOURS = ["周末陪伴家人,看望父母", "晚上在家阅读《习近平谈治国理政》", "参加单位组织的健步走活动", "节假日在家休息,未外出参加宴请"]
INTEGRITY = ["未收受任何单位和个人的礼品礼金", "严格执行公务接待规定,未参加公款吃喝", "配偶子女未在本人管辖范围内经商办企业",
             "按规定报告个人有关事项,无新增变化"]
QUESTIONS = [("question", "最近半个月的工作中,推进最难的是哪一项?遇到什么问题?"),
             ("answer", "主要是项目征地拆迁进度滞后,已多次现场协调,下一步倒排工期。"),
             ("question", "8小时以外主要和哪些人来往?有无与管理服务对象吃喝的情况?"),
             ("answer", "主要是家人和老同学,没有与管理服务对象吃喝。")]


def _at(day, hour):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _weekday(day):
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


def _post_holder(unit_code, words):
    return Cadre.objects.filter(unit__code=unit_code, post__contains=words).order_by("-rank_order", "pk").first()


def _designation_for(rng, programme, taken):
    """A cadre in the programme's pool with an open clue, and those clues (the reason to designate)."""
    clues = (Clue.objects.filter(programme.unit.subtree_q("unit_path"), cadre__isnull=False,
                                 cadre__rank__level__gte=programme.min_rank_level or 0)
             .exclude(status=Clue.Status.CLOSED).exclude(cadre__in=taken)
             .exclude(cadre__in=list(services.conflicted(programme))).select_related("cadre").order_by("pk"))
    chosen = rng.choice(list(clues[:60]))
    return chosen.cadre, [c for c in clues if c.cadre_id == chosen.cadre_id][:2]


def _run_round(rng, programme, staff, *, date, place, member=None, designate=None, today):
    """One round through the whole protocol, dated as it would have happened."""
    issue = 26000 + (date - datetime.date(2026, 1, 1)).days // 2
    round_ = services.create_round(staff, programme, date=date, place=place,
                                   public_labels=[f"中国体育彩票排列5第{issue}期开奖号码"],
                                   member_users=[member] if member else [])
    secret = f"{rng.choice(['清风', '明镜', '松柏', '青竹'])}{rng.randint(100000, 999999)}"
    if member:
        services.commit(member, round_.inputs.get(kind=DrawInput.Kind.MEMBER), value=secret)
    if designate:
        cadre, clues = designate
        services.designate(staff, round_, cadre=cadre, reason="信访有举报、社会有舆论,但尚未构成违纪违法", clues=clues)
    # An office's round takes about a week before its date; a round still to come has done all
    # that already (nothing that happened is dated after today).
    anchor = min(date, today + datetime.timedelta(days=4))
    frozen_at, drawn_at = _at(anchor - datetime.timedelta(days=8), 10), _at(anchor - datetime.timedelta(days=6), 16)
    services.freeze(staff, round_, now=frozen_at)
    services.enter_public(staff, round_.inputs.get(kind=DrawInput.Kind.PUBLIC),
                          " ".join(str(rng.randint(0, 9)) for _ in range(5)))
    if member:
        services.reveal(member, round_.inputs.get(kind=DrawInput.Kind.MEMBER), secret)
    services.perform_draw(staff, round_, now=drawn_at)
    # The services stamp their own time; an office's round takes a week.
    round_.inputs.filter(kind=DrawInput.Kind.MEMBER).update(committed_at=_at(anchor - datetime.timedelta(days=10), 9))
    round_.inputs.exclude(kind=DrawInput.Kind.SERVER).update(entered_at=_at(anchor - datetime.timedelta(days=7), 20))
    Round.objects.filter(pk=round_.pk).update(created_at=_at(anchor - datetime.timedelta(days=14), 9))
    _notified(round_.talks.all(), staff, drawn_at + datetime.timedelta(hours=18))
    if date < today:
        for talk in round_.talks.select_related("cadre__unit", "unit", "programme"):
            _hold(rng, talk, staff)
    return round_


def _notified(talks, staff, at):
    """Notices the office sent at ``at`` (in the past: the service sends only before a talk)."""
    talks = list(talks)
    Talk.objects.filter(pk__in=[t.pk for t in talks]).update(notified_at=at, notified_by=staff)
    Talk.objects.filter(pk__in=[t.pk for t in talks], status=Talk.Status.PLANNED).update(status=Talk.Status.NOTIFIED)
    made = TalkEvent.objects.bulk_create(TalkEvent(talk=t, user=staff, action="发出谈话通知") for t in talks)
    TalkEvent.objects.filter(pk__in=[e.pk for e in made]).update(time=at)  # auto_now_add stamps the load time


def _hold(rng, talk, staff):
    """A past talk as the office left it: outline, the subject's report, the record, confirmed."""
    day = timezone.localtime(talk.starts_at).date()
    # What the office knew then: problems received before the talk.
    rows = [r for r in records.problem_rows(staff, talk) if r["first"].received_on < day]
    chosen = [r["first"] for r in rows[:3]]
    records.save_preparation(staff, talk, chosen=[c for r in rows[:3] for c in r["clues"]],
                             text=records.draft_outline(staff, talk, chosen), final=True)
    if talk.report_kind == "half_month":
        TalkReport.objects.create(
            talk=talk, submitted_at=_at(talk.report_due - datetime.timedelta(days=rng.randint(0, 2)), 17),
            days=[{"date": d.isoformat(), "work": "休息" if d.weekday() >= 5 else
                   rng.choice(WORK).format(x=rng.choice(TOPICS))} for d in records.report_days(talk)],
            after_hours=rng.sample(AFTER_HOURS, 2), integrity=rng.sample(INTEGRITY, 2))
    elif talk.report_kind != "none":
        TalkReport.objects.create(talk=talk, submitted_at=_at(talk.report_due, 16),
                                  text="一、履行党建工作责任制情况\n二、班子建设和干部队伍建设情况\n三、存在的问题和下一步打算")
    entries = list(QUESTIONS)
    for clue in chosen:
        entries += [("problem", f"关于反映的“{clue.summary}”问题,请本人说明情况。"),
                    ("answer", "本人作了说明,表示将认真对照检查。"),
                    ("requirement", f"针对“{clue.summary}”,两个月内整改到位并书面报告。")]
    if rng.random() < 0.3:
        entries.append(("disclosure", "主动说明所在单位曾在下属单位违规列支招待费用,已于上月清退。"))
    entries.append(("requirement", "严守廉洁自律各项规定,管好身边人。"))
    start = timezone.localtime(talk.starts_at)
    records.save_record(staff, talk, held_on=day, start_time=start.time(),
                        end_time=(start + datetime.timedelta(minutes=talk.minutes)).time(), place=talk.place,
                        lead_name=talk.lead_name or "谈话组组长", present=list(talk.members.all()),
                        recorder_name=staff.full_name, entries=entries)
    records.confirm_record(staff, talk, how=TalkRecord.Confirmation.PAPER)
    TalkRecord.objects.filter(talk=talk).update(confirmed_at=_at(day, 11))
    # Stamped with the load time by the services; spread over the days they happened.
    events = list(TalkEvent.objects.filter(talk=talk).order_by("id"))
    for n, item in enumerate(events):
        item.time = _at(day - datetime.timedelta(days=max(0, 3 - n)), 10 + n)
    TalkEvent.objects.bulk_update(events, ["time"])
    Talk.objects.filter(pk=talk.pk).update(outline_saved_at=_at(day - datetime.timedelta(days=2), 15))


def load_demo_talks(users, *, seed=2026, today=None):
    rng = random.Random(seed * 11 + 5)
    today = today or timezone.localdate()
    city, district = Unit.objects.get(code="QH"), Unit.objects.get(code="QH-CX")
    staff, leader, cx_staff = users["jiwei"], users["tanhua"], users["chengxiang"]
    secretary = _post_holder("QH", "市委书记")
    organisation = _post_holder("QH-ZZB", "部长")
    congress = _post_holder("QH", "人大常委会主任")

    half_month = services.create_programme(staff, **{
        **preset(Kind.HALF_MONTH), "unit": city, "name": "清河市党政领导干部勤政廉政半月谈",
        "head_lead_name": secretary.name, "other_lead": leader, "contact_name": staff.full_name,
        "contact_phone": "0512-53521208"}, members=[
        {"body": "市委", "title": "书记", "name": secretary.name, "cadre": secretary},
        {"body": "市纪委监委", "title": "书记", "name": leader.full_name, "user": leader, "cadre": leader.cadre},
        {"body": "市委组织部", "title": "部长", "name": organisation.name if organisation else "组织部部长",
         "cadre": organisation},
        {"body": "市人大人事代表联络工委", "title": "主任", "name": congress.name if congress else "人大代表",
         "cadre": congress},
    ])
    place = "健雄职业技术学院 勤廉文化研究所"
    taken = set()
    for months_ago in (6, 4, 2):
        date = _weekday(today - datetime.timedelta(days=30 * months_ago + 5))
        designated = _designation_for(rng, half_month, taken)
        taken.add(designated[0].pk)
        _run_round(rng, half_month, staff, date=date, place=place, member=leader, designate=designated, today=today)
    # The next round, in preparation: one designated; the secretary has yet to commit.
    upcoming = services.create_round(staff, half_month, date=_weekday(today + datetime.timedelta(days=12)),
                                     place=place, member_users=[leader],
                                     public_labels=["中国体育彩票排列5下一期开奖号码(冻结名单之后开奖)"])
    cadre, clues = _designation_for(rng, half_month, taken)
    services.designate(staff, upcoming, cadre=cadre, reason="12345热线多次反映,尚未构成违纪违法", clues=clues)

    # 城厢区 runs its own over its own cadres; the demo cadre is designated in the coming round.
    ganbu = users["ganbu"].cadre
    district_secretary = _post_holder("QH-CX", "区委书记")
    district_discipline = _post_holder("QH-CX", "纪委书记") or district_secretary
    own = services.create_programme(cx_staff, **{
        **preset(Kind.HALF_MONTH), "unit": district, "name": "城厢区勤廉半月谈",
        "head_lead_name": district_secretary.name if district_secretary else "区委书记",
        "other_lead_name": district_discipline.name if district_discipline else "区纪委书记",
        "contact_name": cx_staff.full_name, "contact_phone": "0512-53520417"}, members=[
        {"body": "区委", "title": "书记", "name": district_secretary.name if district_secretary else "区委书记",
         "cadre": district_secretary},
        {"body": "区纪委监委", "title": "书记", "name": district_discipline.name if district_discipline else "区纪委书记",
         "cadre": district_discipline}])
    ganbu_clues = list(Clue.objects.filter(cadre=ganbu).order_by("pk")[:1])
    coming = _run_round(rng, own, cx_staff, date=_weekday(today + datetime.timedelta(days=9)), place="城厢区纪委谈话室",
                        designate=(ganbu, ganbu_clues), today=today)
    # The district published its draw: ganbu finds the link on his own talk, observers need no login.
    services.publish_draw(cx_staff, coming.draw)
    # The round after it, in preparation: the "+1" is still open, so the office sees suggestions.
    services.create_round(cx_staff, own, date=_weekday(add_months(coming.date, 2)), place="城厢区纪委谈话室",
                          public_labels=["中国体育彩票排列5冻结名单后第一期开奖号码"])
    # Preparation has begun: a draft outline from ganbu's problems; their report is still to come.
    talk = coming.talks.get(cadre=ganbu)
    rows = records.problem_rows(cx_staff, talk)
    records.save_preparation(cx_staff, talk, chosen=[c for r in rows for c in r["clues"]],
                             text=records.draft_outline(cx_staff, talk, [r["first"] for r in rows]))

    # Units' party secretaries, by the city's party secretary (seed 003).
    party = services.create_programme(staff, **{
        **preset(Kind.PARTY_BUILDING), "unit": city, "name": "党建月月谈、书记考书记",
        "head_lead_name": secretary.name}, members=[
        {"body": "市委", "title": "书记", "name": secretary.name, "cadre": secretary},
        {"body": "市纪委监委", "title": "书记", "name": leader.full_name, "user": leader, "cadre": leader.cadre},
        {"body": "市委组织部", "title": "部长", "name": organisation.name if organisation else "组织部部长",
         "cadre": organisation},
    ])
    Programme.objects.filter(pk=party.pk).update(publish_names=True)  # units are public bodies: names shown
    party_round = _run_round(rng, party, staff, date=_weekday(today - datetime.timedelta(days=25)),
                             place="市委第一会议室", member=leader, today=today)
    services.publish_draw(staff, party_round.draw)

    made = {}
    for kind in (Kind.INTEGRITY, Kind.REMINDER, Kind.ADMONISHMENT, Kind.PRE_APPOINTMENT, Kind.HEART):
        fields = preset(kind)
        made[kind] = services.create_programme(staff, **{**fields, "unit": city, "name": f"清河市{fields['name']}",
                                                         "head_lead": leader}, members=[
            {"body": "市纪委监委", "title": "书记", "name": leader.full_name, "user": leader}])
    # An admonishment after a verified clue, held last month (its influence period runs), and a
    # pre-appointment talk next week.
    verified = (Clue.objects.filter(status=Clue.Status.CLOSED, outcome_form=2, cadre__isnull=False)
                .select_related("cadre__unit").order_by("pk").first())
    if verified is not None:
        held = _weekday(today - datetime.timedelta(days=35))
        talk = services.targeted_talk(staff, made[Kind.ADMONISHMENT], cadre=verified.cadre, starts_at=_at(held, 15),
                                      place="市纪委监委谈话室", reason=f"经核实,{verified.summary}(线索{verified.number})")
        talk.problems.set([verified])
        _notified(Talk.objects.filter(pk=talk.pk), staff, _at(held - datetime.timedelta(days=3), 10))
        records.save_record(staff, talk, held_on=held, start_time=datetime.time(15), end_time=datetime.time(15, 40),
                            place=talk.place, lead_name=talk.lead_name, present=list(talk.members.all()),
                            recorder_name=staff.full_name, influence_months=6, entries=[
                                ("problem", f"经核实,{verified.summary}。"),
                                ("answer", "本人对问题没有异议,深刻认识到错误。"),
                                ("requirement", "深刻反省,写出书面检查,一个月内退还违规所得。")])
        records.confirm_record(staff, talk, how=TalkRecord.Confirmation.PAPER)
        # Stamped with the load time by the services: written and signed on the day.
        TalkRecord.objects.filter(talk=talk).update(confirmed_at=_at(held, 16))
        for n, item in enumerate(TalkEvent.objects.filter(talk=talk).order_by("id")):
            item.time = _at(held - datetime.timedelta(days=3), 10) if n == 0 else _at(held, 15 + n)
            item.save(update_fields=["time"])
    appointee = (Cadre.objects.filter(unit__code__startswith="QH-", rank__level=20, status="在职")
                 .order_by("pk").first())
    if appointee is not None:
        services.targeted_talk(staff, made[Kind.PRE_APPOINTMENT], cadre=appointee,
                               starts_at=_at(_weekday(today + datetime.timedelta(days=6)), 10),
                               place="市纪委监委谈话室", reason="拟提任副处级领导职务,任前廉政谈话")
    return talk_summary()


def talk_summary():
    return {
        "programmes": Programme.objects.count(),
        "rounds": Round.objects.count(),
        "draws": Draw.objects.filter(seq__isnull=False).count(),
        "talks": Talk.objects.count(),
    }


def wipe_talks():
    """Delete every programme and what hangs on it, rectification included (before the registry)."""
    from tanhua.rectification.models import Item, Meeting, Notification

    Notification.objects.all().delete()
    Item.objects.all().delete()
    Meeting.objects.all().delete()
    Talk.objects.all().delete()
    Draw.objects.all().delete()
    Round.objects.all().delete()
    Programme.objects.all().delete()

