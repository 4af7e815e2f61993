"""The draw protocol on the database: freeze, commitments, reveals, the draw, the chain."""

import datetime
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tanhua.audit.models import AuditEntry
from tanhua.talks import draw, services
from tanhua.talks.models import Draw, Round, Talk

from .conftest import open_inputs, round_ready

pytestmark = pytest.mark.django_db


def test_full_protocol_makes_talks_and_a_verifiable_record(programme, cadres, make_clue):
    round_ = round_ready(programme)
    clue = make_clue("CX01", cadre=cadres[1])
    services.designate(programme.staff, round_, cadre=cadres[1], reason="信访反映,尚不构成违纪", clues=[clue])
    with pytest.raises(services.DrawError, match="最多指定 1 名"):
        services.designate(programme.staff, round_, cadre=cadres[2], reason="舆情")
    frozen = services.freeze(programme.staff, round_)
    assert cadres[1].pk not in frozen.pool and len(frozen.pool) == len(cadres) - 1
    assert frozen.pool == sorted(frozen.pool) and frozen.pool_hash == draw.pool_hash(frozen.pool)
    assert frozen.probabilities == [round(4 / 11, 8)] * 11
    server = round_.inputs.get(kind="server")
    server.refresh_from_db()
    assert server.value == "" and len(server.commitment) == 64 and server.sealed_value
    with pytest.raises(services.DrawError, match="尚未公布"):
        services.perform_draw(programme.staff, round_)
    with pytest.raises(services.DrawError, match="承诺哈希不符"):
        services.reveal(programme.secretary, round_.inputs.get(member=programme.secretary), "别的值")
    with pytest.raises(services.DrawError, match="本人"):
        services.reveal(programme.discipline, round_.inputs.get(member=programme.secretary), "秘密值-shuji")
    open_inputs(round_)
    done = services.perform_draw(programme.staff, round_)
    round_.refresh_from_db()
    assert round_.status == Round.Status.DRAWN and len(done.selected) == 4 and done.seq == 1
    assert done.previous_hash == ""
    record = services.export_record(done)
    assert draw.verify(record) == [] and services.verify_against_database(record) == []
    assert record["designations"] == {str(cadres[1].pk): {"reason": "信访反映,尚不构成违纪", "clues": [clue.number]}}
    talks = list(Talk.objects.filter(round=round_).order_by("starts_at"))
    assert [t.origin for t in talks] == ["designated"] + ["drawn"] * 4
    assert talks[0].cadre == cadres[1] and talks[0].reason.startswith("信访")
    assert {t.cadre_id for t in talks[1:]} == set(done.selected)
    assert talks[1].starts_at - talks[0].starts_at == datetime.timedelta(minutes=70)
    assert talks[0].report_due == datetime.date(2026, 12, 7) and talks[0].members.count() == 3
    for talk in talks:  # 一把手 by the party secretary, others by the discipline secretary
        assert talk.lead == (programme.secretary if talk.cadre.is_unit_head else programme.discipline)
    with pytest.raises(services.DrawError, match="已抽取"):
        services.perform_draw(programme.staff, round_)
    actions = list(AuditEntry.objects.filter(object_type="talks.round").values_list("action", flat=True))
    assert actions.count("draw") == 1 and actions.count("designate") == 1 and actions.count("freeze") == 1
    assert actions.count("commit") == 2 and actions.count("reveal") >= 3


def test_freeze_needs_every_commitment_and_locks_the_pool(programme, cadres):
    round_ = services.create_round(programme.staff, programme, date=datetime.date(2026, 12, 10),
                                   member_users=[programme.secretary])
    with pytest.raises(services.DrawError, match="尚未登记承诺值"):
        services.freeze(programme.staff, round_)
    slot = round_.inputs.get(kind="member")
    with pytest.raises(services.DrawError, match="至少 6 个字符"):
        services.commit(programme.secretary, slot, value="123")
    services.commit(programme.secretary, slot, digest=draw.commitment("我的秘密123"))
    services.freeze(programme.staff, round_)
    round_.refresh_from_db()
    with pytest.raises(services.DrawError, match="名单已冻结"):
        services.freeze(programme.staff, round_)
    with pytest.raises(services.DrawError, match="冻结名单之前"):
        services.designate(programme.staff, round_, cadre=cadres[3], reason="迟到的指定")
    with pytest.raises(services.DrawError, match="冻结名单之前"):
        services.commit(programme.secretary, slot, value="换一个值也不行")
    with pytest.raises(services.DrawError, match="只来自系统"):
        services.create_round(programme.staff, programme, date=datetime.date(2027, 2, 10))


