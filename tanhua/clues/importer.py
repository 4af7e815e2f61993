"""Batch import of clues from a spreadsheet: every row checked, all or nothing.

Offices keep their intake ledgers (信访台账, 12345 工单, 巡察移交清单) in Excel; this reads
them with the same rules as the roster: a header found among the first rows under any of
its usual names, every error reported with its row and column, nothing written if any row
is wrong. Cadres are matched by ID number, or by name within the unit when the name is
unique there; units by full name, short name or code. Everything is limited to the
importing user's scope.
"""


from django.db import transaction

from tanhua.accounts.scope import scope_queryset, visible_units
from tanhua.dates import happened_error
from tanhua.registry.models import Cadre
from tanhua.registry.parsing import clean_paragraphs, clean_text, parse_bool, parse_date
from tanhua.registry.roster import ImportResult
from tanhua.registry.sheets import SheetError, header_key, is_blank, is_footer, locate_header, open_sheet

from . import services
from .models import Category, Source

COLUMNS = [
    ("来源", ["线索来源", "问题来源", "来源渠道"]),
    ("受理日期", ["收到日期", "收件日期", "登记日期", "来件日期", "受理时间"]),
    ("涉及单位", ["单位", "被反映单位", "所在单位", "工作单位", "单位代码"]),
    ("反映对象", ["被反映人", "被反映人姓名", "姓名"]),
    ("身份证号", ["被反映人身份证号", "公民身份号码", "身份证号码"]),
    ("问题类别", ["类别", "问题类型", "违纪类型"]),
    ("问题摘要", ["摘要", "主要问题", "反映问题"]),
    ("反映内容", ["内容", "具体内容", "反映事项", "来信内容", "工单内容"]),
    ("匿名", ["是否匿名", "署名情况"]),
    ("反映人", ["反映人姓名", "举报人", "来信人", "来电人"]),
    ("联系方式", ["联系电话", "反映人电话", "电话"]),
    ("办理时限", ["时限", "办结时限", "办理期限"]),
]
REQUIRED = ["来源", "受理日期", "涉及单位", "问题类别", "问题摘要", "反映内容"]
ALIASES = {header_key(alias): c[0] for c in COLUMNS for alias in [c[0], *c[1]]}


class _Lookups:
    """Vocabularies and the user's units, loaded once per import."""

    def __init__(self, user):
        self.user = user
        self.sources = _by_name(Source)
        self.categories = _by_name(Category)
        self.units = {}
        for unit in visible_units(user):
            for key in (unit.name, unit.short_name, unit.code):
                if key:
                    self.units.setdefault(key, []).append(unit)

    def unit(self, text):
        found = self.units.get(text, [])
        if len({u.pk for u in found}) > 1:
            raise ValueError(f"有多个单位叫“{text}”,请填写单位代码")
        if not found:
            raise ValueError(f"单位“{text}”不存在,或不在您的管理范围内")
        return found[0]

    def cadre(self, unit, name, id_number):
        qs = scope_queryset(Cadre.objects.all(), self.user)
        if id_number:
            cadre = qs.filter(id_number=id_number.upper()).select_related("unit").first()
            if cadre is None:
                raise ValueError(f"身份证号为“{id_number}”的干部不存在,或不在您的管理范围内")
            if name and cadre.name != name:
                raise ValueError(f"身份证号对应的干部是“{cadre.name}”,与反映对象“{name}”不一致")
            return cadre
        found = list(qs.filter(unit.subtree_q("unit_path"), name=name).select_related("unit")[:2])
        if not found:
            raise ValueError(f"“{unit.name}”及其下级单位中没有“{name}”这名干部")
        if len(found) > 1:
            raise ValueError(f"“{unit.name}”有多名叫“{name}”的干部,请填写身份证号")
        return found[0]


def _by_name(model):
    # "信访举报·来信", "来信" and "信访举报" all name entries; a child's own name wins.
    entries = {}
    for entry in model.objects.filter(active=True).select_related("parent"):
        entries[str(entry)] = entry
        entries.setdefault(entry.name, entry)
        if entry.parent_id:
            entries.setdefault(f"{entry.parent.name}-{entry.name}", entry)
            entries.setdefault(f"{entry.parent.name}/{entry.name}", entry)
    return entries


def _vocabulary(entries, text, what):
    text = clean_text(text).replace(" ", "")
    if not text:
        raise ValueError(f"{what}不能为空")
    entry = entries.get(text)
    if entry is None:
        raise ValueError(f"{what}“{text}”不在系统的{what}表中")
    return entry


