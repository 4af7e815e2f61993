"""Conflicts of interest (回避): nobody who talks in a programme is talked with in it, by rule."""

import datetime

import pytest
from django.urls import reverse

from tanhua.registry.models import Rank
from tanhua.talks import draw as algorithm
from tanhua.talks import services
from tanhua.talks.forms import ProgrammeForm
from tanhua.talks.models import Kind, Member
from tests.talks.conftest import open_inputs, round_ready

pytestmark = pytest.mark.django_db


@pytest.fixture
def talkers(programme, make_cadre):
    """The group's members linked to their roster records, in the programme's range."""
    secretary = make_cadre("QH", name="李家坚", post="市委书记", rank=Rank.objects.get(name="正处级"))
    discipline = make_cadre("QH", name="罗成民", post="市纪委书记", rank=Rank.objects.get(name="副处级"))
    programme.secretary.cadre = secretary  # linked through the login
    programme.secretary.save()
    Member.objects.filter(programme=programme, user=programme.discipline).update(cadre=discipline)  # by record
    programme.discipline.cadre = discipline
    programme.discipline.save()
    return secretary, discipline


def _drawn(programme):
    round_ = round_ready(programme)
    frozen = services.freeze(programme.staff, round_)
    open_inputs(round_)
    services.perform_draw(programme.staff, round_)
    frozen.refresh_from_db()
    return round_, frozen


def test_group_members_are_left_out_by_a_recorded_rule(programme, cadres, talkers):
    secretary, discipline = talkers
    _, frozen = _drawn(programme)
    assert secretary.pk not in frozen.pool and discipline.pk not in frozen.pool
    assert {e["id"]: e["rule"] for e in frozen.excluded} == {secretary.pk: "谈话小组成员", discipline.pk: "谈话小组成员"}
    assert {m["cadre"] for m in frozen.group} >= {secretary.pk, discipline.pk}
    record = services.export_record(frozen)
    assert record["excluded"] == frozen.excluded and algorithm.verify(record) == []


def test_the_verifier_finds_a_talker_put_back_into_the_pool(programme, cadres, talkers):
    secretary, _ = talkers
    _, frozen = _drawn(programme)
    record = services.export_record(frozen)
    # A forged record: the secretary back in the pool, with every hash recomputed to match.
    record["pool"] = sorted([*record["pool"], secretary.pk])
    record["pool_hash"] = algorithm.pool_hash(record["pool"])
    for item in record["inputs"]:
        item["commitment"] = algorithm.commitment(item["value"]) if item.get("commitment") else None
    record["seed"] = algorithm.seed(record["pool_hash"], record["inputs"])
    record["selected"] = algorithm.select(record["pool"], record["seed"], record["count"])
    record["selected_labels"] = {str(pk): record["labels"].get(str(pk), "") for pk in record["selected"]}
    record["labels"] = {**record["labels"], str(secretary.pk): frozen.excluded[0]["label"]}
    record["sealed"]["labels"] = algorithm.part_hash(record["labels"], record["salts"]["labels"])
    record["selected_labels"] = {str(pk): record["labels"][str(pk)] for pk in record["selected"]}
    record["record_hash"] = algorithm.record_hash(record)
    problems = algorithm.verify(record)
    assert problems == [f"应当回避的 {frozen.excluded[0]['label']}(谈话小组成员) 出现在候选名单中"]
    # Dropping the exclusions from the record does not help: the group is in it too.
    del record["excluded"]
    record["record_hash"] = algorithm.record_hash(record)
    assert sorted(algorithm.verify(record)) == sorted(["应当回避的 市委书记(谈话小组成员) 出现在候选名单中",
                                                       "excluded(记录中应有)缺失"])


def test_a_talker_cannot_be_designated_nor_the_subject_of_a_targeted_talk(programme, cadres, talkers, tree):
    secretary, discipline = talkers
    round_ = round_ready(programme)
    with pytest.raises(services.DrawError, match="李家坚是本活动的谈话小组成员,应当回避"):
        services.designate(programme.staff, round_, cadre=secretary, reason="信访举报")
    assert not round_.designations.exists()
    reminder = services.create_programme(programme.staff, unit=tree["QH"], name="提醒谈话", kind=Kind.REMINDER,
                                         lead_rule="fixed", head_lead=programme.discipline)
    with pytest.raises(services.DrawError, match="罗成民是本活动的主谈人,应当回避"):
        services.targeted_talk(programme.staff, reminder, cadre=discipline, reason="提醒",
                               starts_at=datetime.datetime(2026, 12, 20, 9, tzinfo=datetime.UTC))


def test_designating_a_talker_through_the_page_says_why(client, programme, cadres, talkers):
    secretary, _ = talkers
    round_ = round_ready(programme)
    client.force_login(programme.staff)
    response = client.post(reverse("talks:designate", args=[round_.pk]),
                           {"cadre_text": secretary.id_number, "reason": "信访举报"}, follow=True)
    assert "应当回避" in response.content.decode() and not round_.designations.exists()


