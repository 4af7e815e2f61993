"""Nobody talks blind: the lead talker and the group see the subject's problem list for the talk."""

import pytest
from django.urls import reverse

from tanhua.audit.models import AuditEntry
from tanhua.talks import records
from tanhua.talks.models import Talk

pytestmark = pytest.mark.django_db


def test_the_lead_talker_sees_what_the_office_sees_and_the_read_is_audited(client, talk, programme, make_clue):
    clue = make_clue(cadre=talk.cadre, summary="违规接受管理服务对象宴请", reporter_name="王秀英")
    lead = talk.lead
    assert lead == programme.discipline  # 仅本人 scope: the clue itself is outside it
    office = [row["first"].pk for row in records.problem_rows(programme.staff, talk)]
    assert office == [clue.pk]
    assert [row["first"].pk for row in records.problem_rows(lead, talk)] == office
    client.force_login(lead)
    page = client.get(reverse("talks:talk", args=[talk.pk])).content.decode()
    assert "违规接受管理服务对象宴请" in page and "没有未办结的问题" not in page
    assert "王秀英" not in page  # never the reporter
    read = AuditEntry.objects.filter(user=lead, action="view", object_type="talks.talk", object_id=str(talk.pk))
    assert any(clue.number in str(e.summary.get("problem_list", [])) for e in read)
    # The clue's own page stays out of the lead's reach: the talk grants its problem list only.
    assert client.get(reverse("clues:detail", args=[clue.pk])).status_code in (403, 404)


def test_the_grant_ends_when_the_talk_is_closed_and_never_reaches_others(talk, programme, make_clue, make_user):
    make_clue(cadre=talk.cadre)
    outsider = make_user("other-leader", "QH", ["leader"])
    assert records.problem_rows(outsider, talk) == []
    Talk.objects.filter(pk=talk.pk).update(status=Talk.Status.CLOSED)
    talk.refresh_from_db()
    assert records.problem_rows(talk.lead, talk) == []
    assert len(records.problem_rows(programme.staff, talk)) == 1  # the office keeps its own scope


def test_a_problem_taken_into_the_talk_stays_on_its_list_once_closed(talk, programme, make_clue):
    from tanhua.clues.models import Clue

    taken, other = make_clue(cadre=talk.cadre), make_clue(cadre=talk.cadre, summary="公车私用")
    talk.problems.set([taken])
    Clue.objects.filter(pk__in=[taken.pk, other.pk]).update(status=Clue.Status.CLOSED)
    for user in (programme.staff, talk.lead):
        assert [row["first"].pk for row in records.problem_rows(user, talk)] == [taken.pk]
