"""Roster import and export: the spreadsheet organisation departments keep.

``import_roster`` reads the file once, row by row, validating every row and writing in
batches inside one transaction; any error anywhere rolls the whole import back, so a bad
file writes nothing and every error is reported with its spreadsheet row and column.
Upsert is by ID number: re-importing the same file changes nothing.
"""

import datetime
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from tanhua.accounts.scope import scope_queryset, visible_units
from tanhua.db import insert_rows

from .models import Cadre, CadreStatus, Gender, PostHistory, Rank, SensitivePost, Unit
from .parsing import (
    clean_name,
    clean_text,
    facts_from_id_number,
    format_date,
    parse_bool,
    parse_date,
    parse_id_number,
    parse_phone,
)
from .sheets import (
    SheetError,
    header_key,
    is_blank,
    is_footer,
    locate_header,
    open_sheet,
)

# (column header, Cadre field, accepted header variants). The order is the export order.
COLUMNS = [
    ("姓名", "name", ["名字"]),
    ("性别", "gender", []),
    ("民族", "ethnicity", []),
    ("出生年月", "birth_date", ["出生日期", "出生年月日", "出生时间", "生日"]),
    ("籍贯", "native_place", []),
    ("政治面貌", "political_status", ["党派"]),
    ("入党时间", "party_join_date", ["入党日期", "入党年月"]),
    ("参加工作时间", "work_start_date", ["参加工作日期", "工作时间", "参工时间"]),
    ("学历", "education", ["最高学历", "文化程度"]),
    ("身份证号", "id_number", ["身份证号码", "公民身份号码", "身份证", "证件号码"]),
    ("工作单位", "unit", ["单位", "所在单位", "单位名称", "工作单位名称"]),
    ("单位代码", "unit_code", ["工作单位代码"]),
    ("现任职务", "post", ["职务", "现职务", "现任职务名称", "职务名称"]),
    ("职级", "rank", ["职务层次", "职级层次", "级别", "现职级", "职务级别"]),
    ("任现职时间", "post_since", ["任职时间", "任现职务时间", "现职时间", "任职日期"]),
    ("任现职级时间", "rank_since", ["任职级时间", "任现职务层次时间", "任现级时间", "职级时间"]),
    ("是否一把手", "is_unit_head", ["一把手"]),
    ("是否党政正职", "is_party_gov_head", ["党政正职"]),
    ("岗位类别", "sensitive_post", ["敏感岗位", "岗位类型", "敏感岗位类别"]),
    ("联系电话", "phone", ["电话", "手机", "手机号码", "联系方式", "电话号码"]),
    ("备注", "remarks", ["说明"]),
    ("状态", "status", ["在职状态"]),
]
REQUIRED = ["姓名", "身份证号", "职级"]  # and 工作单位 or 单位代码
# Column headers by model attribute, for the preview's list of what changes.
LABELS = {("unit_id" if c[1] == "unit" else "rank_id" if c[1] == "rank" else c[1]): c[0] for c in COLUMNS}
LABELS.update(unit_path="工作单位", rank_order="职级")
HEADERS = [c[0] for c in COLUMNS]
FIELD_OF = {c[0]: c[1] for c in COLUMNS}
ALIASES = {header_key(alias): c[0] for c in COLUMNS for alias in [c[0], *c[2]]}

TEXT_LIMITS = {
    "name": 40,
    "ethnicity": 20,
    "native_place": 60,
    "political_status": 20,
    "education": 40,
    "post": 100,
    "phone": 40,
    "remarks": 500,
}
DATE_FIELDS = {"birth_date", "party_join_date", "work_start_date", "post_since", "rank_since"}
BOOL_FIELDS = {"is_unit_head", "is_party_gov_head"}
# What an import reads of a cadre it may update: every stored column but the timestamps.
CADRE_ATTRS = [f.attname for f in Cadre._meta.concrete_fields if f.attname not in ("created_at", "updated_at")]

