"""Suggestions for the designated subject, the "+1" (issue 12, point 8)."""

import datetime
from urllib.parse import parse_qs

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tanhua.clues.models import Clue
from tanhua.talks import selectors, services
from tanhua.talks.models import Member, SubjectType

from .conftest import round_ready


def _days_ago(n):
    return timezone.localdate() - datetime.timedelta(days=n)


def _close(clue, days_ago, **fields):
    closed = timezone.now() - datetime.timedelta(days=days_ago)
    Clue.objects.filter(pk=clue.pk).update(status=Clue.Status.CLOSED, closed_at=closed, **fields)


def test_open_and_recent_clues_most_recent_first(programme, cadres, make_clue):
    recent = make_clue("CX01", cadre=cadres[1], received_on=_days_ago(5))
    earlier = make_clue("CX01", cadre=cadres[1], received_on=_days_ago(40))
    older = make_clue("SX", cadre=cadres[2], received_on=_days_ago(300))
    closed_lately = make_clue("CZ", cadre=cadres[3], received_on=_days_ago(100))
    _close(closed_lately, 60)
    _close(make_clue("CX01B", cadre=cadres[4], received_on=_days_ago(800)), 500)  # closed long ago
    Clue.objects.filter(pk=make_clue("SX01B", cadre=cadres[5], received_on=_days_ago(3)).pk).update(
        disposition="case")  # a case is investigated, not talked about
    _close(make_clue("CX", cadre=cadres[6], received_on=_days_ago(4)), 1, outcome_form=2)  # sanctioned
    round_ = round_ready(programme)
    make_clue("CX01", cadre=cadres[7], received_on=_days_ago(2))
    services.designate(programme.staff, round_, cadre=cadres[7], reason="已指定")
    make_clue("CX01", cadre=cadres[8], received_on=_days_ago(1))
    Member.objects.create(programme=programme, name=cadres[8].name, body="市纪委监委", cadre=cadres[8])  # 回避
    make_clue("CX01", received_on=_days_ago(1))  # about the unit, no cadre: not a cadre's suggestion

    make_clue("CX01", cadre=cadres[9], received_on=_days_ago(1))
    services.targeted_talk(programme.staff, programme, cadre=cadres[9], reason="提醒",  # talked with soon anyway
                           starts_at=timezone.now() + datetime.timedelta(days=3))

    Clue.objects.filter(pk=make_clue("CX01", cadre=cadres[10], received_on=_days_ago(1)).pk).update(
        disposition="verify")  # under preliminary verification: a talk now would alert the cadre

    rows = selectors.designation_suggestions(programme.staff, round_)
    assert [r["label"] for r in rows] == [cadres[1].name, cadres[3].name, cadres[2].name]
    first = rows[0]
    assert [c["number"] for c in first["clues"]] == [recent.number, earlier.number]
    assert first["unit"] == cadres[1].unit and first["latest"] == recent.received_on
    fill = parse_qs(first["query"])
    assert fill["cadre_text"] == [cadres[1].name] and fill["unit"] == [str(cadres[1].unit_id)]
    assert fill["clue_numbers"] == [f"{recent.number} {earlier.number}"]
    assert fill["reason"] == [selectors.SUGGEST_REASON]
    assert rows[1]["clues"][0]["number"] == closed_lately.number and not rows[1]["clues"][0]["open"]
    assert rows[2]["clues"][0]["number"] == older.number


def test_a_district_user_sees_only_their_subtree(programme, cadres, make_clue, make_user):
    make_clue("CX01", cadre=cadres[1], received_on=_days_ago(5))
    make_clue("SX", cadre=cadres[2], received_on=_days_ago(4))
    make_clue("CZ", cadre=cadres[3], received_on=_days_ago(3))
    round_ = round_ready(programme)
    district = make_user("cx-staff", "CX", ["staff"])
    assert [r["label"] for r in selectors.designation_suggestions(district, round_)] == [cadres[1].name]
    # Without the right to see clues, no suggestions: they tell which clues exist.
    assert selectors.designation_suggestions(make_user("leader", "QH", ["leader"]), round_) == []


def test_one_click_fill_then_designate(client, programme, cadres, make_clue):
    clue = make_clue("CX01", cadre=cadres[1], received_on=_days_ago(5), reporter_name="举报人甲",
                     reporter_contact="13900000000")
    round_ = round_ready(programme)
    client.force_login(programme.staff)
    url = reverse("talks:round", args=[round_.pk])
    page = client.get(url).content.decode()
    assert clue.number in page and "可供指定的对象" in page
    assert "举报人甲" not in page and "13900000000" not in page and clue.content not in page
    query = selectors.designation_suggestions(programme.staff, round_)[0]["query"]
    filled = client.get(f"{url}?{query}").content.decode()
    assert f'value="{clue.number}"' in filled and f'value="{cadres[1].name}"' in filled
    assert selectors.SUGGEST_REASON in filled
    data = {k: v[0] for k, v in parse_qs(query).items()}
    assert client.post(reverse("talks:designate", args=[round_.pk]), data).status_code == 302
    designation = round_.designations.get()
    assert designation.cadre == cadres[1] and list(designation.clues.all()) == [clue]
    # Designated now: no longer suggested (and at the programme's one designation, the form is done).
    assert selectors.designation_suggestions(programme.staff, round_) == []
    make_clue("CX01", cadre=cadres[7], received_on=_days_ago(1))
    assert "可供指定的对象" not in client.get(url).content.decode()  # the one designation is made


def test_query_count_stays_flat(client, programme, make_cadre, make_clue, django_assert_max_num_queries):
    def add(count, start):
        for n in range(count):
            cadre = make_cadre(["CX", "CX01", "SX", "CZ"][n % 4], name=f"建议对象{start + n}")
            for days in (3, 30, 90):
                make_clue(cadre.unit.code, cadre=cadre, received_on=_days_ago(days + n))

    round_ = round_ready(programme)
    client.force_login(programme.staff)
    url = reverse("talks:round", args=[round_.pk])
    add(2, 0)
    client.get(url)  # warm the per-process caches
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(url).context["suggestions"]) == 2
    add(25, 100)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(url).context["suggestions"]) == selectors.SUGGEST_LIMIT


def test_unit_programmes_suggest_units_with_problems_of_their_own(tree, make_user, make_clue, cadres):
    staff = make_user("unit-staff", "QH", ["staff"])
    programme = services.create_programme(staff, unit=tree["QH"], name="党建约谈", kind="party_building",
                                          subject_type=SubjectType.UNIT, random_count=2, designated_count=1)
    make_clue("CX01", received_on=_days_ago(6))
    make_clue("CZ", received_on=_days_ago(2))
    make_clue("QH", received_on=_days_ago(1))  # the programme's own unit is never a subject
    make_clue("SX", cadre=cadres[2], received_on=_days_ago(1))  # a cadre's problem, not the unit's
    round_ = services.create_round(staff, programme, date=_days_ago(-30), public_labels=["开奖号码"])
    rows = selectors.designation_suggestions(staff, round_)
    assert [r["label"] for r in rows] == [tree["CZ"].name, tree["CX01"].name]
    assert parse_qs(rows[0]["query"])["unit"] == [str(tree["CZ"].pk)] and "cadre_text" not in rows[0]["query"]
