"""The default roles every installation starts with (a data migration seeds them).

Administrators may change their permissions and scope, and add roles of their own; the
default ones cannot be deleted because features and the demo refer to them by code.
"""

from .permissions import AREAS

ADMIN = "admin"
STAFF = "staff"
PETITION = "petition"
LEADER = "leader"
ORGANIZATION = "organization"
CADRE = "cadre"
AUDITOR = "auditor"


def _area(area, *actions):
    actions = actions or AREAS[area][1]
    return [f"{area}.{action}" for action in actions]


CASE_AREAS = ("clues", "talks", "rectification", "dossiers")

DEFAULT_ROLES = [
    {
        "code": ADMIN,
        "name": "系统管理员",
        "description": "管理用户、角色、单位和锁定;不接触案件数据。",
        "data_scope": "all",
        "permissions": _area("accounts") + _area("units"),
    },
    {
        "code": STAFF,
        "name": "纪委工作人员",
        "description": "本单位及下级范围内的日常工作:线索、谈话、整改、档案和统计。",
        "data_scope": "subtree",
        "permissions": _area("registry", "view", "export") + _area("units", "view")
        + [p for area in CASE_AREAS for p in _area(area)] + _area("stats"),
    },
    {
        "code": PETITION,
        "name": "信访室",
        "description": "问题线索受理;唯一能看到举报人身份的角色。",
        "data_scope": "subtree",
        "permissions": _area("registry", "view") + _area("units", "view") + _area("clues") + ["clues.reporter"],
    },
    {
        "code": LEADER,
        "name": "谈话领导",
        "description": "本人主谈或参加的谈话及其整改跟踪。",
        "data_scope": "self",
        "permissions": _area("registry", "view") + _area("talks", "view", "change")
        + _area("rectification", "view", "change"),
    },
    {
        "code": ORGANIZATION,
        "name": "组织部",
        "description": "干部名册维护,廉政意见回复。",
        "data_scope": "subtree",
        "permissions": _area("registry") + _area("units", "view") + _area("dossiers", "view", "export")
        + _area("stats"),
    },
    {
        "code": CADRE,
        "name": "被谈话干部",
        "description": "只看本人的谈话通知、报告和整改事项。",
        "data_scope": "self",
        "permissions": _area("registry", "view") + _area("talks", "view")
        + _area("rectification", "view", "change"),
    },
    {
        "code": AUDITOR,
        "name": "审计员",
        "description": "只读:查看各项数据和审计日志。",
        "data_scope": "all",
        "permissions": [f"{area}.view" for area in AREAS] + _area("audit"),
    },
]


def seed_roles(role_model=None):
    """Create the default roles that are missing; existing ones keep their edits."""
    if role_model is None:
        from .models import Role as role_model
    for spec in DEFAULT_ROLES:
        role_model.objects.get_or_create(
            code=spec["code"],
            defaults={**{k: v for k, v in spec.items() if k != "code"}, "builtin": True},
        )