RANK_ALIASES = {
    "乡科级副职": "副科级",
    "乡科级正职": "正科级",
    "县处级副职": "副处级",
    "县处级正职": "正处级",
    "厅局级副职": "副厅级",
    "厅局级正职": "正厅级",
}
NO_SENSITIVE_POST = {"", "无", "否", "非敏感岗位", "一般岗位", "/", "-"}
# Django rebuilds ``Choices.values`` on every access; rows check these three times each.
GENDERS = frozenset(Gender.values)
SENSITIVE_POSTS = frozenset(SensitivePost.values)
STATUSES = frozenset(CadreStatus.values)
# A new cadre's columns the file leaves out get the model's defaults.
NEW_CADRE_DEFAULTS = {
    f.attname: f.get_default()
    for f in Cadre._meta.concrete_fields
    if f.attname not in ("id", "created_at", "updated_at")
}


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list = field(default_factory=list)
    dry_run: bool = False
    # A few examples of what the import does, for the preview page.
    samples: list = field(default_factory=list)

    def error(self, row, column, message):
        self.errors.append({"row": row, "column": column, "message": message})

    def as_dict(self):
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": self.errors,
        }

    @property
    def ok(self):
        return not self.errors


class _Vocabulary:
    """Units and ranks the importing user may use, loaded once per import."""

    def __init__(self, user):
        self.user = user
        units = visible_units(user) if user is not None else None
        units = list(units if units is not None else Unit.objects.all())
        self.by_code = {u.code: u for u in units}
        self.by_id = {u.id: u for u in units}
        self.by_name = {}
        for u in units:
            for name in {u.name, u.short_name} - {""}:
                self.by_name.setdefault(name, []).append(u)
        self.ranks = {r.name: r for r in Rank.objects.all()}

    def unit(self, code, name):
        if code:
            unit = self.by_code.get(code)
            if unit is None:
                raise ValueError(f"单位代码“{code}”不存在或不在您的管理范围内")
            # Exports carry both columns; someone who edits only the name must not be ignored.
            if name and name not in (unit.name, unit.short_name, unit.code):
                raise ValueError(f"工作单位“{name}”与单位代码“{code}”({unit.name})不一致,请只改其中一项并保持一致")
            return unit
        if name in self.by_code:
            return self.by_code[name]
        matches = self.by_name.get(name, [])
        if not matches:
            raise ValueError(f"单位“{name}”不存在或不在您的管理范围内(可填单位代码或单位全称)")
        if len(matches) > 1:
            codes = "、".join(u.code for u in matches[:5])
            raise ValueError(f"单位名称“{name}”对应多个单位(代码 {codes}),请填写单位代码")
        return matches[0]

    def rank(self, name):
        name = name.replace(" ", "")
        candidates = [name, RANK_ALIASES.get(name, ""), name + "级"]
        for candidate in candidates:
            if candidate in self.ranks:
                return self.ranks[candidate]
        raise ValueError(f"职级“{name}”不在职级表中(如 副科级、正处级、四级调研员)")


def _name(raw):
    value = clean_name(raw)
    if not value:
        raise ValueError("姓名不能为空")
    if len(value) > TEXT_LIMITS["name"]:
        raise ValueError(f"姓名过长({len(value)}字),最多{TEXT_LIMITS['name']}字")
    return value


def _gender(raw):
    value = clean_text(raw).removesuffix("性")
    if value and value not in GENDERS:
        raise ValueError(f"性别应为“男”或“女”,而不是“{value}”")
    return value


def _sensitive_post(raw):
    value = clean_text(raw).replace(" ", "")
    if value in NO_SENSITIVE_POST:
        return ""
    if value.removesuffix("岗位") in SENSITIVE_POSTS:
        return value.removesuffix("岗位")
    raise ValueError(f"岗位类别“{value}”应为{'、'.join(SensitivePost.values)}之一,或留空")


def _status(raw):
    value = clean_text(raw)
    if value and value not in STATUSES:
        raise ValueError(f"状态应为{'、'.join(CadreStatus.values)}之一")
    return value


def _limited(limit):
    def parse(raw):
        value = clean_text(raw)
        if len(value) > limit:
            raise ValueError(f"内容过长({len(value)}字),最多{limit}字")
        return value

    return parse


# One parser per field, chosen once rather than per cell: rows are parsed by the 100,000.
PARSERS = {
    "name": _name,
    "id_number": parse_id_number,
    "gender": _gender,
    "sensitive_post": _sensitive_post,
    "status": _status,
    "phone": parse_phone,
    **{name: parse_date for name in DATE_FIELDS},
    **{name: parse_bool for name in BOOL_FIELDS},
    **{name: _limited(limit) for name, limit in TEXT_LIMITS.items() if name != "name"},
}


