"""The ledger and items through the pages: from a talk, evidence, scoping, export, notifications."""

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tanhua.audit.models import AuditEntry
from tanhua.rectification import reminders
from tanhua.rectification.models import Item, Meeting, Notification
from tanhua.talks import records
from tests.talks.conftest import TALK_DAY

pytestmark = pytest.mark.django_db


def _messages(response):
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def held_talk(talk, programme):
    records.save_record(programme.staff, talk, held_on=TALK_DAY, start_time=datetime.time(9),
                        end_time=datetime.time(10), place="", lead_name="纪委书记", present=[], recorder_name="记录员",
                        entries=[("question", "问"), ("problem", "公车私用问题多发"), ("requirement", "两个月内整改到位")])
    return talk


def test_items_from_a_talk_then_evidence_and_sign_off(client, held_talk, programme, make_user):
    staff, discipline = programme.staff, programme.discipline
    subject = make_user("subject", "CX01", ["cadre"], cadre=held_talk.cadre)
    client.force_login(staff)
    page = client.get(reverse("rectification:from_talk", args=[held_talk.pk])).content.decode()
    assert "公车私用问题多发" in page and "两个月内整改到位" in page and "问</textarea>" not in page
    entries = list(held_talk.record.entries.filter(kind__in=["problem", "requirement"]))
    client.post(reverse("rectification:from_talk", args=[held_talk.pk]), {
        f"take-{entries[0].pk}": "1", f"problem-{entries[0].pk}": "公车私用问题多发(谈话指出)",
        f"measures-{entries[0].pk}": "建立公车使用台账"})
    item = Item.objects.get()
    assert item.problem == "公车私用问题多发(谈话指出)" and item.owner == subject and item.leader == discipline
    assert item.due_on == TALK_DAY + datetime.timedelta(days=60)
    client.force_login(subject)
    response = client.post(reverse("rectification:report", args=[item.pk]), {
        "text": "已建立台账", "sign_off": "on", "files": [SimpleUploadedFile("run.sh", b"rm -rf /")]}, follow=True)
    assert any("不支持的文件类型" in m for m in _messages(response))
    client.post(reverse("rectification:report", args=[item.pk]), {
        "text": "已建立台账,申请销号", "sign_off": "on", "files": [SimpleUploadedFile("台账.pdf", b"%PDF-1.4 ledger")]})
    item.refresh_from_db()
    assert item.status == "awaiting"
    evidence = item.evidence.get()
    download = client.get(reverse("rectification:evidence", args=[evidence.pk]))
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == b"%PDF-1.4 ledger"
    # Someone outside the scope guessing the URL gets nothing, and nor does an unrelated cadre.
    client.force_login(make_user("sx-staff", "SX", ["staff"]))
    assert client.get(reverse("rectification:evidence", args=[evidence.pk])).status_code == 404
    assert client.get(reverse("rectification:item", args=[item.pk])).status_code == 404
    client.force_login(discipline)
    client.post(reverse("rectification:verify", args=[item.pk]), {"decision": "accept"})
    item.refresh_from_db()
    assert item.status == "closed"
    assert AuditEntry.objects.filter(action="download", object_type="rectification.item").count() == 1


def test_ledger_export_and_rates(client, people, item):
    client.force_login(people["staff"])
    page = client.get(reverse("rectification:ledger")).content.decode()
    assert "公车私用问题多发" in page and "0.0%" in page
    response = client.get(reverse("rectification:ledger_export"), {"status": "pending"})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet["A1"].value.startswith("整改台账") and sheet["C3"].value == "公车私用问题多发"
    assert sheet["E3"].value == "owner" and sheet["I3"].value == "待整改" and sheet.max_row == 3
    assert AuditEntry.objects.filter(action="export", object_type="rectification.item").exists()
    client.force_login(people["outsider"])
    assert "公车私用问题多发" not in client.get(reverse("rectification:ledger")).content.decode()
    empty = client.get(reverse("rectification:ledger_export"))
    assert openpyxl.load_workbook(io.BytesIO(b"".join(empty.streaming_content))).active.max_row == 2


def test_notifications_page_and_count(client, people, item):
    reminders.run(item.due_on)
    owner = people["owner"]
    client.force_login(owner)
    assert client.get(reverse("rectification:notifications_count")).content.decode().count(">1<") == 1
    page = client.get(reverse("rectification:notifications")).content.decode()
    assert "今天(2026年12月31日)到期" in page
    client.post(reverse("rectification:notifications_read"))
    assert client.get(reverse("rectification:notifications_count")).content == b""
    assert Notification.objects.filter(user=owner, read_at__isnull=True).count() == 0


def test_meeting_before_during_after(client, people):
    staff = people["staff"]
    client.force_login(staff)
    client.post(reverse("rectification:meeting_add"), {"unit": people["tree"]["CX01"].pk, "title": "2026年度民主生活会",
                                                        "held_on": "2026-12-20", "before": "会同信访室审核问题清单"})
    meeting = Meeting.objects.get()
    client.post(reverse("rectification:meeting", args=[meeting.pk]), {
        "unit": meeting.unit_id, "title": meeting.title, "held_on": "2026-12-20", "before": meeting.before,
        "during": "班子对照检查材料不够深刻,批评与自我批评辣味不足"})
    meeting.refresh_from_db()
    assert "辣味不足" in meeting.during
    client.post(reverse("rectification:meeting_item", args=[meeting.pk]), {
        "unit": meeting.unit_id, "problem": "对照检查材料不深刻", "owner": people["owner"].pk, "leader": staff.pk,
        "start_on": "2026-12-20", "due_on": "2027-02-20"})
    item = Item.objects.get(meeting=meeting)
    assert item.origin == "meeting" and item.leader == staff
    client.force_login(people["outsider"])
    assert client.get(reverse("rectification:meeting", args=[meeting.pk])).status_code == 404


def test_ledger_query_count_does_not_grow(client, people):
    import datetime as dt

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tanhua.rectification import services

    def add(n):
        for i in range(n):
            services.create_item(people["staff"], unit=people["tree"]["CX01"], origin="problem", problem=f"问题{i}",
                                 owner=people["owner"], leader=people["leader"], start_on=dt.date(2026, 11, 1),
                                 due_on=dt.date(2026, 12, 1) + dt.timedelta(days=i))

    client.force_login(people["staff"])
    client.get(reverse("rectification:ledger"))  # the session's first request writes its idle stamp

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("rectification:ledger")).status_code == 200
        return len(captured)

    add(2)
    before = count()
    add(30)
    assert count() == before
