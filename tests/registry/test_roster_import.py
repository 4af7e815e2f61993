"""Roster import against the real database: messy files, errors, upserts, scope."""

import datetime

import openpyxl
import pytest
from django.core.management import call_command

from tanhua.registry.models import Cadre, PostHistory
from tanhua.registry.roster import HEADERS, export_roster, import_roster, write_template
from tests.conftest import assert_cadre_copies_in_step, make_id, write_xlsx

pytestmark = pytest.mark.django_db

HEADER = ["姓名", "性别", "民族", "出生年月", "籍贯", "政治面貌", "入党时间", "参加工作时间", "学历", "身份证号",
          "工作单位", "现任职务", "职级", "任现职时间", "任现职级时间", "是否一把手", "是否党政正职", "岗位类别", "联系电话", "备注"]


def row(**overrides):
    values = dict(zip(HEADER, ["张三", "男", "汉族", "1975.03", "江苏太仓", "中共党员", "1998.07", "1996.08", "大学",
                               make_id(1), "清河市财政局", "局长", "正处级", "2019.06", "2019.06", "是", "是", "", "13800000000", ""]))
    values.update(overrides)
    return [values[h] for h in HEADER]


def test_messy_file_imports(tree, tmp_path):
    path = write_xlsx(tmp_path / "messy.xlsx", [
        ["清河市领导干部名册"],                                  # title rows above the header
        ["填报单位:市委组织部", None, None, "2026年11月"],
        ["序号", "姓 名", "性别", "民族", "出生日期", "籍贯", "政治面貌", "入党时间", "参加工作时间", "学历",
         "身份证号码", "工作单位", "职务", "职级", "任职时间", "任现职级时间", "一把手", "党政正职", "岗位类别",
         "手机", "备注"],                                        # header variants and an extra 序号 column
        [1, "张  三", "男", "汉族", datetime.datetime(1975, 3, 1), "江苏太仓", "中共党员", 1998.07, "1996-08-01",
         "大学", make_id(1), "清河市财政局", "局长", "正处级", "2019年6月", "201906", "是", "√", "资金管理",
         13800000000, ""],
        [2, " 李四 ", "女", "汉族", "１９８０．１２", "", "群众", "", "2003.7", "研究生", make_id(2).lower(),
         "CX01", " 主任 ", "副科", "2021.3", "2021.03", "否", "N", "", "", "备注 有空格"],
        [None] * 5,                                              # a blank row
        [3, "王五", "", "", "", "", "", "", "", "", make_id(3, birth=datetime.date(1982, 5, 9)),
         "市财政局", "副局长", "四级调研员", "", "", "", "", "", "", ""],  # short name, 职级 title, blanks
        ["制表人:赵六", None, None, "审核人:钱七"],             # footer line
    ])
    result = import_roster(path)
    assert result.errors == []
    assert (result.rows, result.created, result.updated, result.unchanged) == (3, 3, 0, 0)

    zhang = Cadre.objects.get(id_number=make_id(1))
    assert zhang.name == "张三"
    assert zhang.birth_date == datetime.date(1975, 3, 1)
    assert zhang.party_join_date == datetime.date(1998, 7, 1)
    assert zhang.work_start_date == datetime.date(1996, 8, 1)
    assert zhang.post_since == datetime.date(2019, 6, 1) and zhang.rank_since == datetime.date(2019, 6, 1)
    assert zhang.is_unit_head and zhang.is_party_gov_head
    assert zhang.sensitive_post == "资金管理"
    assert zhang.phone == "13800000000"
    assert zhang.unit.code == "CZ" and zhang.rank.name == "正处级"

    li = Cadre.objects.get(id_number=make_id(2).upper())
    assert li.name == "李四" and li.post == "主任" and li.remarks == "备注 有空格"
    assert li.birth_date == datetime.date(1980, 12, 1)
    assert li.unit.code == "CX01" and li.rank.name == "副科级"
    assert not li.is_unit_head and not li.is_party_gov_head

    wang = Cadre.objects.get(name="王五")
    assert wang.unit.code == "CZ" and wang.rank.name == "四级调研员"
    # Blank birth date and gender come from the ID number.
    assert wang.birth_date == datetime.date(1982, 5, 1)
    assert wang.gender == "男"  # 17th digit of make_id(3) is odd

    # Every new cadre starts with their current post in the history.
    assert PostHistory.objects.filter(end__isnull=True).count() == 3