def _parse_row(row_number, values, columns, vocabulary, result):
    """The row as Cadre field values, or None after recording its errors in ``result``.

    ``columns`` lists ``(index, header, field, parser)`` for the columns the file has.
    """
    data = {}
    errors_before = len(result.errors)
    width = len(values)

    def fail(column, message):
        result.error(row_number, column, message)

    for index, header, name, parse in columns:
        try:
            data[name] = parse(values[index] if index < width else None)
        except ValueError as exc:
            fail(header, str(exc))

    unit_name, unit_code = data.pop("unit", ""), data.pop("unit_code", "")
    if not unit_name and not unit_code:
        fail("工作单位", "工作单位不能为空")
    elif unit_name or unit_code:
        try:
            data["unit"] = vocabulary.unit(unit_code, unit_name)
        except ValueError as exc:
            fail("单位代码" if unit_code else "工作单位", str(exc))
    rank_name = data.pop("rank", None)
    if rank_name is not None:
        if not rank_name:
            fail("职级", "职级不能为空")
        else:
            try:
                data["rank"] = vocabulary.rank(rank_name)
            except ValueError as exc:
                fail("职级", str(exc))
    if "status" in data and not data["status"]:
        del data["status"]

    # Blank birth month and gender come from the ID number, as Cadre.save() does.
    gender, birth_month = facts_from_id_number(data.get("id_number"))
    if data.get("gender") == "":
        data["gender"] = gender
    if "birth_date" in data and data["birth_date"] is None:
        data["birth_date"] = birth_month
    return None if len(result.errors) > errors_before else data


def _model_values(data):
    """Field values by attribute name, with the unit's path and rank's order copied along."""
    values = {k: v for k, v in data.items() if k not in ("unit", "rank", "id_number")}
    if "unit" in data:
        values["unit_id"] = data["unit"].id
        values["unit_path"] = data["unit"].path
    if "rank" in data:
        values["rank_id"] = data["rank"].id
        values["rank_order"] = data["rank"].order
    return values


def _apply_batch(batch, result, user, vocabulary, write):
    """Compare a batch of parsed rows with the database and, if ``write``, save them."""
    # Plain dicts, not model instances: most rows of a re-import are unchanged.
    existing = {
        c["id_number"]: c
        for c in Cadre.objects.filter(id_number__in=[data["id_number"] for _, data in batch]).values(*CADRE_ATTRS)
    }
    if user is not None and existing:
        in_scope = set(
            scope_queryset(Cadre.objects.filter(pk__in=[c["id"] for c in existing.values()]), user).values_list(
                "pk", flat=True
            )
        )
    else:
        in_scope = {c["id"] for c in existing.values()}

    now = timezone.now()
    # Plain inserts bypass the field API: store timestamps as the ORM would.
    now_db = connection.ops.adapt_datetimefield_value(now)
    to_create, to_update, moved = [], [], []
    changed_fields = set()
    for row_number, data in batch:
        values = _model_values(data)
        cadre = existing.get(data["id_number"])
        if cadre is None:
            row = {**NEW_CADRE_DEFAULTS, **values, "id_number": data["id_number"], "created_at": now_db, "updated_at": now_db}
            gender, birth_month = facts_from_id_number(row["id_number"])
            row["gender"] = row["gender"] or gender
            row["birth_date"] = row["birth_date"] or birth_month
            to_create.append(row)
            result.created += 1
            if len(result.samples) < 20:
                result.samples.append({"row": row_number, "action": "新增", "name": row["name"], "changes": []})
            continue
        if cadre["id"] not in in_scope:
            result.error(row_number, "身份证号", "该身份证号已登记在您的管理范围以外,不能在此导入;如需调入请联系上级组织部门")
            continue
        changes = [(name, cadre[name], value) for name, value in values.items() if cadre[name] != value]
        shown = [c for c in changes if c[0] not in ("unit_path", "rank_order")]
        if not changes:
            result.unchanged += 1
            continue
        result.updated += 1
        if len(result.samples) < 20:
            result.samples.append(
                {"row": row_number, "action": "修改", "name": values.get("name", cadre["name"]), "changes": [LABELS[c[0]] for c in shown]}
            )
        names = {c[0] for c in changes}
        cadre = Cadre(**{**cadre, **values, "updated_at": now})
        if names & {"unit_id", "post", "rank_id"}:
            moved.append(cadre)
        changed_fields |= names
        to_update.append(cadre)

    if not write or result.errors:
        return
    if to_create:
        # Plain INSERTs: the ORM's per-value work was most of a 100,000-row import's time.
        insert_rows(Cadre, to_create)
        new_ids = dict(
            Cadre.objects.filter(id_number__in=[r["id_number"] for r in to_create]).values_list("id_number", "id")
        )
    if to_update:
        Cadre.objects.bulk_update(to_update, sorted(changed_fields | {"updated_at"}))
    # Post history: a new cadre starts with their current post; a changed post closes the
    # open entry and opens a new one.
    if moved:
        today = datetime.date.today()
        since = {c.pk: c.post_since for c in moved}
        open_entries = list(PostHistory.objects.filter(cadre__in=moved, end__isnull=True))
        for entry in open_entries:
            entry.end = since[entry.cadre_id] or today
        PostHistory.objects.bulk_update(open_entries, ["end"])
    new_posts = [_current_post(c.pk, vars(c), vocabulary) for c in moved]
    new_posts += [_current_post(new_ids[r["id_number"]], r, vocabulary) for r in to_create]
    if new_posts:
        insert_rows(PostHistory, new_posts)


