"""The demo's rectification: items from the past talks at every stage, a democratic life meeting,
an item the demo cadre (ganbu) must report on, one waiting for the discipline secretary (tanhua)
to verify, overdue ones escalated, and the reminders of today sent."""

import datetime
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tanhua.rectification import reminders, services
from tanhua.rectification.models import FollowUp, Item, ItemEvent, Meeting
from tanhua.registry.models import Unit
from tanhua.talks.models import Talk

MEASURES = ["建立台账,逐项整改,每月报告进展", "制定专项制度,组织全体干部学习", "开展专项检查,对相关人员批评教育",
            "清退违规款项,完善审批流程"]
PROGRESS = ["已召开专题会议研究整改,明确责任分工", "已完成自查,建立问题台账", "制度已印发,组织学习两次"]


def _pdf(text):
    body = f"%PDF-1.4\n% {text}\n".encode()
    return SimpleUploadedFile("整改情况报告.pdf", body, content_type="application/pdf")


def load_demo_rectification(users, *, seed=2026, today=None):
    rng = random.Random(seed * 13 + 7)
    today = today or timezone.localdate()
    staff, leader, cx_staff, ganbu = users["jiwei"], users["tanhua"], users["chengxiang"], users["ganbu"]
    made = []
    for talk in (Talk.objects.filter(status=Talk.Status.CONFIRMED).select_related("programme", "unit", "lead")
                 .order_by("starts_at", "pk")):
        entries = [(e.text, rng.choice(MEASURES)) for e in talk.record.entries.filter(kind="problem")][:2]
        if entries:
            made += services.items_from_talk(staff, talk, entries)
    for n, item in enumerate(made):
        age = (today - item.start_on).days
        owner = item.owner
        # Reported as the subject would have (they have no login in the demo): the office notes it.
        reporter = owner or staff
        Item.objects.filter(pk=item.pk).update(owner=reporter)
        if age > 90 or n % 3 == 0:
            services.report_progress(reporter, item, text=rng.choice(PROGRESS), files=[_pdf(item.problem[:20])],
                                     ask_sign_off=True)
            if item.leader_id:
                services.verify(item.leader, item, accept=True)
            else:
                Item.objects.filter(pk=item.pk).update(status=Item.Status.CLOSED, closed_at=timezone.now())
        elif n % 3 == 1:
            services.report_progress(reporter, item, text=rng.choice(PROGRESS))
        Item.objects.filter(pk=item.pk).update(owner=owner)
    # Overdue ones: flagged to the leader, one ordered to rectify within a new time limit.
    overdue = list(Item.objects.exclude(status=Item.Status.CLOSED).filter(due_on__lt=today).order_by("due_on"))
    for n, item in enumerate(overdue[:2]):
        services.escalate(staff, item, reason="逾期未完成整改", today=today)
        if n == 0 and (today - item.due_on).days >= 15:
            services.escalate(staff, item, reason="逾期15天以上仍未整改到位", today=today,
                              new_due_on=today + datetime.timedelta(days=20))
    # The demo cadre's own item, and one waiting for tanhua to verify.
    town = ganbu.cadre.unit
    own = services.create_item(cx_staff, unit=town, origin=Item.Origin.PROBLEM, problem="村级工程项目招投标程序不规范",
                               measures="对近三年村级工程逐项复查,完善村级小微权力清单", owner=ganbu, leader=leader,
                               start_on=today - datetime.timedelta(days=40), due_on=today + datetime.timedelta(days=20))
    services.report_progress(ganbu, own, text="已完成2024年以来工程项目复查,发现问题3个,正在整改",
                             files=[_pdf("工程复查")])
    waiting = services.create_item(staff, unit=town, origin=Item.Origin.PROBLEM, problem="镇机关食堂超标准接待",
                                   measures="清退超标费用,修订接待管理办法", owner=ganbu, leader=leader,
                                   start_on=today - datetime.timedelta(days=50), due_on=today + datetime.timedelta(days=10))
    services.report_progress(ganbu, waiting, text="超标费用已清退,管理办法已修订印发,申请销号",
                             files=[_pdf("清退凭证")], ask_sign_off=True)
    # 城厢区's democratic life meeting: before, during, after.
    district = Unit.objects.get(code="QH-CX")
    meeting = Meeting.objects.create(
        unit=district, title=f"城厢区委常委班子{today.year - 1}年度民主生活会", held_on=today - datetime.timedelta(days=30),
        before="会前会同信访室、案管室、党风政风监督室审核班子成员问题清单,反馈意见5条。",
        during="班子对照检查材料查摆问题不够具体;批评与自我批评总体有辣味,个别成员流于形式。", created_by=cx_staff)
    services.create_item(cx_staff, unit=district, origin=Item.Origin.MEETING, meeting=meeting,
                         problem="班子成员对照检查材料查摆问题不够具体", measures="重新撰写对照检查材料,逐条列出整改措施",
                         owner_name="区委办公室主任", leader_name="区委书记", start_on=meeting.held_on,
                         due_on=meeting.held_on + datetime.timedelta(days=60))
    # The services stamp the load time; histories happened over the weeks after each start.
    now = timezone.now()
    for item in Item.objects.all():
        events = list(ItemEvent.objects.filter(item=item).order_by("id"))
        for n, event in enumerate(events):
            day = min(today, item.start_on + datetime.timedelta(days=n * 9))
            event.time = min(now, timezone.make_aware(datetime.datetime.combine(day, datetime.time(10 + n % 6))))
        ItemEvent.objects.bulk_update(events, ["time"])
        if item.closed_at and events:
            Item.objects.filter(pk=item.pk).update(closed_at=events[-1].time)
    # Visits made by phone three weeks ago, written down by the office the next day.
    visited_on = today - datetime.timedelta(days=20)
    FollowUp.objects.filter(planned_on__lt=visited_on, done_on__isnull=True).update(
        done_on=visited_on, way=FollowUp.Way.PHONE, findings="电话回访,整改措施落实,未发现反弹", recorded_by=staff,
        recorded_at=timezone.make_aware(datetime.datetime.combine(visited_on + datetime.timedelta(days=1),
                                                                  datetime.time(9, 30))))
    # A recorded visit is final: one was corrected by a new entry that points back to it.
    wrong = FollowUp.objects.filter(done_on=visited_on).order_by("pk").first()
    if wrong is not None:
        services.correct_follow_up(staff, wrong, reason="回访方式登记有误:系实地回访,非电话回访", done_on=visited_on,
                                   way=FollowUp.Way.ON_SITE, findings="实地查看整改台账和有关凭证,整改措施落实,未发现反弹",
                                   recurred=False)
    for talk in Talk.objects.filter(status=Talk.Status.CONFIRMED):
        services.close_talk_if_done(talk.pk)
    reminders.run(today)
    return Item.objects.count()
