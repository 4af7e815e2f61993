"""Preparation, the subject's report and the record: the rules, on the database."""

import datetime

import pytest
from django.utils import timezone

from tanhua import timelimits
from tanhua.audit.models import AuditEntry
from tanhua.registry.models import UnitTag
from tanhua.talks import records
from tanhua.talks.models import Kind, Talk, TalkEvent
from tests.talks.conftest import TALK_DAY

pytestmark = pytest.mark.django_db


def test_influence_period_end():
    assert records.influence_end(datetime.date(2026, 12, 10), 6) == datetime.date(2027, 6, 9)
    assert records.influence_end(datetime.date(2026, 8, 31), 6) == datetime.date(2027, 2, 27)
    assert records.influence_end(datetime.date(2027, 1, 31), 1) == datetime.date(2027, 2, 27)
    assert timelimits.add_months(datetime.date(2028, 1, 31), 1) == datetime.date(2028, 2, 29)


def test_preparation_uses_the_problem_list_and_the_unit(talk, programme, make_clue, tree):
    staff = programme.staff
    own = make_clue("CX01", cadre=talk.cadre, summary="违规接受宴请")
    unit_only = make_clue("CX01", summary="街道食堂超标接待", content="反映街道食堂多次超标准接待。")
    make_clue("SX", summary="别的单位的问题", content="与本次谈话无关的单位。")
    rows = records.problem_rows(staff, talk)
    assert [r["first"].pk for r in rows] == [own.pk, unit_only.pk]
    tag = UnitTag.objects.create(name="资金密集")
    tree["CX01"].tags.add(tag)
    text = records.draft_outline(staff, talk, [own])
    assert "违规接受宴请" in text and "廉政风险防控" in text and "廉洁自律" in text
    assert "党建工作责任制" not in text  # a party-building topic, not for a half-month talk
    with pytest.raises(records.TalkError, match="不能定稿"):
        records.save_preparation(staff, talk, chosen=[own], text=" ", final=True)
    records.save_preparation(staff, talk, chosen=[own], text=text, final=True)
    talk.refresh_from_db()
    assert talk.status == Talk.Status.PREPARED and list(talk.problems.all()) == [own] and talk.outline_final
    assert TalkEvent.objects.filter(talk=talk, action="提纲定稿").exists()


def test_half_month_report(talk, make_user):
    subject = make_user("subject", "CX01", ["cadre"], cadre=talk.cadre)
    days = records.report_days(talk)
    # The fifteen days before the due date, in order.
    assert days == [talk.report_due - datetime.timedelta(days=15 - n) for n in range(15)]
    with pytest.raises(records.TalkError, match="本人"):
        records.submit_report(make_user("other", "CX", ["staff"]), talk, days=[(d, "工作") for d in days])
    with pytest.raises(records.TalkError) as refused:
        records.submit_report(subject, talk, days=[(d, "" if d == days[3] else "召开会议") for d in days])
    messages = refused.value.messages
    assert f"{days[3].month}月{days[3].day}日:请填写当天的工作安排(休息日可写“休息”)" in messages
    assert "8小时以外的业余生活:至少填写一条。" in messages and "廉洁自律情况:至少填写一条。" in messages
    on_time = timezone.make_aware(datetime.datetime.combine(talk.report_due, datetime.time(20)))
    records.submit_report(subject, talk, days=[(d, f"{d.day}日 召开会议") for d in days],
                          after_hours=["陪伴家人", " "], integrity=["无收受礼金"], now=on_time)
    assert talk.report.late is False and talk.report.after_hours == ["陪伴家人"]
    assert records.report_state(talk)[0] == "submitted"
    records.submit_report(subject, talk, days=[(d, "工作") for d in days], after_hours=["读书"], integrity=["无"],
                          now=on_time + datetime.timedelta(days=1))
    talk.report.refresh_from_db()
    assert talk.report.late and records.report_state(talk) == ("late", records.report_state(talk)[1])
    assert "逾期" in records.report_state(talk)[1]


def test_missing_report_is_visible(talk):
    state, text = records.report_state(talk, today=talk.report_due + datetime.timedelta(days=1))
    assert state == "missing" and "尚未提交" in text


def test_record_life_cycle(talk, programme, make_user):
    staff = programme.staff
    subject = make_user("subject", "CX01", ["cadre"], cadre=talk.cadre)
    fields = {"held_on": TALK_DAY, "start_time": datetime.time(9), "end_time": datetime.time(10, 5),
              "place": "谈话室", "lead_name": "纪委书记", "present": list(programme.members.all()[:2]),
              "recorder_name": "记录员"}
    with pytest.raises(records.TalkError) as refused:
        records.save_record(staff, talk, **{**fields, "end_time": datetime.time(8)}, entries=[])
    assert refused.value.messages == ["结束时间应晚于开始时间。", "请至少记录一条谈话内容。"]
    assert not records.may_open_record(subject, talk)
    records.save_record(staff, talk, **fields, entries=[
        ("question", "单位公车管理情况?"), ("answer", "已建立台账。"), ("problem", "公车私用多发"),
        ("requirement", "一个月内完成整改"), ("disclosure", "主动说明曾违规出借车辆一次"), ("note", " ")])
    talk.refresh_from_db()
    assert talk.status == Talk.Status.HELD and talk.record.entries.count() == 5
    assert records.may_open_record(subject, talk)
    with pytest.raises(records.TalkError, match="本人"):
        records.confirm_record(staff, talk, how="online")
    records.confirm_record(subject, talk, how="online")
    talk.refresh_from_db()
    assert talk.status == Talk.Status.CONFIRMED and talk.record.confirmed_how == "online"
    with pytest.raises(records.TalkError, match="不能再修改"):
        records.save_record(staff, talk, **fields, entries=[("note", "改")])
    records.read_record(staff, talk)
    assert AuditEntry.objects.filter(action="view", object_type="talks.talk").count() == 1
    assert list(TalkEvent.objects.filter(talk=talk).values_list("action", flat=True)) == ["填写谈话记录", "确认谈话记录"]


def test_admonishment_and_pre_appointment_carry_their_consequences(talk, programme):
    fields = {"held_on": TALK_DAY, "start_time": datetime.time(9), "end_time": datetime.time(9, 40),
              "place": "", "lead_name": "纪委书记", "present": [], "recorder_name": "记录员",
              "entries": [("requirement", "深刻反省")]}
    Talk.objects.filter(pk=talk.pk).update(kind=Kind.ADMONISHMENT)
    talk.refresh_from_db()
    with pytest.raises(records.TalkError, match="影响期"):
        records.save_record(programme.staff, talk, **fields)
    record = records.save_record(programme.staff, talk, **fields, influence_months=6)
    assert record.influence_end == datetime.date(2027, 5, 9)
    Talk.objects.filter(pk=talk.pk).update(kind=Kind.PRE_APPOINTMENT)
    talk.refresh_from_db()
    with pytest.raises(records.TalkError, match="拟任职务"):
        records.save_record(programme.staff, talk, **fields)
    record = records.save_record(programme.staff, talk, **fields, appointment="城厢区财政局局长")
    assert record.appointment == "城厢区财政局局长" and record.influence_end is None
