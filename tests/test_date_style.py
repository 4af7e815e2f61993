"""One date style wherever a person reads a date: 2026年12月2日, never 2026-12-02 or 2026年12月02日.

A typical flow (a drawn round's talk, a clue with a written inquiry, a rectification item) is
walked through its pages, documents and workbooks, and every text a person reads is searched for
ISO or zero-padded dates. Form values and links (data for the browser) are not read.
"""

import datetime
import io
import re
from html.parser import HTMLParser

import docx
import openpyxl
import pytest
from django.urls import reverse

from tanhua.clues import services as clue_services
from tanhua.rectification import services as rectification_services
from tanhua.rectification.models import Item
from tests.talks.conftest import cadres, programme, talk  # noqa: F401  (a drawn round's talks)

pytestmark = pytest.mark.django_db

ISO = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{4}/\d{1,2}/\d{1,2}")
PADDED = re.compile(r"\d{4}年0\d月|月0\d日")


class _Text(HTMLParser):
    """The text of a page as a person reads it: no attributes, scripts or styles."""

    def __init__(self):
        super().__init__()
        self.parts, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        self.skip += tag in ("script", "style")

    def handle_endtag(self, tag):
        self.skip -= tag in ("script", "style") and self.skip > 0

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def page_text(response):
    assert response.status_code == 200, response
    parser = _Text()
    parser.feed(response.content.decode())
    return " ".join(parser.parts)


def docx_text(response):
    assert response.status_code == 200, response
    document = docx.Document(io.BytesIO(b"".join(response.streaming_content)))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def workbook_text(response):
    assert response.status_code == 200, response
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    # Text cells only: a real date cell is a value with a number format. The audit log's summaries
    # are JSON, data for machines, and keep ISO dates.
    return "\n".join(v for sheet in book for row in sheet.iter_rows(values_only=True) for v in row
                     if isinstance(v, str) and not v.startswith("{"))


def test_people_read_one_date_style(client, programme, talk, make_clue, make_user, make_cadre):  # noqa: F811
    staff = programme.staff
    cadre = make_cadre("CX01", name="李庆庆")
    clue = make_clue("CX01", cadre=cadre, user=staff, received_on=datetime.date(2026, 11, 2))
    clue_services.dispose(staff, clue, disposition="inquiry", reason="问题较具体,先函询")
    inquiry = clue_services.issue_inquiry(staff, clue, questions="是否接受过企业宴请?")
    owner = make_user("owner", "CX01", ["cadre"], cadre=cadre)
    item = rectification_services.create_item(
        staff, unit=cadre.unit, origin=Item.Origin.PROBLEM, problem="公车私用问题多发", measures="建立台账",
        owner=owner, leader=programme.discipline, start_on=datetime.date(2026, 11, 2),
        due_on=datetime.date(2027, 2, 7))
    client.force_login(staff)
    read = {
        "talk page": page_text(client.get(reverse("talks:talk", args=[talk.pk]))),
        "round page": page_text(client.get(reverse("talks:round", args=[talk.round_id]))),
        "clue page": page_text(client.get(reverse("clues:detail", args=[clue.pk]))),
        "item page": page_text(client.get(reverse("rectification:item", args=[item.pk]))),
        "notice": docx_text(client.get(reverse("talks:notice", args=[talk.pk]))),
        "inquiry letter": docx_text(client.get(reverse("clues:inquiry_letter", args=[inquiry.pk]))),
        "ledger": workbook_text(client.get(reverse("rectification:ledger_export"))),
        "problem list": workbook_text(client.get(reverse("clues:problems_export"), {"unit": cadre.unit_id})),
        "roster": workbook_text(client.get(reverse("registry:export"))),
    }
    client.force_login(make_user("shenji", "QH", ["auditor"]))
    read["audit log"] = workbook_text(client.get(reverse("audit:export")))

    assert "时限 2027年2月7日" in read["item page"]  # the history says the date as people write it
    for where, text in read.items():
        assert not ISO.findall(text), (where, ISO.findall(text))
        assert not PADDED.findall(text), (where, PADDED.findall(text))
