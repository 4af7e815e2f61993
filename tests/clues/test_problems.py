"""Problem lists: one row per matter (grouped clues count once), open problems only, scoped, exported."""

import datetime
import io

import openpyxl
from django.urls import reverse

from tanhua.audit.models import AuditEntry
from tanhua.clues import duplicates, selectors, services
from tanhua.clues.models import DuplicateSuggestion

HOTLINE = "市民来电:李庆庆经常被宏远建设的老板请吃饭,在乡里人家农家乐吃喝,喝的是好酒,老板买单。"
LETTER = ("反映城厢街道党工委书记李庆庆于10月12日晚在城郊“乡里人家”农家乐接受清河市宏远建设有限公司负责人宴请,"
          "席间饮用高档白酒,费用由企业支付。此类宴请今年以来已有多次。")


def test_grouped_clues_are_one_problem_with_every_source(make_clue, make_cadre, make_user, vocab, tree):
    cadre = make_cadre("CX01", name="李庆庆", post="党工委书记")
    user = make_user("cx", "CX", ["staff"])
    letter = make_clue(cadre=cadre, content=LETTER, received_on=datetime.date(2026, 10, 20))
    hotline = make_clue(cadre=cadre, content=HOTLINE, source=vocab["hotline"], received_on=datetime.date(2026, 11, 1))
    duplicates.confirm(user, DuplicateSuggestion.objects.get())
    unit_only = make_clue("CX01", summary="填表报数过多", content="要求各村每周报送台账。")
    closed = make_clue(cadre=cadre, summary="早已了结", content="已查清。")
    services.dispose(user, closed, "close", "不属实,予以了结")
    make_clue("SX01B", summary="外县的问题")

    rows = selectors.problem_list(user, unit=tree["CX01"])
    assert len(rows) == 2
    grouped = next(r for r in rows if len(r["clues"]) == 2)
    assert grouped["first"] == letter and {c.pk for c in grouped["clues"]} == {letter.pk, hotline.pk}
    assert grouped["sources"] == ["12345热线", "信访举报·来信"]
    assert {r["first"].pk for r in rows} == {letter.pk, unit_only.pk}
    assert [r["first"].pk for r in selectors.problem_list(user, cadre=cadre)] == [letter.pk]
    # Whole district: the county's problem is not in it.
    assert all(r["first"].unit.path.startswith(tree["CX"].path) for r in selectors.problem_list(user, unit=tree["CX"]))


def test_page_and_export(client, make_clue, make_cadre, make_user, tree):
    cadre = make_cadre("CX01", name="李庆庆")
    make_clue(cadre=cadre, summary="=公车私用", content="周末驾驶公务用车。")
    client.force_login(make_user("cx", "CX", ["staff"]))
    page = client.get(reverse("clues:problems"), {"unit": tree["CX01"].pk}).content.decode()
    assert "李庆庆" in page and "公车私用" in page and "data-print" in page
    response = client.get(reverse("clues:problems_export"), {"cadre": cadre.pk})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet["A1"].value.startswith("李庆庆问题清单")
    assert sheet["B3"].value == "李庆庆" and sheet["E3"].value == "'=公车私用"  # text, never a formula
    assert AuditEntry.objects.get(action="export").summary == {"problem_list": "李庆庆", "rows": 1}


def test_other_districts_problem_lists_do_not_exist(client, make_cadre, make_user, tree):
    outside = make_cadre("SX01B", name="王强")
    client.force_login(make_user("cx", "CX", ["staff"]))
    assert client.get(reverse("clues:problems"), {"unit": tree["SX"].pk}).status_code == 404
    assert client.get(reverse("clues:problems"), {"cadre": outside.pk}).status_code == 404
    assert client.get(reverse("clues:problems_export"), {"cadre": outside.pk}).status_code == 404
