"""Registering, scoping, reporter secrecy, disposition and the written-inquiry flow."""

import datetime
import io

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from tanhua.audit.models import AuditEntry
from tanhua.clues import selectors, services
from tanhua.clues.models import Clue, Inquiry, Light


def test_numbers_count_per_unit_and_year(make_clue):
    first, second = make_clue("CX01"), make_clue("CX01")
    other_unit = make_clue("SX01B")
    last_year = make_clue("CX01", received_on=datetime.date(2025, 12, 30))
    assert [first.number, second.number] == ["CX01-2026-0001", "CX01-2026-0002"]
    assert other_unit.number == "SX01B-2026-0001" and last_year.number == "CX01-2025-0001"


def test_a_cadre_alone_names_the_unit_and_the_default_time_limit(make_clue, make_cadre):
    cadre = make_cadre("CX01B", name="李庆庆")
    clue = make_clue(None, cadre=cadre)
    assert clue.unit == cadre.unit and clue.unit_path == cadre.unit.path
    assert clue.due_on == clue.received_on + datetime.timedelta(days=30)
    assert clue.warn_on == clue.received_on + datetime.timedelta(days=15)


def test_reporter_is_encrypted_at_rest_and_shown_only_to_the_petition_office(client, make_clue, make_user):
    clue = make_clue("CX01", reporter_name="王秀英", reporter_contact="13912345678")
    with connection.cursor() as cursor:
        cursor.execute("SELECT reporter_name_sealed, reporter_contact_sealed FROM clues_clue WHERE id = %s", [clue.pk])
        row = cursor.fetchone()
    assert "王秀英" not in row[0] and "13912345678" not in row[1]

    client.force_login(make_user("cx", "CX", ["staff"]))
    page = client.get(reverse("clues:detail", args=[clue.pk])).content.decode()
    assert "王秀英" not in page and "仅信访室可见" in page
    assert client.post(reverse("clues:reporter", args=[clue.pk])).status_code == 403
    denied = AuditEntry.objects.get(action="view", result="denied", object_id=str(clue.pk))
    assert denied.summary == {"field": "reporter"}

    client.force_login(make_user("xf", "CX", ["petition"]))
    shown = client.post(reverse("clues:reporter", args=[clue.pk])).content.decode()
    assert "王秀英" in shown and "13912345678" in shown
    reads = AuditEntry.objects.filter(action="view", object_id=str(clue.pk), result="success", username="xf")
    assert [e.summary for e in reads] == [{"field": "reporter"}]
    # No audit entry carries the reporter or the content.
    for entry in AuditEntry.objects.all():
        text = str(entry.summary) + entry.object_repr
        assert "王秀英" not in text and "1391" not in text and "农家乐" not in text


def test_district_users_see_only_their_districts_clues(client, make_clue, make_user):
    inside, outside = make_clue("CX01", summary="城厢的线索"), make_clue("SX01B", summary="沙溪的线索")
    attachment = services.add_attachment(None, outside, SimpleUploadedFile("证据.pdf", b"%PDF-1.4 evidence"))
    client.force_login(make_user("cx", "CX", ["staff"]))
    page = client.get(reverse("clues:list")).content.decode()
    assert "城厢的线索" in page and "沙溪的线索" not in page
    assert client.get(reverse("clues:list"), {"q": "沙溪"}).context["page"].paginator.count == 0
    assert client.get(reverse("clues:detail", args=[outside.pk])).status_code == 404
    assert client.get(reverse("clues:attachment", args=[attachment.pk])).status_code == 404
    assert client.post(reverse("clues:dispose", args=[outside.pk]), {"disposition": "close", "reason": "x"}
                       ).status_code == 404
    assert client.get(reverse("clues:detail", args=[inside.pk])).status_code == 200


def test_reading_a_clue_is_audited(client, make_clue, make_user):
    clue = make_clue("CX01")
    client.force_login(make_user("cx", "CX", ["staff"]))
    client.get(reverse("clues:detail", args=[clue.pk]), REMOTE_ADDR="10.2.2.2")
    entry = AuditEntry.objects.get(action="view")
    assert (entry.username, entry.address, entry.object_type, entry.object_id) == (
        "cx", "10.2.2.2", "clues.clue", str(clue.pk))


def test_registering_through_the_form(client, make_user, make_cadre, vocab, tree):
    make_cadre("CX01B", name="李庆庆")
    make_cadre("SX01B", name="李庆庆")  # same name in another county: not a match for a 城厢 clue
    client.force_login(make_user("cx", "CX", ["staff"]))
    form = {"source": vocab["hotline"].pk, "received_on": "2026-11-03", "unit": tree["CX01"].pk,
            "cadre_text": "李庆庆", "category": vocab["luxury"].pk, "summary": "公车私用",
            "content": "周末多次驾驶单位公务用车接送子女。", "reporter_name": "张女士", "reporter_contact": "139"}
    response = client.post(reverse("clues:add"), form)
    clue = Clue.objects.get()
    assert response.url == reverse("clues:detail", args=[clue.pk])
    assert clue.cadre.unit.code == "CX01B" and clue.reporter_name() == "张女士"
    assert AuditEntry.objects.get(action="create", object_type="clues.clue").summary["summary"] == "公车私用"

    form.update(cadre_text="王五")
    assert "没有“王五”这名干部" in client.post(reverse("clues:add"), form).content.decode()
    form.update(cadre_text="李庆庆", unit=tree["SX"].pk)
    assert client.post(reverse("clues:add"), form).status_code == 200  # 沙溪县 is not a choice for this user
    assert Clue.objects.count() == 1


