"""Reminders at the right times and never twice: time is driven explicitly, nothing sleeps."""

import datetime

import pytest
from django.core.management import call_command

from tanhua.rectification import reminders, services
from tanhua.rectification.models import FollowUp, Notification

pytestmark = pytest.mark.django_db


def _keys(user):
    return sorted(Notification.objects.filter(user=user).values_list("key", flat=True))


def test_reminders_on_schedule_and_once(item, people, settings):
    settings.TANHUA_REMIND_DAYS_BEFORE = 7
    settings.TANHUA_REMIND_OVERDUE_EVERY = 7
    owner, leader = people["owner"], people["leader"]
    FollowUp.objects.filter(item=item).update(planned_on=datetime.date(2027, 2, 1))
    due = item.due_on  # 2026-12-31
    assert reminders.run(datetime.date(2026, 12, 23)) == 0  # eight days before: nothing yet
    assert reminders.run(datetime.date(2026, 12, 24)) == 1
    assert reminders.run(datetime.date(2026, 12, 24)) == 0  # the same day again: nothing twice
    assert reminders.run(datetime.date(2026, 12, 28)) == 0  # still the same "before" occasion
    assert reminders.run(due) == 1
    assert reminders.run(datetime.date(2027, 1, 1)) == 2  # overdue: the owner, and the leader once
    assert reminders.run(datetime.date(2027, 1, 5)) == 0
    assert reminders.run(datetime.date(2027, 1, 7)) == 1  # a week overdue: the owner again
    assert reminders.run(datetime.date(2027, 1, 7)) == 0
    assert _keys(owner) == sorted([f"before:{item.pk}:{due}", f"due:{item.pk}:{due}", f"overdue:{item.pk}:{due}:0",
                                   f"overdue:{item.pk}:{due}:1"])
    assert _keys(leader) == [f"leader-overdue:{item.pk}:{due}"]
    # The follow-up visit is due: its visitor (the talker) is told, once.
    assert reminders.run(datetime.date(2027, 2, 1)) == 1 + 1  # the visit, and the owner's fifth week
    assert f"follow-up:{item.follow_ups.get().pk}" in _keys(leader)
    call_command("run_reminders", "--date", "2027-02-01")
    assert Notification.objects.count() == 7


def test_closed_items_are_quiet(item, people, settings, tmp_path):
    settings.RECTIFICATION_FILE_DIR = tmp_path
    from django.core.files.uploadedfile import SimpleUploadedFile

    services.report_progress(people["owner"], item, text="完成", files=[SimpleUploadedFile("a.pdf", b"%PDF")],
                             ask_sign_off=True)
    services.verify(people["leader"], item, accept=True)
    FollowUp.objects.update(done_on=datetime.date(2026, 12, 1))
    assert reminders.run(datetime.date(2027, 1, 10)) == 0
