"""Sending the notice: an explicit act of the office (POST, talks.add), recorded with who and when.

Downloading the notice (the office's or the subject's own) changes nothing; notified is a fact of
its own, recorded whatever the status is, so the order of outline and notice does not matter.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from tanhua.audit.models import AuditEntry
from tanhua.talks import records, services
from tanhua.talks.models import Talk
from tests.talks.conftest import TALK_DAY

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def coming(talk):
    """The round's talks a week from now: a notice goes out before the talk it announces."""
    held_at = talk.starts_at
    shift = timezone.now() + datetime.timedelta(days=7) - held_at
    for other in talk.round.talks.all():
        Talk.objects.filter(pk=other.pk).update(starts_at=other.starts_at + shift)
    talk.refresh_from_db()
    return held_at


def _row(talk):
    return Talk.objects.filter(pk=talk.pk).values("status", "notified_at", "notified_by").get()


def _messages(response):
    return [str(m) for m in response.context["messages"]]


def test_downloading_the_notice_changes_nothing(client, talk, programme, make_user):
    before, events = _row(talk), talk.events.count()
    client.force_login(programme.staff)
    assert client.get(reverse("talks:notice", args=[talk.pk])).status_code == 200
    client.force_login(make_user("subject", "CX01", ["cadre"], cadre=talk.cadre))
    assert client.get(reverse("talks:my_talk_notice", args=[talk.pk])).status_code == 200
    assert _row(talk) == before == {"status": "planned", "notified_at": None, "notified_by": None}
    assert talk.events.count() == events
    # Both downloads are in the audit log (audit is not data), neither as a notification.
    assert list(AuditEntry.objects.filter(object_id=str(talk.pk), object_type="talks.talk")
                .exclude(action="create").values_list("action", flat=True)) == ["export", "download"]


def test_the_office_sends_the_notice_once(client, talk, programme):
    staff = programme.staff
    client.force_login(staff)
    page = client.get(reverse("talks:talk", args=[talk.pk])).content.decode()
    assert "尚未发出" in page and "发出通知" in page
    response = client.post(reverse("talks:send_notice", args=[talk.pk]), follow=True)
    assert _messages(response) == ["已记录谈话通知发出。"]
    talk.refresh_from_db()
    assert (talk.status, talk.notified_by) == ("notified", staff) and talk.notified_at
    assert talk.events.filter(action="发出谈话通知", user=staff).count() == 1
    entry = AuditEntry.objects.get(action="notify")
    assert (entry.username, entry.object_id) == ("staff", str(talk.pk))
    assert "由staff发出" in response.content.decode() and "尚未发出" not in response.content.decode()

    # A second send is refused with who sent it, and changes nothing.
    before = _row(talk)
    response = client.post(reverse("talks:send_notice", args=[talk.pk]), follow=True)
    assert "谈话通知已于" in _messages(response)[0] and "由staff发出" in _messages(response)[0]
    assert _row(talk) == before and AuditEntry.objects.filter(action="notify").count() == 1


def test_who_may_not_send_it(client, talk, programme, make_user, tree):
    before = _row(talk)
    url = reverse("talks:send_notice", args=[talk.pk])
    # A talk group member without office rights (the lead talker) sees no button and is refused.
    client.force_login(programme.secretary)
    assert "发出通知" not in client.get(reverse("talks:talk", args=[talk.pk])).content.decode()
    assert client.post(url).status_code == 403
    # The subject: refused, and with staff rights sent to their own view; the service refuses too.
    subject = make_user("subject", "CX01", ["cadre"], cadre=talk.cadre)
    client.force_login(subject)
    assert client.post(url).status_code == 403
    subject.roles.add(*programme.staff.roles.all())
    subject_staff = type(subject).objects.get(pk=subject.pk)  # fresh permission cache
    client.force_login(subject_staff)
    assert client.post(url).url == reverse("talks:my_talk", args=[talk.pk])
    with pytest.raises(PermissionDenied):
        services.send_notice(subject_staff, talk)
    # Outside the scope: as if it did not exist. A GET is not a way to send it.
    client.force_login(make_user("sx-staff", "SX", ["staff"]))
    assert client.post(url).status_code == 404
    client.force_login(programme.staff)
    assert client.get(url).status_code == 405
    assert _row(talk) == before and not AuditEntry.objects.filter(action="notify").exists()


def test_outline_first_then_notice(talk, programme):
    staff = programme.staff
    records.save_preparation(staff, talk, chosen=[], text="一、廉洁自律", final=True)
    talk.refresh_from_db()
    assert talk.status == "prepared" and talk.notified_at is None
    services.send_notice(staff, talk)
    talk.refresh_from_db()
    # Status never goes back; the notice is recorded all the same.
    assert (talk.status, talk.notified_by) == ("prepared", staff) and talk.notified_at


def test_notice_first_then_outline(talk, programme):
    staff = programme.staff
    services.send_notice(staff, talk)
    records.save_preparation(staff, talk, chosen=[], text="一、廉洁自律", final=True)
    talk.refresh_from_db()
    assert (talk.status, talk.notified_by) == ("prepared", staff) and talk.notified_at


def test_no_notice_once_the_talk_time_has_passed(client, talk, programme, coming):
    Talk.objects.filter(pk=talk.pk).update(starts_at=coming)
    client.force_login(programme.staff)
    response = client.post(reverse("talks:send_notice", args=[talk.pk]), follow=True)
    assert _messages(response) == ["谈话时间已过,不再发出通知。"]
    assert Talk.objects.get(pk=talk.pk).notified_at is None


def test_no_notice_after_the_talk(client, talk, programme, coming):
    Talk.objects.filter(pk=talk.pk).update(starts_at=coming)
    talk.refresh_from_db()
    records.save_record(programme.staff, talk, held_on=TALK_DAY, start_time=datetime.time(9),
                        end_time=datetime.time(10), place="", lead_name="主谈人", present=[], recorder_name="记录人",
                        entries=[("question", "问题")])
    client.force_login(programme.staff)
    response = client.post(reverse("talks:send_notice", args=[talk.pk]), follow=True)
    assert _messages(response) == ["谈话已经进行,不再发出通知。"]
    assert Talk.objects.get(pk=talk.pk).notified_at is None


def test_a_round_notices_at_once(client, talk, programme, make_user):
    round_ = talk.round
    client.force_login(programme.secretary)
    assert client.post(reverse("talks:round_send_notices", args=[round_.pk])).status_code == 403
    client.force_login(programme.staff)
    assert "批量发出通知" in client.get(reverse("talks:round", args=[round_.pk])).content.decode()
    services.send_notice(programme.staff, talk)  # one already sent: left as it is
    response = client.post(reverse("talks:round_send_notices", args=[round_.pk]), follow=True)
    others = round_.talks.exclude(pk=talk.pk)
    assert _messages(response) == [f"已记录 {others.count()} 份谈话通知发出。"]
    assert not round_.talks.filter(notified_at__isnull=True).exists()
    assert set(round_.talks.values_list("notified_by", flat=True)) == {programme.staff.pk}
    response = client.post(reverse("talks:round_send_notices", args=[round_.pk]), follow=True)
    assert _messages(response) == ["本批次没有待发出的谈话通知。"]