def _current_post(cadre_id, fields, vocabulary):
    """The open post-history entry for a cadre's current post, as a row."""
    unit = vocabulary.by_id[fields["unit_id"]]
    return {
        "cadre_id": cadre_id,
        "unit_id": unit.id,
        "unit_name": unit.name,
        "post": fields["post"],
        "rank_id": fields["rank_id"],
        "start": fields["post_since"],
        "end": None,
    }


def import_roster(path, *, user=None, dry_run=False, progress=None, batch_size=1000, address="", name=None):
    """Import a roster file; returns an :class:`ImportResult`.

    ``user`` limits the units rows may name to the user's scope (``None``: a trusted command
    line run). ``progress(done, total)`` is called after every batch. A real import is
    recorded in the audit log (in its own transaction, so entry and rows commit together),
    with ``address`` and the file's ``name`` and SHA-256.
    """
    result = ImportResult(dry_run=dry_run)
    try:
        last_row, rows = open_sheet(path)
        header_row, mapping, rows = locate_header(rows, ALIASES, REQUIRED)
    except SheetError as exc:
        result.error(1, "", str(exc))
        return result
    if not {"工作单位", "单位代码"} & set(mapping.values()):
        result.error(header_row, "工作单位", f"第{header_row}行表头缺少“工作单位”或“单位代码”列")
        return result

    vocabulary = _Vocabulary(user)
    columns = [(index, header, FIELD_OF[header], PARSERS.get(FIELD_OF[header], clean_text)) for index, header in mapping.items()]
    first_seen = {}
    batch = []
    with transaction.atomic():
        for row_number, values in rows:
            if is_blank(values) or is_footer(values):
                continue
            result.rows += 1
            data = _parse_row(row_number, values, columns, vocabulary, result)
            if data is None:
                continue
            earlier = first_seen.setdefault(data["id_number"], row_number)
            if earlier != row_number:
                result.error(row_number, "身份证号", f"与第{earlier}行的身份证号重复")
                continue
            batch.append((row_number, data))
            if len(batch) >= batch_size:
                _apply_batch(batch, result, user, vocabulary, write=not dry_run)
                batch = []
                if progress:
                    progress(row_number, last_row)
        if batch:
            _apply_batch(batch, result, user, vocabulary, write=not dry_run)
        if progress:
            progress(last_row, last_row)
        if result.rows == 0 and not result.errors:
            result.error(header_row + 1, "", "表头下面没有数据行")
        if dry_run or result.errors:
            transaction.set_rollback(True)
        elif not dry_run:
            _record_import(path, name, user, address, result)
    if result.errors and not dry_run:
        result.created = result.updated = result.unchanged = 0  # nothing was written
        _record_import(path, name, user, address, result)
    return result