def test_draws_chain_and_exclusion_and_weights(programme, cadres):
    programme.exclude_talked_months = 3
    programme.weighting = "since_last"
    programme.weight_cap_months = 12
    programme.save()
    first = round_ready(programme, datetime.date(2026, 6, 10))
    services.freeze(programme.staff, first)
    open_inputs(first)
    one = services.perform_draw(programme.staff, first)
    assert one.weights == [13] * len(one.pool)  # nobody talked yet: all at the cap
    second = round_ready(programme, datetime.date(2026, 8, 10))
    frozen = services.freeze(programme.staff, second)
    assert not set(one.selected) & set(frozen.pool)  # talked two months ago: excluded
    third = round_ready(programme, datetime.date(2026, 10, 20))
    open_inputs(second)
    two = services.perform_draw(programme.staff, second)
    assert two.seq == 2 and two.previous_hash == one.record_hash
    frozen = services.freeze(programme.staff, third)
    by_id = dict(zip(frozen.pool, frozen.weights, strict=True))
    # Talked in June (four months before): back in the pool, with a lower weight than the rest.
    assert set(one.selected) <= set(by_id) and {by_id[c] for c in one.selected} == {5}
    assert not set(two.selected) & set(by_id)
    assert max(frozen.probabilities) > min(frozen.probabilities) > 0
    open_inputs(third)
    three = services.perform_draw(programme.staff, third)
    record = services.export_record(three)
    assert [link["seq"] for link in record["chain"]] == [1, 2] and draw.verify(record) == []


def test_commands_list_export_verify(programme, cadres, tmp_path, capsys):
    round_ = round_ready(programme)
    services.freeze(programme.staff, round_)
    open_inputs(round_)
    done = services.perform_draw(programme.staff, round_)
    call_command("list_draws", "--json")
    listed = json.loads(capsys.readouterr().out)
    assert [d["id"] for d in listed] == [done.pk] and listed[0]["record_hash"] == done.record_hash
    path = tmp_path / "draw.json"
    call_command("export_draw", str(done.pk), str(path))
    call_command("verify_draw", str(path))
    assert "校验通过" in capsys.readouterr().out
    record = json.loads(path.read_text(encoding="utf-8"))
    record["inputs"][0]["value"] = "3 8 0 5 3"
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError, match="seed"):
        call_command("verify_draw", str(path))
    with pytest.raises(CommandError, match="没有编号为 999"):
        call_command("export_draw", "999", str(path))
    assert Draw.objects.count() == 1


def test_bench_draw_leaves_nothing_behind(roles, capsys):
    from tanhua.audit.models import AuditEntry

    with pytest.raises(CommandError, match="没有干部"):
        call_command("bench_draw")
    call_command("gen_bench", cadres=300)
    before = AuditEntry.objects.count()
    capsys.readouterr()
    call_command("bench_draw", "--repeat", "1", "--json")
    report = json.loads(capsys.readouterr().out)
    assert [r["weighting"] for r in report["results"]] == ["none", "since_last"]
    assert all(r["pool"] == 300 and set(r["ms"]) == {"freeze", "draw", "export", "verify", "verify_db"}
               for r in report["results"])
    assert not Draw.objects.exists() and not Talk.objects.exists() and AuditEntry.objects.count() == before


def test_unit_round_talks_with_each_units_head_by_contact_leader(tree, make_user, make_cadre):
    from tanhua.talks.models import LeadRule, SubjectType

    staff = make_user("staff", "QH", ["staff"])
    contact = make_cadre("QH", name="联系领导甲")
    contact_user = make_user("lianxi", "QH", ["leader"], cadre=contact)
    heads = {code: make_cadre(code, name=f"{code}书记", is_unit_head=True, post="党委书记")
             for code in ("CX01", "CZ", "SX01B")}
    make_cadre("CX01", name="副职", post="副书记")
    for code in ("CX01", "CZ"):
        tree[code].contact_leader = contact
        tree[code].save()
    programme = services.create_programme(
        staff, unit=tree["QH"], name="党建约谈", kind="party_building", subject_type=SubjectType.UNIT,
        unit_kinds=["镇街", "市直部门"], random_count=2, designated_count=1, lead_rule=LeadRule.CONTACT_LEADER,
        head_lead_name="市委书记")
    round_ = services.create_round(staff, programme, date=datetime.date(2026, 12, 3), public_labels=["开奖号码"])
    services.designate(staff, round_, unit=tree["CZ"], reason="巡察反馈党建责任落实不到位")
    frozen = services.freeze(staff, round_)
    assert frozen.pool == [tree["CX01"].pk]  # towns and departments only, the designated left out
    assert frozen.count == 1 and frozen.rules["单位类别"] == ["镇街", "市直部门"]
    open_inputs_public(round_, staff)
    services.perform_draw(staff, round_)
    talks = {t.unit.code: t for t in Talk.objects.filter(round=round_)}
    assert set(talks) == {"CX01", "CZ"}
    for code, talk in talks.items():
        assert talk.cadre == heads[code] and talk.lead == contact_user and talk.lead_name == "联系领导甲"


def open_inputs_public(round_, staff):
    for slot in round_.inputs.filter(kind="public"):
        services.enter_public(staff, slot, "0 0 7")