def test_traffic_lights_and_sorting(make_clue):
    today = datetime.date(2026, 11, 20)
    green = make_clue(received_on=datetime.date(2026, 11, 15), due_on=datetime.date(2026, 12, 15))
    yellow = make_clue(received_on=datetime.date(2026, 11, 1), due_on=datetime.date(2026, 12, 1))
    red = make_clue(received_on=datetime.date(2026, 10, 1), due_on=datetime.date(2026, 10, 31))
    done = make_clue(received_on=datetime.date(2026, 9, 1), due_on=datetime.date(2026, 9, 30))
    services.dispose(None, done, "close", "经了解,所反映问题已在专项整治中纠正,予以了结。")
    assert [c.light(today) for c in (green, yellow, red, Clue.objects.get(pk=done.pk))] == [
        Light.GREEN, Light.YELLOW, Light.RED, Light.DONE]

    class Staff:
        is_authenticated = is_active = True
        unit_id = cadre_id = None
        pk = 0
        _tanhua_scope = __import__("tanhua.accounts.scope", fromlist=["Scope"]).Scope(everything=True)

    _form, _unit, ordered = selectors.filtered_clues(Staff(), {"sort": "light"}, today=today)
    assert list(ordered) == [red, yellow, green, Clue.objects.get(pk=done.pk)]
    _form, _unit, reds = selectors.filtered_clues(Staff(), {"light": "red"}, today=today)
    assert list(reds) == [red]


def test_inquiry_from_letter_to_review(client, make_clue, make_cadre, make_user):
    cadre = make_cadre("CX01B", name="李庆庆")
    clue = make_clue("CX01B", cadre=cadre, reporter_name="王秀英")
    staff = make_user("cx", "CX", ["staff"])
    client.force_login(staff)
    client.post(reverse("clues:dispose", args=[clue.pk]), {"disposition": "inquiry", "reason": "问题较具体,先函询"})
    client.post(reverse("clues:inquiry_issue", args=[clue.pk]),
                {"questions": "1.是否接受过辖区企业宴请?\n2.费用由谁支付?"})
    inquiry = Inquiry.objects.get()
    assert inquiry.reply_due > datetime.date.today() and inquiry.letter_number == f"{clue.number}-函"
    letter = docx.Document(io.BytesIO(client.get(reverse("clues:inquiry_letter", args=[inquiry.pk])).getvalue()))
    text = "\n".join(p.text for p in letter.paragraphs)
    assert "函询通知书" in text and "李庆庆同志" in text and "是否接受过辖区企业宴请" in text
    assert "王秀英" not in text  # the letter never names the reporter
    body = letter.paragraphs[-1].runs[0]
    assert body.font.size.pt == 16

    # The cadre answers through their own login, and sees the questions but not the clue.
    me = make_user("lqq", "CX01B", ["cadre"], cadre=cadre)
    client.force_login(me)
    assert client.get(reverse("clues:detail", args=[clue.pk])).status_code == 403
    listing = client.get(reverse("clues:my_inquiries")).content.decode()
    assert inquiry.letter_number in listing
    page = client.get(reverse("clues:my_inquiry", args=[inquiry.pk])).content.decode()
    assert "是否接受过辖区企业宴请" in page and "农家乐" not in page and "王秀英" not in page
    reply = SimpleUploadedFile("说明.pdf", b"%PDF-1.4 reply")
    response = client.post(reverse("clues:my_inquiry", args=[inquiry.pk]),
                           {"text": "本人从未接受企业宴请,农家乐聚餐系同学聚会,费用AA。", "file": reply})
    assert response.status_code == 302
    inquiry.refresh_from_db()
    assert inquiry.replied_by == me and inquiry.reply_file_name == "说明.pdf"
    again = client.post(reverse("clues:my_inquiry", args=[inquiry.pk]), {"text": "补充"})
    assert "您已于" in again.content.decode()
    inquiry.refresh_from_db()
    assert inquiry.reply.startswith("本人从未")  # a reply cannot be replaced

    # Another cadre cannot see it.
    other = make_user("other", "CX01B", ["cadre"], cadre=make_cadre("CX01B", name="别人"))
    client.force_login(other)
    assert client.get(reverse("clues:my_inquiry", args=[inquiry.pk])).status_code == 404

    client.force_login(staff)
    client.post(reverse("clues:inquiry_review", args=[inquiry.pk]),
                {"conclusion": "false", "note": "经核,聚餐费用为个人AA支付", "follow_up": "予以了结"})
    client.post(reverse("clues:close", args=[clue.pk]), {"outcome_form": "", "outcome": "函询说明属实,予以了结"})
    clue.refresh_from_db()
    assert clue.status == "closed" and clue.outcome_form is None
    actions = list(clue.events.values_list("action", flat=True))
    assert actions == ["登记", "处置:谈话函询", "发出函询", "干部书面说明", "函询审核:不属实", "办结(未作处理)"]


