"""Control characters pasted from Word never get in through a form (issue 13): the clue form
used to store \\x0b as it was, and the problem-list export then answered 500."""

import io

import openpyxl
import pytest
from django.urls import reverse

from tanhua.clues.models import Clue
from tanhua.text import without_controls

pytestmark = pytest.mark.django_db


def test_without_controls_keeps_line_breaks_and_tabs():
    assert without_controls("公车\x0b私用\x00\x07") == "公车 私用  "
    assert without_controls("第一行\r\n第二行\t甲") == "第一行\r\n第二行\t甲"


def test_a_word_line_break_in_the_clue_form_is_cleaned_and_the_export_works(client, make_user, vocab, tree):
    client.force_login(make_user("cx", "CX", ["staff"]))
    form = {"source": vocab["hotline"].pk, "received_on": "2026-11-03", "unit": tree["CX01"].pk,
            "category": vocab["luxury"].pk, "summary": "公车\x0b私用", "content": "周末\x0b驾驶公务用车。\n第二段\x07",
            "reporter_anonymous": "on"}
    response = client.post(reverse("clues:add"), form)
    clue = Clue.objects.get()
    assert response.status_code == 302 and clue.summary == "公车 私用"
    assert clue.content.startswith("周末 驾驶公务用车。\n第二段")
    export = client.get(reverse("clues:problems_export"), {"unit": tree["CX01"].pk})
    assert export.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    assert any("公车 私用" in str(cell.value) for row in sheet.iter_rows() for cell in row)