def test_bad_file_reports_every_error_and_writes_nothing(tree, tmp_path, make_cadre):
    before = Cadre.objects.count()
    path = write_xlsx(tmp_path / "bad.xlsx", [
        HEADER,
        row(),                                                          # row 2: fine
        row(身份证号="320585197503010023"),                             # row 3: checksum
        row(身份证号=make_id(4), 出生年月="1975.13"),                   # row 4: month
        row(身份证号=make_id(5), 工作单位="不存在的单位"),               # row 5: unit
        row(身份证号=make_id(6), 职级="科长级"),                        # row 6: rank
        row(身份证号=make_id(7), 是否一把手="也许"),                     # row 7: flag
        row(身份证号=make_id(8), 工作单位="党政办公室"),                 # row 8: ambiguous name
        row(身份证号=make_id(1)),                                       # row 9: duplicate of row 2
        row(身份证号=make_id(10), 姓名=""),                             # row 10: name
        row(身份证号=make_id(11), 岗位类别="财务"),                      # row 11: category
        row(身份证号=make_id(12), 性别="未知", 入党时间="去年"),         # row 12: two errors
        row(身份证号=1.1010519491231e17),                               # row 13: ID stored as number
        row(身份证号=make_id(14), 姓名="名" * 41, 备注="长" * 501),      # row 14: two too long
    ])
    result = import_roster(path)
    got = {(e["row"], e["column"]) for e in result.errors}
    assert got == {
        (3, "身份证号"), (4, "出生年月"), (5, "工作单位"), (6, "职级"), (7, "是否一把手"), (8, "工作单位"),
        (9, "身份证号"), (10, "姓名"), (11, "岗位类别"), (12, "性别"), (12, "入党时间"), (13, "身份证号"),
        (14, "姓名"), (14, "备注"),
    }
    assert all(e["message"] for e in result.errors)
    assert "第2行" in next(e["message"] for e in result.errors if e["row"] == 9)
    assert "多个单位" in next(e["message"] for e in result.errors if e["row"] == 8)
    assert result.rows == 13
    assert Cadre.objects.count() == before  # row 2 was valid but nothing is written
    assert (result.created, result.updated, result.unchanged) == (0, 0, 0)


def test_missing_required_column(tree, tmp_path):
    path = write_xlsx(tmp_path / "nocol.xlsx", [["姓名", "性别", "工作单位", "职级"], ["张三", "男", "CZ", "正处级"]])
    result = import_roster(path)
    assert len(result.errors) == 1
    assert "身份证号" in result.errors[0]["message"]


