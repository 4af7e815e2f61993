"""The viewer's filter and the .xlsx export."""

import datetime

import openpyxl
import pytest
from django.http import QueryDict

from tanhua.audit import services
from tanhua.audit.exports import export_entries
from tanhua.audit.models import AuditEntry
from tanhua.audit.selectors import filtered_entries

UTC = datetime.UTC


def record_at(monkeypatch, when, *args, **kwargs):
    # The service takes the time itself; entries are append-only, so the clock is moved instead.
    with monkeypatch.context() as patch:
        patch.setattr(services.timezone, "now", lambda: when)
        return services.record(*args, **kwargs)


@pytest.fixture
def entries(monkeypatch, make_user):
    jiwei, admin = make_user("jiwei"), make_user("admin")
    return [
        # 2025-03-01 23:30 and 2025-03-02 00:10 in Beijing.
        record_at(monkeypatch, datetime.datetime(2025, 3, 1, 15, 30, tzinfo=UTC), "update", user=jiwei,
                  object_type="registry.cadre", object_id="7", summary={"post": ["副主任", "主任"]}),
        record_at(monkeypatch, datetime.datetime(2025, 3, 1, 16, 10, tzinfo=UTC), "login", user=admin,
                  result="failure"),
        record_at(monkeypatch, datetime.datetime(2025, 3, 5, 2, 0, tzinfo=UTC), "export", user=jiwei,
                  object_type="registry.cadre"),
    ]


def seqs(params):
    return [e.seq for e in filtered_entries(params)]


def test_filters(entries):
    assert seqs({}) == [3, 2, 1]
    assert seqs({"user": "JIWEI"}) == [3, 1]
    assert seqs({"action": "login"}) == [2]
    assert seqs({"object_type": "registry.cadre", "object_id": "7"}) == [1]
    assert seqs({"result": "failure"}) == [2]
    # Whole days in Beijing time, both ends included.
    assert seqs({"end": "2025-03-01"}) == [1]
    assert seqs({"start": "2025-03-02"}) == [3, 2]
    assert seqs({"start": "2025-03-02", "end": "2025-03-02"}) == [2]
    assert seqs(QueryDict("user=jiwei&start=2025-03-02")) == [3]


def test_bad_values_are_dropped_valid_ones_kept(entries):
    assert seqs({"start": "2025-13-01", "user": "admin"}) == [2]
    assert seqs({"end": "昨天", "action": "nonsense"}) == [3, 2, 1]


def test_filter_makes_one_query(entries, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert [e.user.username for e in filtered_entries({})] == ["jiwei", "admin", "jiwei"]


def test_export(entries, monkeypatch, tmp_path):
    record_at(monkeypatch, datetime.datetime(2025, 3, 6, 0, 30, 5, tzinfo=UTC), "delete", object_repr="=HYPERLINK(\"x\")",
              summary={"备注": "=SUM(A1:A9)", "日期": datetime.date(2025, 3, 1)}, address="-1")
    out = tmp_path / "audit.xlsx"
    assert export_entries(filtered_entries({}), out) == 4
    sheet = openpyxl.load_workbook(out).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "审计日志"
    assert rows[1] == ("序号", "时间", "用户", "地址", "操作", "对象类型", "对象编号", "对象", "摘要", "结果", "本条哈希")
    assert sheet.freeze_panes == "A3"
    newest = AuditEntry.objects.get(seq=4)
    assert rows[2] == (
        4, "2025年3月6日 08:30:05", None, "-1", "删除", None, None, '=HYPERLINK("x")',
        '{"备注": "=SUM(A1:A9)", "日期": "2025-03-01"}', "成功", newest.hash,
    )
    assert rows[4][:6] == (2, "2025年3月2日 00:10:00", "admin", None, "登录", None)
    assert rows[4][9] == "失败"
    # Text that looks like a formula stays text.
    assert sheet["H3"].data_type == "s" and sheet["D3"].data_type == "s"
    assert len(rows) == 2 + 4


def test_auditor_pages_filter_and_audited_export(client, entries, make_user):
    client.force_login(make_user("shenji", None, ["auditor"]))
    html = client.get("/audit/", {"action": "update"}).content.decode()
    assert "registry.cadre" in html and "主任" in html and "2025年3月1日" in html
    assert "登录" not in html.split("<tbody>")[1]  # the filtered-out failure is not listed
    response = client.get("/audit/export.xlsx", {"user": "jiwei"})
    sheet = openpyxl.load_workbook(__import__("io").BytesIO(b"".join(response.streaming_content))).active
    assert [row[0] for row in sheet.iter_rows(min_row=3, values_only=True)] == [3, 1]
    export = AuditEntry.objects.order_by("-seq").first()
    assert (export.action, export.username, export.object_type) == ("export", "shenji", "audit.auditentry")
    assert export.summary == {"filters": {"user": "jiwei"}, "rows": 2}


def test_staff_cannot_read_the_audit_log(client, entries, make_user):
    client.force_login(make_user("cx", "CX", ["staff"]))
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/export.xlsx").status_code == 403
    # The refusal is itself recorded.
    denied = AuditEntry.objects.filter(result="denied").order_by("seq")
    assert [(e.username, e.object_repr) for e in denied] == [("cx", "/audit/"), ("cx", "/audit/export.xlsx")]
