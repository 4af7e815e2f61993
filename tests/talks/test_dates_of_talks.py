"""The dates of a talk's record and report: a record between its talk and today, a confirmation
never before its record, no work reported for a day still to come."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tanhua.talks import records
from tanhua.talks.models import Talk, TalkRecord, TalkReport
from tests.talks.conftest import TALK_DAY

pytestmark = pytest.mark.django_db



def _tomorrow():
    return timezone.localdate() + datetime.timedelta(days=1)


RECORD = {"start_time": datetime.time(9), "end_time": datetime.time(10), "place": "谈话室", "lead_name": "纪委书记",
          "present": [], "recorder_name": "记录员", "entries": [("requirement", "一个月内整改到位")]}


def test_a_record_is_dated_between_its_talk_and_today(talk, programme):
    with pytest.raises(records.TalkError, match="晚于今天"):
        records.save_record(programme.staff, talk, held_on=_tomorrow(), **RECORD)
    with pytest.raises(records.TalkError, match="早于安排的谈话日期"):
        records.save_record(programme.staff, talk, held_on=TALK_DAY - datetime.timedelta(days=1), **RECORD)
    assert not TalkRecord.objects.exists()
    records.save_record(programme.staff, talk, held_on=TALK_DAY, **RECORD)


def test_a_talk_still_to_come_has_no_record_and_an_old_future_record_is_not_confirmed(talk, programme, make_user):
    soon = timezone.now() + datetime.timedelta(days=7)
    Talk.objects.filter(pk=talk.pk).update(starts_at=soon)
    talk.refresh_from_db()
    with pytest.raises(records.TalkError, match="晚于今天"):
        records.save_record(programme.staff, talk, held_on=timezone.localdate(soon), **RECORD)
    # A record dated ahead before this rule existed: confirming it is refused until corrected.
    Talk.objects.filter(pk=talk.pk).update(starts_at=timezone.now() - datetime.timedelta(days=1))
    talk.refresh_from_db()
    record = records.save_record(programme.staff, talk, held_on=timezone.localdate(), **RECORD)
    TalkRecord.objects.filter(pk=record.pk).update(held_on=_tomorrow())
    talk.refresh_from_db()
    subject = make_user("subject", "CX01", ["cadre"], cadre=talk.cadre)
    with pytest.raises(records.TalkError, match="请先更正谈话记录"):
        records.confirm_record(subject, talk, how="online")
    assert TalkRecord.objects.get().confirmed_at is None


def test_the_half_month_report_takes_no_work_for_days_to_come(client, talk, programme, make_user):
    soon = timezone.localdate() + datetime.timedelta(days=5)
    Talk.objects.filter(pk=talk.pk).update(report_due=soon, starts_at=timezone.now() + datetime.timedelta(days=8))
    talk.refresh_from_db()
    subject = make_user("subject", "CX01", ["cadre"], cadre=talk.cadre)
    days = records.report_days(talk)
    today = timezone.localdate()
    with pytest.raises(records.TalkError) as refused:
        records.submit_report(subject, talk, days=[(d, "召开专题会议") for d in days], after_hours=["读书"],
                              integrity=["无"])
    future = [d for d in days if d > today]
    assert len(refused.value.messages) == len(future) and all("晚于今天" in m for m in refused.value.messages)
    assert not TalkReport.objects.exists()
    records.submit_report(subject, talk, days=[(d, "召开专题会议" if d <= today else "") for d in days],
                          after_hours=["读书"], integrity=["无"])
    talk.refresh_from_db()
    state, text = records.report_state(talk)  # handed in early: not complete until the days are added
    assert state == "partial" and f"{len(future)} 天尚待补报" in text
    # Through the page, the days to come are closed fields: what is typed there is ignored.
    client.force_login(subject)
    page = client.get(reverse("talks:my_talk", args=[talk.pk])).content.decode()
    assert page.count("尚未到来") == len(future)
    posted = {f"day_{n}": "补写" for n in range(len(days))}
    client.post(reverse("talks:my_talk_report", args=[talk.pk]), {**posted, "after_hours": "读书", "integrity": "无"})
    report = TalkReport.objects.get()
    assert [r["work"] for r in report.days if r["date"] > today.isoformat()] == [""] * len(future)
