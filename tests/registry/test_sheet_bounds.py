"""A workbook that reaches too far is refused before it is read: a 2 KB file with one cell at
XFD1048576 would otherwise ask the reader for hundreds of gigabytes (issue 13)."""

import zipfile

import pytest

from tanhua.clues.importer import import_clues
from tanhua.clues.models import Clue
from tanhua.registry.models import Cadre
from tanhua.registry.roster import import_roster
from tanhua.registry.sheets import MAX_COLUMNS, SheetError, check_bounds
from tests.conftest import write_xlsx

pytestmark = pytest.mark.django_db


def _with(path, target, extra):
    """``path`` with ``extra`` XML added to the end of its first sheet's data."""
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", extra + b"</sheetData>")
            out.writestr(item, data)
    return target


def test_a_far_cell_is_refused_before_reading(tmp_path):
    base = write_xlsx(tmp_path / "base.xlsx", [["姓名", "身份证号"], ["张三", "1"]])
    check_bounds(base)
    far = _with(base, tmp_path / "far.xlsx", b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>')
    assert far.stat().st_size < 10_000
    with pytest.raises(SheetError, match=f"第 16384 列,超过 {MAX_COLUMNS} 列的上限"):
        check_bounds(far)
    # Cells that leave out their reference follow each other: counted all the same.
    unnamed = _with(base, tmp_path / "unnamed.xlsx", b'<row r="1048576">' + b"<c/>" * 20000 + b"</row>")
    with pytest.raises(SheetError, match="列的上限"):
        check_bounds(unnamed)
    # Many rows and a few columns are fine up to the cell limit.
    tall = _with(base, tmp_path / "tall.xlsx", b'<row r="100000"><c r="T100000"/></row>')
    check_bounds(tall)


def test_every_importer_refuses_it_with_nothing_written(tmp_path, tree, make_user, vocab):
    base = write_xlsx(tmp_path / "base.xlsx", [["姓名", "身份证号"], ["张三", "1"]])
    far = _with(base, tmp_path / "far.xlsx", b'<row r="2000"><c r="XFD2000" t="inlineStr"><is><t>x</t></is></c></row>')
    roster = import_roster(far)
    assert roster.errors[0]["message"].startswith("工作表的数据延伸到第 16384 列")
    clues = import_clues(far, make_user("cx", "CX", ["staff"]))
    assert not clues.ok and "列的上限" in str(clues.errors[0])
    assert not Cadre.objects.exists() and not Clue.objects.exists()