def _record_import(path, name, user, address, result):
    from tanhua.audit.services import record

    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    record(
        "import", user=user, address=address, object_type="registry.cadre",
        object_repr=(name or Path(path).name)[:200],
        summary={
            "file": name or Path(path).name, "sha256": digest.hexdigest(), "rows": result.rows,
            "created": result.created, "updated": result.updated, "unchanged": result.unchanged,
            "errors": len(result.errors),
        },
        result="failure" if result.errors else "success",
    )


def _export_row(cadre):
    row = []
    for _header, name, _aliases in COLUMNS:
        if name == "unit":
            value = cadre.unit.name
        elif name == "unit_code":
            value = cadre.unit.code
        elif name == "rank":
            value = cadre.rank.name
        elif name in DATE_FIELDS:
            value = format_date(getattr(cadre, name))
        elif name in BOOL_FIELDS:
            value = "是" if getattr(cadre, name) else "否"
        else:
            value = getattr(cadre, name)
        row.append(value)
    return row


def export_roster(cadres, out, *, title="干部名册", progress=None):
    """Write ``cadres`` (an already scoped queryset) to ``out`` (a path or binary file).

    Same columns as the import, all as text, so the export imports back unchanged.
    ``progress(done, total)`` is called every 2,000 cadres. Returns the number written.
    """
    total = cadres.count() if progress else None
    cadres = cadres.select_related("unit", "rank").order_by("unit_path", "-rank_order", "id")
    count = 0
    with _RosterWorkbook(title) as sheet:
        for cadre in cadres.iterator(chunk_size=2000):
            sheet.append(_export_row(cadre))
            count += 1
            if progress and count % 2000 == 0:
                progress(count, total)
        sheet.save(out)
    if progress:
        progress(count, total)
    return count


def write_template(out):
    """The import template: the header and one example row."""
    example = [
        "张  三", "男", "汉族", "1975.03", "江苏太仓", "中共党员", "1998.07", "1996.08", "大学",
        "320585197503010022", "(单位全称)", "(或单位代码)", "局长", "正处级", "2019.06", "2019.06",
        "是", "是", "", "13800000000", "示例行,导入前请删除", "在职",
    ]
    with _RosterWorkbook("干部名册导入模板") as sheet:
        sheet.append(example, style="example")
        sheet.save(out)


FORMULA_STARTS = ("=",)
COLUMN_WIDTHS = {"姓名": 10, "身份证号": 21, "工作单位": 28, "现任职务": 24, "备注": 24, "单位代码": 14}


class _RosterWorkbook:
    """A write-only workbook with a title row, a bold header and text-formatted cells."""

    def __init__(self, title):
        self._cell = WriteOnlyCell
        self.workbook = Workbook(write_only=True)
        self.sheet = self.workbook.create_sheet("干部名册")
        for index, header in enumerate(HEADERS):
            letter = _column_letter(index)
            self.sheet.column_dimensions[letter].width = COLUMN_WIDTHS.get(header, 12)
        self.sheet.freeze_panes = "A3"
        title_cell = WriteOnlyCell(self.sheet, value=title)
        title_cell.font = Font(name="方正小标宋简体", size=16)
        self.sheet.append([title_cell])
        header = []
        for name in HEADERS:
            cell = WriteOnlyCell(self.sheet, value=name)
            cell.font = Font(bold=True, color="C00000" if name in (*REQUIRED, "工作单位") else None)
            cell.alignment = Alignment(horizontal="center")
            header.append(cell)
        self.sheet.append(header)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def append(self, values, style=None):
        if style == "example":
            cells = []
            for value in values:
                cell = self._cell(self.sheet, value=value)
                cell.font = Font(color="808080", italic=True)
                cells.append(cell)
            self.sheet.append(cells)
        else:
            self.sheet.append([self._text(v) if isinstance(v, str) and v[:1] in FORMULA_STARTS else v for v in values])

    def _text(self, value):
        # openpyxl writes a string that starts with "=" as a formula; a remark such as
        # "=HYPERLINK(...)" must come out as the text it is.
        cell = self._cell(self.sheet, value=value)
        cell.data_type = "s"
        return cell

    def save(self, out):
        self.workbook.save(out)


def _column_letter(index):
    return get_column_letter(index + 1)
