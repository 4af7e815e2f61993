"""The ledger (台账) as .xlsx, in the layout offices keep: one row per item."""

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, Side

from .selectors import LIGHTS

COLUMNS = [("序号", 6), ("责任单位", 18), ("问题", 40), ("整改措施", 40), ("责任人", 10), ("责任领导", 10),
           ("来源", 10), ("整改时限", 14), ("状态", 10), ("时限", 8), ("督办", 16), ("证明材料(件)", 10),
           ("回访(次)", 8), ("销号日期", 14)]
LIGHT_NAMES = ["red", "yellow", "green", "done"]


def _cn(day):
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def _text(value):
    value = str(value or "")
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value  # never a formula


def export_ledger(items, out, *, title):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "整改台账"
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    sheet["A1"].font = Font(name="方正小标宋简体", size=16)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append([name for name, _ in COLUMNS])
    for index, (_name, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[sheet.cell(row=2, column=index).column_letter].width = width
    count = 0
    for count, item in enumerate(items, start=1):
        sheet.append([count, _text(item.unit.name), _text(item.problem), _text(item.measures), _text(item.owner_name),
                      _text(item.leader_name), item.get_origin_display(), _cn(item.due_on), item.get_status_display(),
                      LIGHTS[LIGHT_NAMES[item.light_rank]], item.get_escalation_display(), item.evidence_count,
                      item.follow_up_count, _cn(item.closed_at.date() if item.closed_at else None)])
    thin = Side(style="thin")
    boxed = NamedStyle(name="ledger_cell", border=Border(left=thin, right=thin, top=thin, bottom=thin),
                       alignment=Alignment(wrap_text=True, vertical="top"))
    workbook.add_named_style(boxed)
    for line in sheet.iter_rows(min_row=2, max_row=sheet.max_row):
        for cell in line:
            cell.style = "ledger_cell"
            if cell.row == 2:
                cell.font = Font(bold=True)
    sheet.freeze_panes = "A3"
    sheet.print_title_rows = "2:2"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    workbook.save(out)
    return count
