"""A talk from preparation to the confirmed record through the pages, with its documents."""

import datetime
import io

import docx
import pytest
from django.urls import reverse
from django.utils import timezone

from tanhua.audit.models import AuditEntry
from tanhua.talks import records
from tanhua.talks.models import OutlineTemplate, Talk
from tests.talks.conftest import TALK_DAY

pytestmark = pytest.mark.django_db


def _text(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    document = docx.Document(io.BytesIO(body))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def _messages(response):
    return [str(m) for m in response.context["messages"]]


def test_preparation_report_record_confirmation(client, talk, programme, make_user, make_clue, make_cadre):
    staff, discipline = programme.staff, programme.discipline
    subject = make_user("subject", "CX01", ["cadre"], cadre=talk.cadre)
    clue = make_clue("CX01", cadre=talk.cadre, summary="违规接受宴请")
    client.force_login(staff)
    page = client.get(reverse("talks:talk", args=[talk.pk])).content.decode()
    assert "违规接受宴请" in page and "尚未提交" in page
    response = client.post(reverse("talks:prepare", args=[talk.pk]), {"chosen": [clue.pk], "action": "draft"},
                           follow=True)
    talk.refresh_from_db()
    assert "生成草稿" in _messages(response)[0] and "违规接受宴请" in talk.outline and "廉洁自律" in talk.outline
    client.post(reverse("talks:prepare", args=[talk.pk]),
                {"chosen": [clue.pk], "outline": talk.outline + "\n补充:公车管理", "action": "final"})
    talk.refresh_from_db()
    assert talk.status == "prepared" and talk.outline_final and talk.outline.endswith("补充:公车管理")
    outline = _text(client.get(reverse("talks:outline_doc", args=[talk.pk])))
    assert "谈话提纲" in outline and "违规接受宴请" in outline and "补充:公车管理" in outline

    # The subject hands in the half-month report: fifteen days, then the two itemised parts. The
    # talk is a week away then (days still to come are left for later), and held on TALK_DAY below.
    held_at = talk.starts_at
    soon = timezone.localdate() + datetime.timedelta(days=7)
    Talk.objects.filter(pk=talk.pk).update(starts_at=talk.starts_at.replace(year=soon.year, month=soon.month,
                                                                            day=soon.day), report_due=soon)
    client.force_login(subject)
    assert client.get(reverse("talks:talk", args=[talk.pk])).url == reverse("talks:my_talk", args=[talk.pk])
    assert client.get(reverse("talks:outline_doc", args=[talk.pk])).status_code == 302
    page = client.get(reverse("talks:my_talk", args=[talk.pk])).content.decode()
    assert page.count('name="day_') == 15 and "违规接受宴请" not in page
    days = {f"day_{n}": f"第{n + 1}天 召开专题会议" for n in range(15)}
    response = client.post(reverse("talks:my_talk_report", args=[talk.pk]), {**days, "day_4": ""}, follow=True)
    assert any("请填写当天的工作安排" in m for m in _messages(response))
    client.post(reverse("talks:my_talk_report", args=[talk.pk]),
                {**days, "after_hours": "陪伴家人\n读书", "integrity": "未收受礼品礼金"})
    assert talk.report.after_hours == ["陪伴家人", "读书"] and not talk.report.late
    assert [d["work"] for d in talk.report.days][-1] == ""  # the day before the due date is still to come
    Talk.objects.filter(pk=talk.pk).update(starts_at=held_at)
    client.force_login(staff)
    report = _text(client.get(reverse("talks:report_doc", args=[talk.pk])))
    assert "第8天 召开专题会议" in report and "陪伴家人" in report and "未收受礼品礼金" in report

    # The record, written by the group's recorder, then confirmed by the subject.
    client.force_login(discipline)
    form = client.get(reverse("talks:record", args=[talk.pk]))
    assert form.status_code == 200
    entries = {"entry-0-kind": "question", "entry-0-text": "如何管住公车?",
               "entry-1-kind": "answer", "entry-1-text": "建立公车使用台账。",
               "entry-2-kind": "disclosure", "entry-2-text": "主动说明下属单位违规列支费用",
               "entry-3-kind": "requirement", "entry-3-text": "两个月内整改到位", "entry-4-kind": "note", "entry-4-text": ""}
    base = {"held_on": TALK_DAY.isoformat(), "start_time": "09:00", "end_time": "10:05", "place": "谈话室",
            "lead_name": "纪委书记", "recorder_name": "记录员", "present": [m.pk for m in programme.members.all()]}
    page = client.post(reverse("talks:record", args=[talk.pk]), {**base, "end_time": "08:00", **entries})
    assert "结束时间应晚于开始时间" in page.content.decode()
    client.post(reverse("talks:record", args=[talk.pk]), {**base, **entries})
    talk.refresh_from_db()
    assert talk.status == "held" and [e.kind for e in talk.record.entries.all()] == [
        "question", "answer", "disclosure", "requirement"]
    client.force_login(subject)
    page = client.get(reverse("talks:my_talk", args=[talk.pk])).content.decode()
    assert "主动说明下属单位违规列支费用" in page and 'name="day_' not in page
    client.post(reverse("talks:my_talk_confirm", args=[talk.pk]))
    talk.refresh_from_db()
    assert talk.status == "confirmed" and talk.record.confirmed_how == "online"
    client.force_login(staff)
    record = _text(client.get(reverse("talks:record_doc", args=[talk.pk])))
    assert "谈话记录" in record and "如何管住公车?" in record and "两个月内整改到位" in record
    assert "谈话对象已于" in record
    response = client.post(reverse("talks:record", args=[talk.pk]), {**base, **entries}, follow=True)
    assert any("不能再修改" in m for m in _messages(response))
    views = AuditEntry.objects.filter(action="view", object_type="talks.talk", object_id=str(talk.pk)).count()
    assert views >= 3  # the talk page, the subject's page and the document each read the record
    round_list = _text(client.get(reverse("talks:round_list_doc", args=[talk.round_id])))
    assert "第1批谈话安排" in round_list and talk.cadre.name in round_list


def test_records_are_not_readable_outside_the_scope_or_before_they_exist(client, talk, make_user):
    stranger = make_user("sx-staff", "SX", ["staff"])
    client.force_login(stranger)
    for name in ("talks:talk", "talks:record_doc", "talks:outline_doc", "talks:record"):
        assert client.get(reverse(name, args=[talk.pk])).status_code == 404
    subject = make_user("subject", "CX01", ["cadre"], cadre=talk.cadre)
    client.force_login(subject)
    assert client.get(reverse("talks:record_doc", args=[talk.pk])).status_code == 404  # nothing written yet
    assert not AuditEntry.objects.filter(action="view", object_type="talks.talk").exists()


def test_outline_templates_are_managed_data(client, make_user, talk, programme):
    city_staff = programme.staff  # at the root: the whole tree
    client.force_login(make_user("cx-staff", "CX", ["staff"]))
    assert client.get(reverse("talks:outline_templates")).status_code == 403
    client.force_login(city_staff)
    assert "落实全面从严治党主体责任" in client.get(reverse("talks:outline_templates")).content.decode()
    client.post(reverse("talks:outline_template_add"), {
        "title": "安全生产监管", "topics": "安全生产责任落实\n隐患排查", "unit_tags": "重点任务、权力集中",
        "order": 55, "active": "on"})
    added = OutlineTemplate.objects.get(title="安全生产监管")
    assert added.unit_tags == ["重点任务", "权力集中"]
    talk.unit.tags.create(name="权力集中")
    assert "安全生产监管" in records.draft_outline(city_staff, talk, [])
    assert AuditEntry.objects.filter(action="create", object_type="talks.outlinetemplate").exists()
    assert Talk.objects.count() == 5


def test_targeted_admonishment_talk(client, programme, cadres, tree, make_user):
    from tanhua.talks import services

    staff = programme.staff
    admonish = services.create_programme(staff, unit=tree["QH"], name="诫勉谈话", kind="admonishment",
                                         lead_rule="fixed", head_lead=programme.discipline)
    client.force_login(staff)
    page = client.post(reverse("talks:targeted_add", args=[admonish.pk]),
                       {"cadre_text": "不存在的人", "starts_at": "2026-11-10T15:00", "reason": "x"}).content.decode()
    assert "没有“不存在的人”这名干部" in page
    response = client.post(reverse("talks:targeted_add", args=[admonish.pk]), {
        "cadre_text": cadres[2].id_number, "starts_at": "2026-11-10T15:00", "place": "纪委谈话室",
        "reason": "经初步核实,违规发放津补贴问题属实"})
    talk = Talk.objects.get(programme=admonish)
    assert response.url == reverse("talks:talk", args=[talk.pk])
    assert talk.origin == "targeted" and talk.lead == programme.discipline and talk.round is None
    client.post(reverse("talks:record", args=[talk.pk]), {
        "held_on": TALK_DAY.isoformat(), "start_time": "15:00", "end_time": "15:40", "lead_name": "纪委书记",
        "recorder_name": "记录员", "entry-0-kind": "requirement", "entry-0-text": "深刻反省"})
    talk.refresh_from_db()
    assert talk.status == "planned"  # refused: the influence period is missing
    client.post(reverse("talks:record", args=[talk.pk]), {
        "held_on": TALK_DAY.isoformat(), "start_time": "15:00", "end_time": "15:40", "lead_name": "纪委书记",
        "recorder_name": "记录员", "influence_months": 6, "entry-0-kind": "requirement", "entry-0-text": "深刻反省"})
    talk.refresh_from_db()
    assert talk.status == "held" and str(talk.record.influence_end) == "2027-05-09"
    record = _text(client.get(reverse("talks:record_doc", args=[talk.pk])))
    assert "影响期6个月" in record and "2027年5月9日" in record


def test_pdf_where_libreoffice_is_installed(client, talk, programme, monkeypatch):
    import shutil

    from tanhua.talks import documents

    client.force_login(programme.staff)
    url = reverse("talks:notice", args=[talk.pk]) + "?format=pdf"
    if shutil.which("soffice") or shutil.which("libreoffice"):
        response = client.get(url)
        assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    monkeypatch.setattr(documents.shutil, "which", lambda name: None)
    response = client.get(url)
    assert response.status_code == 503 and "未安装 LibreOffice" in response.content.decode()


def test_an_administrator_replaces_a_document_template(client, make_user, talk, programme, settings, tmp_path):
    settings.TANHUA_DOC_TEMPLATE_DIR = str(tmp_path / "doc_templates")
    admin = make_user("admin", "QH", ["admin"])
    client.force_login(admin)
    original = b"".join(client.get(reverse("talks:doc_template_download", args=["notice"])).streaming_content)
    # A replacement: the default with its title changed, as an office would do in Word.
    document = docx.Document(io.BytesIO(original))
    title = next(p for p in document.paragraphs if "谈话通知书" in p.text)
    title.runs[0].text = "谈 话 通 知"
    for run in title.runs[1:]:
        run.text = ""
    replaced = io.BytesIO()
    document.save(replaced)
    broken = docx.Document(io.BytesIO(original))
    broken.add_paragraph("{{ unclosed")
    bad = io.BytesIO()
    broken.save(bad)
    bad.name = "bad.docx"
    bad.seek(0)
    response = client.post(reverse("talks:doc_template_upload", args=["notice"]), {"file": bad}, follow=True)
    assert any("文书模板 notice.docx 有误" in m for m in _messages(response))
    replaced.name = "mine.docx"
    replaced.seek(0)
    response = client.post(reverse("talks:doc_template_upload", args=["notice"]), {"file": replaced}, follow=True)
    assert any("已替换" in m for m in _messages(response)), _messages(response)
    assert (tmp_path / "doc_templates" / "notice.docx").exists()
    client.force_login(programme.staff)
    assert "谈 话 通 知" in _text(client.get(reverse("talks:notice", args=[talk.pk])))
    client.force_login(admin)
    client.post(reverse("talks:doc_template_reset", args=["notice"]))
    client.force_login(programme.staff)
    assert "谈话通知书" in _text(client.get(reverse("talks:notice", args=[talk.pk])))
    assert AuditEntry.objects.filter(object_type="talks.doctemplate").count() == 2
