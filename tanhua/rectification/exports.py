"""The ledger (台账) as .xlsx, in the layout offices keep: one row per item."""

from tanhua import ledgers
from tanhua.dates import cn_date

from .selectors import LIGHTS

COLUMNS = [("序号", 6), ("责任单位", 18), ("问题", 40), ("整改措施", 40), ("责任人", 10), ("责任领导", 10),
           ("来源", 10), ("整改时限", 14), ("状态", 10), ("时限", 8), ("督办", 16), ("证明材料(件)", 10),
           ("回访(次)", 8), ("销号日期", 14)]
LIGHT_NAMES = ["red", "yellow", "green", "done"]
_text = ledgers.text


def export_ledger(items, out, *, title):
    workbook, sheet = ledgers.start("整改台账", title, COLUMNS)
    count = 0
    for count, item in enumerate(items, start=1):
        sheet.append([count, _text(item.unit.name), _text(item.problem), _text(item.measures), _text(item.owner_name),
                      _text(item.leader_name), item.get_origin_display(), cn_date(item.due_on), item.get_status_display(),
                      LIGHTS[LIGHT_NAMES[item.light_rank]], item.get_escalation_display(), item.evidence_count,
                      item.follow_up_count, cn_date(item.closed_at)])
    ledgers.finish(workbook, sheet, out)
    return count
