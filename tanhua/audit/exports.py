"""The audit log as an .xlsx file, for inspectors who take it away."""

import json

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from tanhua.dates import cn_date

from .models import Result

COLUMNS = [
    ("序号", 8), ("时间", 22), ("用户", 12), ("地址", 16), ("操作", 12), ("对象类型", 18),
    ("对象编号", 10), ("对象", 28), ("摘要", 60), ("结果", 6), ("本条哈希", 66),
]
# Cell text that a spreadsheet would otherwise take for a formula.
FORMULA_STARTS = ("=", "+", "-", "@")
RESULT_LABELS = dict(Result.choices)


def export_entries(entries, out, *, title="审计日志"):
    """Write ``entries`` (a queryset, in its own order) to ``out`` (a path or binary file).

    A title row, a bold frozen header, then one row per entry; every value but the seq is
    text, never a formula.
    Returns the number of entries written.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("审计日志")
    for index, (_header, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A3"
    title_cell = WriteOnlyCell(sheet, value=title)
    title_cell.font = Font(name="方正小标宋简体", size=16)
    sheet.append([title_cell])
    header = []
    for name, _width in COLUMNS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
        header.append(cell)
    sheet.append(header)
    count = 0
    for entry in entries.iterator(chunk_size=2000):
        sheet.append([_text_cell(sheet, value) for value in _row(entry)])
        count += 1
    workbook.save(out)
    return count


def _row(entry):
    return [
        entry.seq,
        _format_time(entry.time),
        entry.username,
        entry.address,
        entry.action_label,
        entry.object_type,
        entry.object_id,
        entry.object_repr,
        json.dumps(entry.summary, ensure_ascii=False, sort_keys=True) if entry.summary else "",
        RESULT_LABELS.get(entry.result, entry.result),
        entry.hash,
    ]


def _format_time(value):
    local = timezone.localtime(value, timezone.get_default_timezone())
    return f"{cn_date(local.date())} {local:%H:%M:%S}"


def _text_cell(sheet, value):
    # Control characters would make openpyxl refuse the file; "=..." would become a formula.
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if not value.startswith(FORMULA_STARTS):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell
