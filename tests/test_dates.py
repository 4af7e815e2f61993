"""One rule for the dates of things that happened, on every entry point: never after today, a
record never before its talk, a confirmation never before its record, no work reported for a
day still to come."""

import datetime
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tanhua import dates
from tanhua.clues import services as clue_services
from tanhua.clues.importer import import_clues
from tanhua.clues.models import Clue
from tests.clues.test_import import HEADER, row
from tests.conftest import write_xlsx

pytestmark = pytest.mark.django_db

def _tomorrow():
    return timezone.localdate() + datetime.timedelta(days=1)


def test_the_rule_and_its_message():
    today = datetime.date(2026, 12, 2)
    assert dates.happened_error(today, "受理日期", on=today) is None
    assert dates.happened_error(datetime.date(2026, 12, 3), "受理日期", on=today) == (
        "受理日期(2026年12月3日)晚于今天(2026年12月2日):尚未发生的事不能登记。")
    assert dates.happened_error(datetime.date(2026, 11, 30), "谈话日期", not_before=datetime.date(2026, 12, 1),
                                not_before_what="安排的谈话日期", on=today) == (
        "谈话日期(2026年11月30日)早于安排的谈话日期(2026年12月1日)。")
    assert dates.cn_date(datetime.date(2026, 3, 1)) == "2026年3月1日"


def test_a_future_clue_is_refused_by_the_form_the_importer_the_api_and_the_service(
        client, make_user, vocab, tree, tmp_path):
    user = make_user("cx", "CX", ["staff", "petition"])
    client.force_login(user)
    form = {"source": vocab["hotline"].pk, "received_on": _tomorrow().isoformat(), "unit": tree["CX01"].pk,
            "category": vocab["luxury"].pk, "summary": "公车私用", "content": "周末驾驶公务用车。",
            "reporter_anonymous": "on"}
    page = client.post(reverse("clues:add"), form).content.decode()
    assert "晚于今天" in page and "尚未发生的事不能登记" in page

    result = import_clues(write_xlsx(tmp_path / "台账.xlsx", [HEADER, row(受理日期=_tomorrow().isoformat())]), user)
    assert not result.ok and any("晚于今天" in str(e) for e in result.errors)

    out = io.StringIO()
    call_command("api_token", "cx", name="12345热线推送", stdout=out)
    response = client.post("/api/v1/clues", data=json.dumps({
        "source": "12345热线", "received_on": _tomorrow().isoformat(), "unit": "CX01", "category": "奢靡之风",
        "summary": "公车私用", "content": "周末驾驶公务用车接送子女。", "anonymous": True}),
        content_type="application/json", headers={"Authorization": f"Bearer {out.getvalue().strip()}"})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["body.received_on"]
    assert "晚于今天" in response.json()["errors"][0]["message"]

    with pytest.raises(ValidationError, match="晚于今天"):
        clue_services.register_clue(user, source=vocab["hotline"], received_on=_tomorrow(), unit=tree["CX01"],
                                    category=vocab["luxury"], summary="x", content="y", reporter_anonymous=True)
    assert not Clue.objects.exists()
