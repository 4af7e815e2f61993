"""Outline topic selection and flags: pure, no database."""

import pytest

from tanhua.talks.outline import Subject, Template, applies, choose, draft, flags

HEAD = Template("主体责任", ("第一责任人职责",), heads_only=True, order=10)
KEY_TASK = Template("决策部署", ("重点任务进展",), unit_tags=frozenset({"重点任务"}), order=20)
POVERTY = Template("扶贫政策", ("扶贫资金",), unit_tags=frozenset({"扶贫任务"}), order=30)
COUNTY = Template("支持执纪执法", ("支持纪检监察机关",), heads_only=True, unit_kinds=frozenset({"县区"}), order=40)
RISK = Template("廉政风险", ("风险点",), unit_tags=frozenset({"权力集中", "资金密集"}), order=50)
PARTY = Template("党建工作责任制", ("党建第一责任人",), programme_kinds=frozenset({"party_building"}), order=60)
ALL = [PARTY, RISK, COUNTY, POVERTY, KEY_TASK, HEAD]


@pytest.mark.parametrize(("subject", "expected"), [
    (Subject("甲", "区政府", unit_kind="县区", is_unit_head=True), ["主体责任", "支持执纪执法"]),
    (Subject("乙", "区政府", unit_kind="县区"), []),  # a deputy: neither head topic
    (Subject("丙", "扶贫办", unit_kind="市直部门", unit_tags=frozenset({"扶贫任务", "资金密集"}), is_party_gov_head=True),
     ["主体责任", "扶贫政策", "廉政风险"]),
    (Subject("丁", "发改委", unit_tags=frozenset({"重点任务"})), ["决策部署"]),
    (Subject("卫健委", "卫健委", subject_type="unit", programme_kind="party_building"), ["主体责任", "党建工作责任制"]),
])
def test_topics_follow_the_subject_and_the_unit(subject, expected):
    assert [t.title for t in choose(ALL, subject)] == expected


def test_every_condition_must_hold():
    both = Template("县区扶贫", (), unit_kinds=frozenset({"县区"}), unit_tags=frozenset({"扶贫任务"}))
    assert not applies(both, Subject("甲", "区", unit_kind="县区"))
    assert applies(both, Subject("甲", "区", unit_kind="县区", unit_tags=frozenset({"扶贫任务"})))


def test_flags_for_the_preparer():
    subject = Subject("甲", "财政局", years_in_post=6.24, post_changed_recently=True, sensitive_post="资金管理",
                      unit_tags=frozenset({"资金密集", "重点任务"}))
    assert flags(subject) == ["本次换届期间职务有调整", "同一职务任职5年以上(6.2年)", "敏感岗位:资金管理", "单位属资金密集部门"]
    assert flags(Subject("乙", "办公室", years_in_post=4.9)) == []


def test_draft_starts_from_the_problems_then_the_topics():
    text = draft(Subject("甲", "区政府", unit_kind="县区", is_unit_head=True),
                 [("12345热线", "2026年3月1日", "公车私用问题多发")], ALL)
    lines = text.splitlines()
    assert lines[0].startswith("一、需要说明的问题") and "(一)公车私用问题多发(来源:12345热线,2026年3月1日)" in lines
    assert "二、主体责任:" in lines and "三、支持执纪执法:" in lines and lines[-1].startswith("四、提出要求")
    assert draft(Subject("乙", "办公室"), [], []).startswith("一、提出要求")
