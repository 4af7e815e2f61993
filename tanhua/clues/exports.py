"""The problem list as an .xlsx in the layout offices keep (问题清单)."""

from tanhua import ledgers
from tanhua.dates import cn_date

from .models import Light

COLUMNS = [("序号", 6), ("反映对象", 10), ("涉及单位", 22), ("问题类别", 16), ("问题摘要", 30), ("主要内容", 60),
           ("来源", 24), ("首次受理", 12), ("线索编号", 22), ("处置情况", 12), ("时限", 8)]
LIGHTS = {Light.RED: "逾期", Light.YELLOW: "临期", Light.GREEN: "正常", Light.DONE: "已办结"}
_text = ledgers.text  # a complaint that begins with "=" is text, not a spreadsheet formula


def export_problem_list(rows, out, *, title):
    workbook, sheet = ledgers.start("问题清单", title, COLUMNS)
    for n, row in enumerate(rows, start=1):
        first = row["first"]
        sheet.append([
            n,
            _text(first.cadre.name if first.cadre_id else "(单位)"),
            _text(first.unit.name),
            _text(str(first.category)),
            _text(first.summary),
            _text(first.content),
            _text("、".join(row["sources"])),
            cn_date(first.received_on),
            _text("\n".join(c.number for c in row["clues"])),
            _text(first.get_disposition_display() or "待处置"),
            LIGHTS[row["light"]],
        ])
    ledgers.finish(workbook, sheet, out)
    return len(rows)