def test_not_a_spreadsheet(tree, tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_text("姓名,身份证号\n")
    result = import_roster(path)
    assert result.errors and "Excel" in result.errors[0]["message"]


def test_reimport_is_idempotent_and_updates_by_id(tree, tmp_path):
    path = write_xlsx(tmp_path / "a.xlsx", [HEADER, row(), row(姓名="李四", 身份证号=make_id(2), 工作单位="CX01")])
    assert import_roster(path).created == 2
    again = import_roster(path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert PostHistory.objects.count() == 2

    assert_cadre_copies_in_step()

    changed = write_xlsx(tmp_path / "b.xlsx", [HEADER, row(现任职务="党组书记、局长", 任现职时间="2024.01"),
                                             row(姓名="李四", 身份证号=make_id(2), 工作单位="SX", 职级="正科级")])
    result = import_roster(changed)
    assert (result.created, result.updated, result.unchanged) == (0, 2, 0)
    assert_cadre_copies_in_step()  # 李四 moved to another unit and rank
    # The preview names the changed columns as the file does.
    assert {s["name"]: s["changes"] for s in result.samples} == {"张三": ["现任职务", "任现职时间"], "李四": ["工作单位", "职级"]}
    zhang = Cadre.objects.get(id_number=make_id(1))
    assert zhang.post == "党组书记、局长"
    # The old post is closed in the history and the new one is open.
    history = list(zhang.posts.order_by("start"))
    assert [(h.post, h.end) for h in history] == [("局长", datetime.date(2024, 1, 1)), ("党组书记、局长", None)]


def test_dry_run_writes_nothing(tree, tmp_path):
    path = write_xlsx(tmp_path / "a.xlsx", [HEADER, row()])
    result = import_roster(path, dry_run=True)
    assert (result.created, result.errors) == (1, [])
    assert Cadre.objects.count() == 0


def test_export_import_round_trip(tree, tmp_path):
    path = write_xlsx(tmp_path / "a.xlsx", [
        HEADER,
        row(岗位类别="审计", 备注="曾任审计局副局长", 任现职时间="2019-06-15"),
        row(姓名="李四", 身份证号=make_id(2), 工作单位="CX01B", 是否一把手="否", 是否党政正职="否", 出生年月=""),
        row(姓名="王五", 身份证号=make_id(3), 工作单位="SX01B"),  # same name as CX01B: export carries the code
    ])
    assert import_roster(path).ok
    Cadre.objects.filter(id_number=make_id(3)).update(status="退休")
    snapshot = {c.id_number: _fields(c) for c in Cadre.objects.all()}

    out = tmp_path / "export.xlsx"
    assert export_roster(Cadre.objects.all(), out) == 3
    result = import_roster(out)
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert {c.id_number: _fields(c) for c in Cadre.objects.all()} == snapshot

    # The same file into an empty registry recreates every cadre exactly.
    Cadre.objects.all().delete()
    assert import_roster(out).created == 3
    assert {c.id_number: _fields(c) for c in Cadre.objects.all()} == snapshot


def _fields(cadre):
    return {f.name: getattr(cadre, f.attname) for f in Cadre._meta.concrete_fields if f.name not in ("id", "created_at", "updated_at")}


def test_export_has_import_columns_and_template_imports_back_as_one_error(tree, tmp_path):
    template = tmp_path / "template.xlsx"
    write_template(template)
    sheet = openpyxl.load_workbook(template).active
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[1]) == HEADERS
    assert len(values) == 3  # title, header, one example row
    result = import_roster(template)
    # The example row points at a unit that does not exist; nothing else is wrong with it.
    assert [e["column"] for e in result.errors] == ["单位代码"]


def test_user_can_only_import_into_their_scope(tree, tmp_path, make_user, make_cadre):
    district = make_user("cx", "CX")
    outsider = make_cadre("SX", name="外县干部")
    path = write_xlsx(tmp_path / "a.xlsx", [
        HEADER,
        row(工作单位="CX01"),                                             # inside: fine
        row(身份证号=make_id(2), 工作单位="清河市财政局"),                 # a unit outside the district
        row(身份证号=outsider.id_number, 工作单位="CX01"),                # a cadre of another district
    ])
    result = import_roster(path, user=district)
    assert {(e["row"], e["column"]) for e in result.errors} == {(3, "工作单位"), (4, "身份证号")}
    assert Cadre.objects.get(pk=outsider.pk).unit.code == "SX"
    assert not Cadre.objects.filter(id_number=make_id(1)).exists()


def test_import_roster_command_json(tree, tmp_path, capsys):
    good = write_xlsx(tmp_path / "good.xlsx", [HEADER, row()])
    call_command("import_roster", str(good), "--json")
    import json

    assert json.loads(capsys.readouterr().out) == {"rows": 1, "created": 1, "updated": 0, "unchanged": 0, "errors": []}

    bad = write_xlsx(tmp_path / "bad.xlsx", [HEADER, row(身份证号=make_id(2), 职级="?"), row(身份证号="1")])
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_roster", str(bad), "--json")
    assert exit_info.value.code == 1
    out = json.loads(capsys.readouterr().out)
    assert [(e["row"], e["column"]) for e in out["errors"]] == [(2, "职级"), (3, "身份证号")]
    assert Cadre.objects.count() == 1


def test_row_numbers_count_blank_rows_and_columns_above_and_left(tree, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for offset, values in enumerate([HEADER, row(), row(身份证号="123")]):
        for column, value in enumerate(values):
            sheet.cell(row=3 + offset, column=2 + column, value=value)  # header at B3
    path = tmp_path / "offset.xlsx"
    workbook.save(path)
    result = import_roster(path)
    assert [(e["row"], e["column"]) for e in result.errors] == [(5, "身份证号")]


def test_formulas_come_back_as_text(tree, tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.append(HEADER)
    workbook.active.append(row(备注="=HYPERLINK(\"http://x\",\"点击\")"))
    workbook.active.cell(row=2, column=HEADER.index("备注") + 1).data_type = "s"  # typed as text
    path = tmp_path / "a.xlsx"
    workbook.save(path)
    assert import_roster(path).ok
    cadre = Cadre.objects.get()
    assert cadre.remarks.startswith("=HYPERLINK")
    out = tmp_path / "export.xlsx"
    export_roster(Cadre.objects.all(), out)
    cell = openpyxl.load_workbook(out).active.cell(row=3, column=HEADERS.index("备注") + 1)
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")  # text, not a live formula
    assert import_roster(out).unchanged == 1


def test_unit_name_and_code_must_agree(tree, tmp_path):
    rows = [HEADER[:11] + ["单位代码"] + HEADER[11:]]
    values = row(工作单位="城厢区")
    rows.append(values[:11] + ["CZ"] + values[11:])
    result = import_roster(write_xlsx(tmp_path / "a.xlsx", rows))
    assert [(e["row"], e["column"]) for e in result.errors] == [(2, "单位代码")]
    assert "不一致" in result.errors[0]["message"]
    # The code alone is enough, and so is a short name that matches it.
    only_code = [h if h != "工作单位" else "单位代码" for h in HEADER]
    assert import_roster(write_xlsx(tmp_path / "b.xlsx", [only_code, row(工作单位="CZ")])).created == 1


def test_error_in_a_later_batch_rolls_back_earlier_batches(tree, tmp_path):
    path = write_xlsx(tmp_path / "a.xlsx", [HEADER, row(), row(身份证号=make_id(2)), row(身份证号=make_id(3), 职级="?")])
    result = import_roster(path, batch_size=1)  # rows 2 and 3 are written before row 4 fails
    assert [(e["row"], e["column"]) for e in result.errors] == [(4, "职级")]
    assert not Cadre.objects.exists() and not PostHistory.objects.exists()


def test_timestamps_of_inserted_rows_read_back_like_orm_ones(tree, tmp_path):
    assert import_roster(write_xlsx(tmp_path / "a.xlsx", [HEADER, row()])).ok
    cadre = Cadre.objects.get()
    assert cadre.created_at.tzinfo is not None
    assert Cadre.objects.filter(created_at__lte=cadre.updated_at).count() == 1
