"""Workbooks in the layout offices keep their ledgers in: a title row, a header row, boxed cells."""

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, Side

FORMULA_STARTS = ("=", "+", "-", "@")


def text(value):
    """A cell's text; one that begins like a formula stays text (formula injection)."""
    value = str(value or "")
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def start(sheet_title, title, columns):
    """A workbook whose sheet has ``title`` merged over the header row of ``columns`` [(name, width)]."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(columns))
    sheet["A1"].font = Font(name="方正小标宋简体", size=16)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append([name for name, _ in columns])
    for index, (_name, width) in enumerate(columns, start=1):
        sheet.column_dimensions[sheet.cell(row=2, column=index).column_letter].width = width
    return workbook, sheet


def finish(workbook, sheet, out):
    """Box every cell below the title (one named style: a style per cell costs seconds on thousands
    of rows), bold the header, repeat it on each printed page, landscape, and save to ``out``."""
    thin = Side(style="thin")
    border, alignment = Border(left=thin, right=thin, top=thin, bottom=thin), Alignment(wrap_text=True, vertical="top")
    workbook.add_named_style(NamedStyle(name="ledger_cell", border=border, alignment=alignment))
    workbook.add_named_style(NamedStyle(name="ledger_header", font=Font(bold=True), border=border, alignment=alignment))
    for line in sheet.iter_rows(min_row=2, max_row=sheet.max_row):
        for cell in line:
            cell.style = "ledger_header" if cell.row == 2 else "ledger_cell"
    sheet.freeze_panes = "A3"
    sheet.print_title_rows = "2:2"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    workbook.save(out)