def test_a_unit_round_never_draws_the_talkers_own_units(programme, tree, make_cadre, talkers):
    party = services.create_programme(
        programme.staff, unit=tree["QH"], name="党建约谈", kind=Kind.PARTY_BUILDING, subject_type="unit",
        random_count=2, designated_count=1, head_lead=programme.secretary, members=[
            {"name": "财政局长", "body": "市财政局", "cadre": make_cadre("CZ", name="钱局长", post="局长")},
            {"name": "纪委书记", "body": "市纪委监委", "user": programme.discipline}])
    round_ = services.create_round(programme.staff, party, date=datetime.date(2026, 12, 10), public_labels=["号码"])
    with pytest.raises(services.DrawError, match="清河市财政局是本活动的谈话小组成员所在单位"):
        services.designate(programme.staff, round_, unit=tree["CZ"], reason="审计发现问题")
    frozen = services.freeze(programme.staff, round_)
    assert tree["CZ"].pk not in frozen.pool and tree["CX"].pk in frozen.pool
    assert [e["id"] for e in frozen.excluded] == [tree["CZ"].pk]


def test_the_programme_form_links_members_to_the_roster_not_by_name(programme, talkers, tree):
    secretary, _ = talkers
    data = {"unit": tree["QH"].pk, "name": "半月谈", "kind": "half_month", "cadence": "bimonthly",
            "subject_type": "cadre", "exclude_talked_months": 0, "random_count": 4, "designated_count": 1,
            "weighting": "none", "weight_cap_months": 24, "lead_rule": "fixed", "report_kind": "none",
            "report_due_days": 3, "rectification_days": 60, "is_active": True, "morning_end": "12:00",
            "afternoon_start": "14:30", "day_end": "17:30"}
    form = ProgrammeForm({**data, "members_text": "市委|书记|李家坚"}, actor=programme.staff)
    assert not form.is_valid() and "请填写其身份证号以关联名册" in str(form.errors["members_text"])
    form = ProgrammeForm({**data, "members_text": f"市委|书记|李家坚||{secretary.id_number}"}, actor=programme.staff)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["members_text"][0]["cadre"] == secretary
    form = ProgrammeForm({**data, "members_text": "市人大|代表|李家坚||无"}, actor=programme.staff)
    assert form.is_valid(), form.errors  # stated not to be the cadre of that name
    form = ProgrammeForm({**data, "members_text": "市委|书记|李家坚||110101199001011234"}, actor=programme.staff)
    assert not form.is_valid() and "没有身份证号" in str(form.errors["members_text"])


def test_a_designated_subject_cannot_join_the_group_and_the_freeze_checks_again(programme, cadres):
    round_ = round_ready(programme)
    services.designate(programme.staff, round_, cadre=cadres[1], reason="信访举报")
    members = [{"name": m.name, "body": m.body, "title": m.title, "user": m.user, "cadre": m.cadre}
               for m in programme.members.all()]
    with pytest.raises(services.DrawError, match="对象1.谈话小组成员.已是本活动的指定对象"):
        services.update_programme(programme.staff, programme, members=[*members, {"name": "对象1", "cadre": cadres[1]}])
    assert programme.members.count() == 3  # nothing of the update was written
    Member.objects.create(programme=programme, name="对象1", cadre=cadres[1])  # past the service, e.g. by hand
    with pytest.raises(services.DrawError, match="对象1是本活动的谈话小组成员,应当回避"):
        services.freeze(programme.staff, round_)
    assert not hasattr(round_, "draw") or round_.status == "draft"


def test_a_unit_round_needs_every_talkers_unit(programme, tree):
    party = services.create_programme(
        programme.staff, unit=tree["QH"], name="党建约谈", kind=Kind.PARTY_BUILDING, subject_type="unit",
        random_count=2, members=[{"name": "王部长", "body": "市委组织部"}])
    round_ = services.create_round(programme.staff, party, date=datetime.date(2026, 12, 10), public_labels=["号码"])
    with pytest.raises(services.DrawError, match="王部长"):
        services.freeze(programme.staff, round_)


def test_a_lead_talker_by_name_must_sit_in_the_group(programme, tree):
    data = {"unit": tree["QH"].pk, "name": "半月谈", "kind": "half_month", "cadence": "bimonthly",
            "subject_type": "cadre", "exclude_talked_months": 0, "random_count": 4, "designated_count": 1,
            "weighting": "none", "weight_cap_months": 24, "lead_rule": "by_post", "report_kind": "none",
            "report_due_days": 3, "rectification_days": 60, "is_active": True, "head_lead_name": "李家坚",
            "members_text": "市纪委监委|书记|罗成民||无"}
    form = ProgrammeForm(data, actor=programme.staff)
    assert not form.is_valid() and "须列入谈话小组" in str(form.errors["head_lead_name"])
    form = ProgrammeForm({**data, "members_text": "市委|书记|李家坚||无\n市纪委监委|书记|罗成民||无"}, actor=programme.staff)
    assert form.is_valid(), form.errors
