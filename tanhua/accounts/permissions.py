"""The function permissions a role can grant: an area and an action, as "area.action".

They are plain strings checked with Django's own ``user.has_perm("registry.export")``,
``permission_required`` and ``{% if perms.registry.export %}``; the backend in
``accounts.backends`` answers from the user's roles. Later features add their areas here.
"""

ACTIONS = {
    "view": "查看",
    "add": "新增",
    "change": "修改",
    "delete": "删除",
    "export": "导出",
}

# Area -> (Chinese name, the actions that mean something there).
AREAS = {
    "registry": ("干部名册", ("view", "add", "change", "delete", "export")),
    "units": ("单位管理", ("view", "add", "change", "delete")),
    "clues": ("问题线索", ("view", "add", "change", "delete", "export")),
    "talks": ("谈话", ("view", "add", "change", "delete", "export")),
    "rectification": ("整改落实", ("view", "add", "change", "delete", "export")),
    "dossiers": ("廉政档案", ("view", "add", "change", "export")),
    "stats": ("统计分析", ("view", "export")),
    "accounts": ("用户与角色", ("view", "add", "change", "delete")),
    "audit": ("审计日志", ("view", "export")),
}

# Permissions that are not an area's plain action.
SPECIAL = {
    "clues.reporter": "查看举报人身份",
}


def all_permissions():
    """Every permission code with its Chinese label, in display order."""
    result = {}
    for area, (area_name, actions) in AREAS.items():
        for action in actions:
            result[f"{area}.{action}"] = f"{area_name}·{ACTIONS[action]}"
    for code, label in SPECIAL.items():
        result[code] = label
    return result


def label(code):
    return all_permissions().get(code, code)


def matrix(granted=()):
    """Rows for the role form: one per area, one cell per action (None where it does not apply)."""
    granted = set(granted)
    rows = []
    for area, (area_name, actions) in AREAS.items():
        cells = []
        for action in ACTIONS:
            code = f"{area}.{action}"
            cells.append({"code": code, "checked": code in granted} if action in actions else None)
        rows.append({"area": area, "name": area_name, "cells": cells})
    return rows
