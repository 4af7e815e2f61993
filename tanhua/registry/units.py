"""Unit import: the organisation tree from a spreadsheet, upserted by unit code."""

from django.db import transaction
from django.db.models import OuterRef, Subquery

from .models import Cadre, Unit, UnitKind, UnitTag
from .parsing import clean_text, split_tags
from .roster import ImportResult
from .sheets import (
    SheetError,
    header_key,
    is_blank,
    is_footer,
    locate_header,
    open_sheet,
)

COLUMNS = [
    ("单位代码", ["代码", "机构代码", "单位编码"]),
    ("单位名称", ["名称", "单位全称", "机构名称"]),
    ("简称", ["单位简称"]),
    ("上级单位代码", ["上级代码", "上级单位", "上级单位编码", "隶属单位代码"]),
    ("单位类别", ["类别", "单位类型", "类型"]),
    ("标签", ["单位标签", "单位属性", "属性"]),
]
REQUIRED = ["单位代码", "单位名称"]
ALIASES = {header_key(alias): c[0] for c in COLUMNS for alias in [c[0], *c[1]]}
KIND_ALIASES = {
    "市级": "市",
    "县": "县区",
    "区": "县区",
    "县(市、区)": "县区",
    "县市区": "县区",
    "镇": "镇街",
    "街道": "镇街",
    "乡镇": "镇街",
    "镇(街道)": "镇街",
    "部门": "市直部门",
    "市级部门": "市直部门",
    "国企": "国有企业",
    "市属国有企业": "国有企业",
}


def _kind(text):
    text = clean_text(text).replace(" ", "")
    if not text:
        return UnitKind.OTHER
    text = KIND_ALIASES.get(text, text)
    if text not in UnitKind.values:
        raise ValueError(f"单位类别“{text}”应为{'、'.join(UnitKind.values)}之一")
    return text


def import_units(path, *, dry_run=False):
    """Import the unit tree; parents may come after their children in the file."""
    result = ImportResult(dry_run=dry_run)
    try:
        _last, rows = open_sheet(path)
        _header_row, mapping, rows = locate_header(rows, ALIASES, REQUIRED)
    except SheetError as exc:
        result.error(1, "", str(exc))
        return result

    parsed = {}
    for row_number, values in rows:
        if is_blank(values) or is_footer(values):
            continue
        result.rows += 1
        cells = {name: (values[i] if i < len(values) else None) for i, name in mapping.items()}
        errors_before = len(result.errors)
        code = clean_text(cells.get("单位代码")).replace(" ", "")
        name = clean_text(cells.get("单位名称"))
        if not code:
            result.error(row_number, "单位代码", "单位代码不能为空")
        elif len(code) > 40:
            result.error(row_number, "单位代码", "单位代码最多40个字符")
        elif code in parsed:
            result.error(row_number, "单位代码", f"与第{parsed[code]['row']}行的单位代码重复")
        if not name:
            result.error(row_number, "单位名称", "单位名称不能为空")
        elif len(name) > 100:
            result.error(row_number, "单位名称", "单位名称最多100字")
        try:
            kind = _kind(cells.get("单位类别"))
        except ValueError as exc:
            result.error(row_number, "单位类别", str(exc))
        if len(result.errors) > errors_before:
            continue
        parsed[code] = {
            "row": row_number,
            "name": name,
            "short_name": clean_text(cells.get("简称"))[:40] if "简称" in cells else None,
            "parent": clean_text(cells.get("上级单位代码")).replace(" ", ""),
            "kind": kind,
            "tags": split_tags(cells.get("标签")) if "标签" in cells else None,
        }

    existing = {u.code: u for u in Unit.objects.all()}
    for code, row in parsed.items():
        parent = row["parent"]
        if parent and parent not in parsed and parent not in existing:
            result.error(row["row"], "上级单位代码", f"上级单位代码“{parent}”在文件和系统中都不存在")
        if parent == code:
            result.error(row["row"], "上级单位代码", "上级单位不能是本单位")
    order = _parents_first(parsed, existing, result)
    if result.errors:
        return result

    with transaction.atomic():
        for code in order:
            _upsert_unit(code, parsed[code], result)
        if dry_run or result.errors:
            transaction.set_rollback(True)
    return result


def _parents_first(parsed, existing, result):
    """Codes ordered so that every parent is written before its children; reports cycles."""
    order, state = [], {}

    def visit(code, chain):
        if state.get(code) == "done":
            return
        if code in chain:
            result.error(parsed[code]["row"], "上级单位代码", "上级单位关系形成循环:" + " → ".join([*chain, code]))
            return
        parent = parsed[code]["parent"]
        if parent in parsed:
            visit(parent, [*chain, code])
        state[code] = "done"
        order.append(code)

    for code in parsed:
        visit(code, [])
    return order


def _upsert_unit(code, row, result):
    unit = Unit.objects.filter(code=code).first()
    parent = Unit.objects.get(code=row["parent"]) if row["parent"] else None
    fields = {"name": row["name"], "kind": row["kind"]}
    if row["short_name"] is not None:
        fields["short_name"] = row["short_name"]
    if unit is None:
        create = {"code": code, **fields}
        unit = Unit.objects.add_child(parent, create) if parent else Unit.objects.add_root(create)
        result.created += 1
        created = changed = True
    else:
        created = False
        changed = any(getattr(unit, k) != v for k, v in fields.items())
        for k, v in fields.items():
            setattr(unit, k, v)
        if changed:
            unit.save()
        current_parent = Unit.objects.get_parent(unit)
        if (current_parent.code if current_parent else "") != row["parent"]:
            if parent is None:
                last_root = Unit.objects.get_last_root_node()
                Unit.objects.move(unit, last_root, "last-sibling")
            elif parent.path.startswith(unit.path):
                result.error(row["row"], "上级单位代码", "不能把单位移到它自己的下级单位之下")
                return
            else:
                Unit.objects.move(unit, parent, "last-child")
            unit.refresh_from_db()
            sync_cadre_paths(unit)
            changed = True
    if row["tags"] is not None:
        tags = [UnitTag.objects.get_or_create(name=t)[0] for t in row["tags"]]
        if {t.pk for t in tags} != set(unit.tags.values_list("pk", flat=True)):
            unit.tags.set(tags)
            changed = True
    if not created:
        if changed:
            result.updated += 1
        else:
            result.unchanged += 1


# Models that keep a copy of their unit's tree path in ``unit_path`` (for one-index scoping);
# other apps add theirs with ``PATH_COPIES.append``.
PATH_COPIES = [Cadre]


def sync_cadre_paths(unit):
    """After ``unit`` moved, the records of its subtree (cadres, clues, ...) carry the new paths."""
    for model in PATH_COPIES:
        model.objects.filter(unit__in=Unit.objects.filter(unit.subtree_q())).update(
            unit_path=Subquery(Unit.objects.filter(pk=OuterRef("unit_id")).values("path")[:1])
        )