def test_closing_with_a_form_of_the_four(make_clue, make_user):
    clue = make_clue()
    user = make_user("cx", "CX", ["staff"])
    with pytest.raises(services.ClueError, match="请先确定处置方式"):
        services.close(user, clue, outcome_form=1, outcome="提醒谈话")
    services.dispose(user, clue, "verify", "需初步核实")
    services.close(user, clue, outcome_form=1, outcome="经核实部分属实,进行提醒谈话")
    clue.refresh_from_db()
    assert clue.get_outcome_form_display() == "第一种形态"
    with pytest.raises(services.ClueError, match="已办结"):
        services.dispose(user, clue, "verify", "再核")


def test_attachments_are_checked_and_served_as_downloads(client, make_clue, make_user):
    clue = make_clue()
    client.force_login(make_user("cx", "CX", ["staff"]))
    client.post(reverse("clues:attach", args=[clue.pk]), {"file": SimpleUploadedFile("a.exe", b"MZ")})
    assert not clue.attachments.exists()
    client.post(reverse("clues:attach", args=[clue.pk]), {"file": SimpleUploadedFile("照片.jpg", b"\xff\xd8jpeg")})
    attachment = clue.attachments.get()
    assert "." not in attachment.stored_name  # stored without a suffix, never runnable
    response = client.get(reverse("clues:attachment", args=[attachment.pk]))
    assert response["Content-Type"] == "application/octet-stream"
    assert "attachment" in response["Content-Disposition"]
    assert AuditEntry.objects.filter(action="download", object_id=str(clue.pk)).exists()


def test_moving_a_unit_moves_its_clues(client, make_clue, make_user, tree):
    clue = make_clue("CX01B")
    client.force_login(make_user("admin", None, ["admin"]))
    client.post(reverse("registry:unit_edit", args=[tree["CX01B"].pk]),
                {"name": "党政办公室", "kind": "其他", "parent": tree["SX"].pk})
    clue.refresh_from_db()
    tree["CX01B"].refresh_from_db()
    assert clue.unit_path == tree["CX01B"].path


def test_administrator_manages_the_vocabularies(client, make_user, make_clue, vocab):
    from tanhua.clues.forms import ClueForm
    from tanhua.clues.models import Source

    make_clue()
    client.force_login(make_user("admin", None, ["admin"]))
    page = client.get(reverse("clues:vocabularies")).content.decode()
    assert "12345热线" in page and "奢靡之风" in page
    parent = Source.objects.get(name="信访举报")
    client.post(reverse("clues:vocabulary_save", args=["sources"]), {"name": "信访信息系统", "parent": parent.pk})
    assert Source.objects.filter(name="信访信息系统", parent=parent).exists()
    client.post(reverse("clues:vocabulary_save", args=["sources"]), {"pk": vocab["hotline"].pk, "active": "0"})
    vocab["hotline"].refresh_from_db()
    assert not vocab["hotline"].active
    form = ClueForm(actor=make_user("cx", "CX", ["staff"]))
    assert vocab["hotline"] not in form.fields["source"].queryset  # no longer offered
    assert AuditEntry.objects.filter(object_type="clues.source").count() == 2
    client.force_login(make_user("cx2", "CX", ["staff"]))
    assert client.get(reverse("clues:vocabularies")).status_code == 403


def test_four_forms_count_a_group_once(make_clue, make_cadre, make_user, vocab):
    from tanhua.clues.models import ClueGroup

    user = make_user("cx", "CX", ["staff"])
    cadre = make_cadre("CX01", name="李庆庆")
    a, b = make_clue(cadre=cadre, summary="甲"), make_clue(cadre=cadre, summary="乙", source=vocab["hotline"])
    group = ClueGroup.objects.create()
    Clue.objects.filter(pk__in=[a.pk, b.pk]).update(group=group)
    c = make_clue(cadre=cadre, summary="丙", content="另一件事:违规发放津补贴。")
    for clue, form in ((a, 1), (b, 1), (c, 2)):
        services.dispose(user, clue, "verify", "初核")
        services.close(user, clue, outcome_form=form, outcome="处理")
    make_clue("SX01B")  # outside the scope, still open anyway
    year = Clue.objects.get(pk=a.pk).closed_at.year
    assert selectors.form_counts(user, year) == {1: 1, 2: 1, 3: 0, 4: 0, None: 0}
