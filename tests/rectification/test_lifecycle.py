"""An item's whole life: progress with evidence, sign-off, send-back, closing, escalation, follow-up."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tanhua.audit.models import AuditEntry
from tanhua.rectification import services
from tanhua.rectification.models import FollowUp, Item

pytestmark = pytest.mark.django_db


def _file(name="台账.pdf", size=10):
    return SimpleUploadedFile(name, b"%PDF" + b"0" * size, content_type="application/pdf")


def test_life_cycle_with_send_back(item, people, settings, tmp_path):
    settings.RECTIFICATION_FILE_DIR = tmp_path / "files"
    owner, leader = people["owner"], people["leader"]
    # Yellow once half the time limit is used (30 of 60 days), red when overdue.
    assert item.warn_on == datetime.date(2026, 12, 1) and item.light(datetime.date(2026, 11, 30)) == "green"
    assert item.light(datetime.date(2026, 12, 1)) == "yellow" and item.light(datetime.date(2026, 12, 31)) == "yellow"
    assert item.light(datetime.date(2027, 1, 1)) == "red"
    with pytest.raises(services.RectificationError, match="责任人本人"):
        services.report_progress(leader, item, text="已整改")
    with pytest.raises(services.RectificationError, match="证明材料"):
        services.report_progress(owner, item, text="已整改", ask_sign_off=True)
    with pytest.raises(services.RectificationError, match="不支持的文件类型"):
        services.report_progress(owner, item, text="已建台账", files=[_file("run.exe")])
    services.report_progress(owner, item, text="已建立公车台账", files=[_file()])
    item.refresh_from_db()
    assert item.status == Item.Status.IN_PROGRESS and item.evidence.count() == 1
    stored = item.evidence.get()
    assert stored.path.exists() and "." not in stored.stored_name and stored.path.parent == tmp_path / "files"
    services.report_progress(owner, item, text="整改完成,申请销号", ask_sign_off=True)
    with pytest.raises(services.RectificationError, match="理由"):
        services.verify(leader, item, accept=False)
    services.verify(leader, item, accept=False, reason="台账缺少11月记录")
    item.refresh_from_db()
    assert item.status == Item.Status.RETURNED
    services.report_progress(owner, item, text="补齐11月记录", files=[_file("11月.jpg")], ask_sign_off=True)
    with pytest.raises(services.RectificationError, match="责任领导"):
        services.verify(people["staff"], item, accept=True)
    services.verify(leader, item, accept=True)
    item.refresh_from_db()
    assert item.status == Item.Status.CLOSED and item.closed_at and item.light(datetime.date(2027, 3, 1)) == "done"
    actions = list(item.events.values_list("action", flat=True))
    assert actions == ["建立整改事项", "报告进展", "申请销号", "退回", "申请销号", "核实销号"]
    assert item.follow_ups.count() == 2  # one before the time limit, one after closing
    assert AuditEntry.objects.filter(object_type="rectification.item", object_id=str(item.pk)).count() == 6


def test_escalation_steps(item, people):
    staff = people["staff"]
    with pytest.raises(services.RectificationError, match="尚未逾期"):
        services.escalate(staff, item, reason="督促", today=datetime.date(2026, 12, 31))
    services.escalate(staff, item, reason="逾期未报告进展", today=datetime.date(2027, 1, 2))
    item.refresh_from_db()
    assert item.escalation == Item.Escalation.FLAGGED
    with pytest.raises(services.RectificationError, match="满 15 天"):
        services.escalate(staff, item, reason="仍未整改", new_due_on=datetime.date(2027, 2, 1),
                          today=datetime.date(2027, 1, 10))
    with pytest.raises(services.RectificationError, match="新的整改时限"):
        services.escalate(staff, item, reason="仍未整改", today=datetime.date(2027, 1, 20))
    services.escalate(staff, item, reason="仍未整改", new_due_on=datetime.date(2027, 2, 20),
                      today=datetime.date(2027, 1, 20))
    item.refresh_from_db()
    assert item.escalation == Item.Escalation.ORDER and item.due_on == datetime.date(2027, 2, 20)
    with pytest.raises(services.RectificationError, match="尚未逾期"):
        services.escalate(staff, item, reason="再升级", today=datetime.date(2027, 2, 10))
    services.escalate(staff, item, reason="限期内仍未整改", today=datetime.date(2027, 2, 25))
    item.refresh_from_db()
    assert item.escalation == Item.Escalation.HANDLING
    assert [e.action for e in item.events.all()][1:] == ["逾期提醒责任领导", "责令限期整改", "移交纪律处分/组织处理"]


def test_a_recurring_problem_reopens_the_item(item, people, settings, tmp_path):
    settings.RECTIFICATION_FILE_DIR = tmp_path
    services.report_progress(people["owner"], item, text="完成", files=[_file()], ask_sign_off=True)
    services.verify(people["leader"], item, accept=True)
    visit = FollowUp.objects.filter(item=item).order_by("-planned_on").first()
    today = timezone.localdate()  # a visit is not dated after today
    with pytest.raises(services.RectificationError, match="回访情况"):
        services.record_follow_up(people["leader"], visit, done_on=today, way="spot", findings=" ", recurred=True)
    reopened = services.record_follow_up(people["leader"], visit, done_on=today, way="spot",
                                         findings="抽查发现周末仍有公车停放在饭店门口", recurred=True)
    assert reopened.status == Item.Status.IN_PROGRESS
    assert reopened.due_on == max(datetime.date(2026, 12, 31), today) + datetime.timedelta(days=30)
    assert reopened.closed_at is None