def _parse_row(row_number, cells, lookups, result):
    errors_before = len(result.errors)
    data = {}

    def field(column, parse):
        try:
            return parse(cells.get(column))
        except ValueError as exc:
            result.error(row_number, column, str(exc))
            return None

    data["source"] = field("来源", lambda v: _vocabulary(lookups.sources, v, "来源"))
    data["category"] = field("问题类别", lambda v: _vocabulary(lookups.categories, v, "问题类别"))
    data["received_on"] = field("受理日期", _required_date("受理日期"))
    data["due_on"] = field("办理时限", parse_date)
    unit_text = clean_text(cells.get("涉及单位"))
    unit = None
    if not unit_text:
        result.error(row_number, "涉及单位", "涉及单位不能为空")
    else:
        unit = field("涉及单位", lambda _v: lookups.unit(unit_text))
    name = clean_text(cells.get("反映对象"))
    id_number = clean_text(cells.get("身份证号")).replace(" ", "")
    data["cadre"] = None
    if unit is not None and (name or id_number):
        column = "身份证号" if id_number else "反映对象"
        try:
            data["cadre"] = lookups.cadre(unit, name, id_number)
        except ValueError as exc:
            result.error(row_number, column, str(exc))
    data["unit"] = unit
    for column, key, limit in (("问题摘要", "summary", 200), ("反映内容", "content", 20000)):
        text = clean_text(cells.get(column)) if column == "问题摘要" else clean_paragraphs(cells.get(column))
        if not text:
            result.error(row_number, column, f"{column}不能为空")
        elif len(text) > limit:
            result.error(row_number, column, f"{column}最多{limit}字(现有{len(text)}字)")
        data[key] = text
    anonymous_cell = cells.get("匿名")
    reporter = clean_text(cells.get("反映人"))
    contact = clean_text(cells.get("联系方式"))
    anonymous = field("匿名", lambda v: parse_bool(v) if clean_text(v) not in ("匿名", "署名") else clean_text(v) == "匿名")
    if anonymous_cell in (None, "") and not reporter and not contact:
        anonymous = True
    if anonymous and (reporter or contact):
        result.error(row_number, "匿名", "标为匿名却填写了反映人或联系方式")
    data.update(reporter_anonymous=bool(anonymous), reporter_name=reporter[:40], reporter_contact=contact[:100])
    if data["received_on"] and data["due_on"] and data["due_on"] < data["received_on"]:
        result.error(row_number, "办理时限", "办理时限不能早于受理日期")
    if date_error := happened_error(data["received_on"], "受理日期"):
        result.error(row_number, "受理日期", date_error)
    return None if len(result.errors) > errors_before else data


def _required_date(column):
    def parse(value):
        day = parse_date(value)
        if day is None:
            raise ValueError(f"{column}不能为空")
        return day

    return parse


def import_clues(path, user, *, dry_run=False, request=None, name=None):
    """Import the clue ledger at ``path`` as ``user``; returns an ImportResult (``created``).

    Every row is registered through ``services.register_clue`` (numbered, audited, reporter
    sealed) inside one transaction that is rolled back on any error or in a dry run.
    """
    result = ImportResult(dry_run=dry_run)
    try:
        _last, rows = open_sheet(path)
        _header, mapping, rows = locate_header(rows, ALIASES, REQUIRED)
    except SheetError as exc:
        result.error(1, "", str(exc))
        return result
    lookups = _Lookups(user)
    parsed = []
    for row_number, values in rows:
        if is_blank(values) or is_footer(values):
            continue
        result.rows += 1
        cells = {column: (values[i] if i < len(values) else None) for i, column in mapping.items()}
        data = _parse_row(row_number, cells, lookups, result)
        if data is not None:
            parsed.append((row_number, data))
    if result.rows == 0 and not result.errors:
        result.error(2, "", "表头下面没有数据行")
    if result.errors:
        return result
    with transaction.atomic():
        for _row_number, data in parsed:
            clue = services.register_clue(user, request=request, via=f"import:{name or path.name}", **data)
            result.created += 1
            if len(result.samples) < 5:
                result.samples.append({"number": clue.number, "summary": clue.summary,
                                       "cadre": clue.cadre.name if clue.cadre_id else "", "unit": clue.unit.name})
        if dry_run:
            transaction.set_rollback(True)
    return result


def write_template(out):
    """The import template: the header and one example row."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "问题线索"
    sheet.append([c[0] for c in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="C00000" if cell.value in REQUIRED else "000000")
        cell.fill = PatternFill("solid", fgColor="F2F2F2")
    sheet.append(["信访举报·来信", "2026-11-02", "城厢区柳桥镇", "李庆庆", "", "奢靡之风", "接受管理服务对象宴请",
                  "反映该同志多次在周末接受辖区企业老板宴请。", "否", "王秀英", "13912345678", ""])
    for letter, width in zip("ABCDEFGHIJKL", (16, 12, 20, 10, 20, 14, 24, 50, 6, 10, 14, 12)):
        sheet.column_dimensions[letter].width = width
    workbook.save(out)
