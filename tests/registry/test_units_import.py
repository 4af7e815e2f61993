"""Unit tree import: upsert by code, parents in any order, every error, atomic."""

import json

import pytest
from django.core.management import call_command

from tanhua.registry.models import Cadre, Rank, Unit
from tanhua.registry.units import import_units
from tests.conftest import assert_cadre_copies_in_step, make_id, write_xlsx

pytestmark = pytest.mark.django_db

HEADER = ["单位代码", "单位名称", "上级单位代码", "单位类别", "标签"]


def test_import_tree_children_before_parents(tmp_path):
    path = write_xlsx(tmp_path / "units.xlsx", [
        ["清河市单位一览表"],
        HEADER,
        ["CX01", "城厢街道", "CX", "街道", "重点任务,扶贫任务"],   # child listed before its parent
        ["QH", "清河市", "", "市", ""],
        ["CX", "城厢区", "QH", "县区", ""],
        ["CZ", "清河市财政局", "QH", "市直部门", "资金密集、权力集中"],
        [],
        ["制表人:张三"],
    ])
    result = import_units(path)
    assert result.errors == [] and result.created == 4
    town = Unit.objects.get(code="CX01")
    assert town.kind == "镇街"
    assert [u.code for u in Unit.objects.get_ancestors(town)] == ["QH", "CX"]
    assert set(Unit.objects.get(code="CZ").tags.values_list("name", flat=True)) == {"资金密集", "权力集中"}
    assert set(Unit.objects.filter(Unit.objects.get(code="CX").subtree_q()).values_list("code", flat=True)) == {"CX", "CX01"}

    again = import_units(path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)

    # Moving a unit to another parent moves its subtree, and its cadres' copies of the path.
    Cadre.objects.create(name="张三", id_number=make_id(1), unit=town, rank=Rank.objects.get(name="正科级"))
    moved = write_xlsx(tmp_path / "moved.xlsx", [HEADER, ["SX", "沙溪县", "QH", "县区", ""], ["CX01", "城厢街道", "SX", "镇街", "重点任务、扶贫任务"]])
    result = import_units(moved)
    assert (result.created, result.updated) == (1, 1)
    assert Unit.objects.get_parent(Unit.objects.get(code="CX01")).code == "SX"
    assert_cadre_copies_in_step()
    sx = Unit.objects.get(code="SX")
    assert list(Cadre.objects.filter(sx.subtree_q("unit_path")).values_list("name", flat=True)) == ["张三"]


def test_errors_are_all_reported_and_nothing_written(tmp_path):
    path = write_xlsx(tmp_path / "bad.xlsx", [
        HEADER,
        ["QH", "清河市", "", "市", ""],
        ["", "无代码单位", "QH", "", ""],          # row 3
        ["A1", "", "QH", "", ""],                  # row 4
        ["A2", "某局", "NOPE", "", ""],            # row 5
        ["A3", "某局", "QH", "火星", ""],          # row 6
        ["QH", "重复", "", "市", ""],              # row 7
        ["B1", "甲", "B2", "", ""],                # rows 8-9: a cycle
        ["B2", "乙", "B1", "", ""],
    ])
    result = import_units(path)
    got = {(e["row"], e["column"]) for e in result.errors}
    assert {(3, "单位代码"), (4, "单位名称"), (5, "上级单位代码"), (6, "单位类别"), (7, "单位代码")} <= got
    assert any("循环" in e["message"] for e in result.errors)
    assert not Unit.objects.exists()


def test_a_failed_move_rolls_back_the_whole_file(tmp_path):
    import_units(write_xlsx(tmp_path / "u.xlsx", [HEADER, ["QH", "清河市", "", "市", ""], ["CX", "城厢区", "QH", "县区", ""],
                                                  ["CX01", "城厢街道", "CX", "镇街", ""]]))
    # A new unit is written before the impossible move (城厢区 under its own street) fails.
    path = write_xlsx(tmp_path / "bad.xlsx", [HEADER, ["SX", "沙溪县", "QH", "县区", ""], ["CX", "城厢区", "CX01", "县区", ""]])
    result = import_units(path)
    assert [(e["row"], e["column"]) for e in result.errors] == [(3, "上级单位代码")]
    assert not Unit.objects.filter(code="SX").exists()
    assert Unit.objects.get_parent(Unit.objects.get(code="CX")).code == "QH"


def test_command_json(tmp_path, capsys):
    path = write_xlsx(tmp_path / "u.xlsx", [HEADER, ["QH", "清河市", "", "市", ""]])
    call_command("import_units", str(path), "--json")
    assert json.loads(capsys.readouterr().out) == {"rows": 1, "created": 1, "updated": 0, "unchanged": 0, "errors": []}
