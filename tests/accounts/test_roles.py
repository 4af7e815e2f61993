"""Data scopes, function permissions and the administration pages for users, roles and units."""

import pytest
from django.urls import reverse

from tanhua.accounts.models import Role, User
from tanhua.accounts.scope import scope_queryset, user_scope
from tanhua.audit.models import AuditEntry
from tanhua.registry.models import Cadre, Rank, Unit


def _names(qs):
    return set(qs.values_list("name", flat=True))


@pytest.fixture
def people(make_cadre):
    return {
        "district": make_cadre("CX", name="区干部"),
        "street": make_cadre("CX01", name="街道干部"),
        "office": make_cadre("CX01B", name="办公室干部"),
        "county": make_cadre("SX01B", name="县干部"),
        "finance": make_cadre("CZ", name="财政干部"),
    }


def _role(code, scope, units=()):
    role = Role.objects.create(code=code, name=code, data_scope=scope, permissions=["registry.view"])
    role.units.set(units)
    return role


def test_each_data_scope(make_user, people, tree):
    everyone = _names(Cadre.objects.all())
    assert _names(scope_queryset(Cadre.objects.all(), make_user("a", "CX", ["auditor"]))) == everyone
    subtree = make_user("b", "CX", ["staff"])
    assert _names(scope_queryset(Cadre.objects.all(), subtree)) == {"区干部", "街道干部", "办公室干部"}
    _role("unit-only", "unit")
    assert _names(scope_queryset(Cadre.objects.all(), make_user("c", "CX", ["unit-only"]))) == {"区干部"}
    own = make_user("d", "CX01", ["cadre"], cadre=people["street"])
    assert _names(scope_queryset(Cadre.objects.all(), own)) == {"街道干部"}
    assert _names(scope_queryset(Unit.objects.all(), own)) == {"城厢街道"}
    _role("custom", "custom", [tree["CX01"], tree["CZ"]])
    custom = make_user("e", None, ["custom"])
    assert _names(scope_queryset(Cadre.objects.all(), custom)) == {"街道干部", "办公室干部", "财政干部"}
    assert make_user("f", "CX", []).roles.count() == 0
    assert not scope_queryset(Cadre.objects.all(), User.objects.get(username="f")).exists()


def test_scopes_of_several_roles_add_up(make_user, people, tree):
    _role("custom", "custom", [tree["CZ"]])
    user = make_user("g", "CX01", ["cadre", "custom"], cadre=people["county"])
    assert _names(scope_queryset(Cadre.objects.all(), user)) == {"县干部", "财政干部"}
    scope = user_scope(user)
    assert scope.own and scope.subtrees == (tree["CZ"].path,)


def test_nested_custom_units_collapse_to_one_range(make_user, tree):
    _role("custom", "custom", [tree["CX"], tree["CX01"], tree["CX01B"]])
    assert user_scope(make_user("h", None, ["custom"])).subtrees == (tree["CX"].path,)


def test_inactive_user_sees_nothing(make_user, people):
    user = make_user("i", "CX", ["auditor"])
    user.is_active = False
    assert not scope_queryset(Cadre.objects.all(), user).exists()
    assert not user.has_perm("registry.view")


def test_function_permissions_come_from_roles(make_user):
    admin = make_user("admin", None, ["admin"])
    assert admin.has_perm("accounts.change") and admin.has_perm("units.add")
    assert not admin.has_perm("registry.view") and not admin.has_perm("clues.view")
    petition = make_user("xf", "QH", ["petition"])
    assert petition.has_perm("clues.reporter")
    for code in ("staff", "leader", "organization", "cadre", "auditor", "admin"):
        assert not make_user(f"u-{code}", "QH", [code]).has_perm("clues.reporter"), code
    auditor = make_user("sj", "QH", ["auditor"])
    assert auditor.has_perm("audit.view") and auditor.has_perm("audit.export")
    assert not any(auditor.has_perm(f"registry.{a}") for a in ("add", "change", "delete"))


def test_roster_hides_menu_items_without_permission(client, make_user):
    client.force_login(make_user("leader", "CX", ["leader"]))
    html = client.get(reverse("registry:roster")).content.decode()
    assert "名册导入" not in html and "系统管理" not in html and "审计日志" not in html


def test_admin_creates_a_user_who_must_change_the_password(client, make_user, tree, make_cadre):
    cadre = make_cadre("CX01", name="李四", id_number="320585198001011234")
    client.force_login(make_user("admin", None, ["admin"]))
    form = {"username": "lisi", "full_name": "李四", "unit": tree["CX01"].pk,
            "roles": [Role.objects.get(code="cadre").pk], "is_active": "on",
            "password": "lisi1234", "cadre_id_number": "320585198001011234"}
    weak = client.post(reverse("accounts:user_add"), form)
    assert weak.status_code == 200 and "至少3类(现有2类)" in weak.content.decode()
    form["password"] = "Start#2026"
    assert client.post(reverse("accounts:user_add"), form).status_code == 302
    user = User.objects.get(username="lisi")
    assert user.cadre == cadre and user.password_changed_at is None and user.check_password("Start#2026")
    created = AuditEntry.objects.get(action="create", object_type="accounts.user")
    assert created.summary["roles"] == ["被谈话干部"] and created.username == "admin"
    assert AuditEntry.objects.filter(action="grant", object_id=str(user.pk)).exists()


def test_role_change_of_a_user_is_audited(client, make_user):
    target = make_user("cx", "CX", ["staff"])
    client.force_login(make_user("admin", None, ["admin"]))
    form = {"username": "cx", "full_name": "cx", "unit": target.unit_id,
            "roles": [Role.objects.get(code="auditor").pk], "is_active": "on"}
    assert client.post(reverse("accounts:user_edit", args=[target.pk]), form).status_code == 302
    grant = AuditEntry.objects.get(action="grant", object_id=str(target.pk))
    assert grant.summary == {"roles": [["纪委工作人员"], ["审计员"]]}


def test_nobody_changes_their_own_roles(client, make_user):
    admin = make_user("admin", None, ["admin"])
    client.force_login(admin)
    form = {"username": "admin", "full_name": "admin", "roles": [Role.objects.get(code="auditor").pk],
            "is_active": "on"}
    response = client.post(reverse("accounts:user_edit", args=[admin.pk]), form)
    assert "不能修改自己的角色" in response.content.decode()
    assert list(admin.roles.values_list("code", flat=True)) == ["admin"]


def test_admin_resets_a_password(client, make_user):
    target = make_user("cx", "CX")
    client.force_login(make_user("admin", None, ["admin"]))
    client.post(reverse("accounts:user_password", args=[target.pk]),
                {"new_password1": "Temp#2026x", "new_password2": "Temp#2026x"})
    target.refresh_from_db()
    assert target.check_password("Temp#2026x") and target.password_changed_at is None
    assert AuditEntry.objects.filter(action="password", object_id=str(target.pk)).exists()


def test_role_permissions_and_scope_are_edited_and_audited(client, make_user, tree):
    client.force_login(make_user("admin", None, ["admin"]))
    role = Role.objects.get(code="leader")
    response = client.post(reverse("accounts:role_edit", args=[role.pk]), {
        "name": "谈话领导", "description": role.description, "data_scope": "custom", "units": [tree["SX"].pk],
        "permissions": ["registry.view", "registry.export"], "require_otp": "on",
    })
    assert response.status_code == 302
    role.refresh_from_db()
    assert role.permissions == ["registry.view", "registry.export"] and role.require_otp
    assert list(role.units.all()) == [tree["SX"]]
    grant = AuditEntry.objects.get(action="grant", object_type="accounts.role")
    assert grant.summary["data_scope"] == ["仅本人", "自定义"] and grant.summary["units"] == [[], ["沙溪县"]]
    page = client.get(reverse("accounts:role_edit", args=[role.pk])).content.decode()
    assert 'value="registry.export" aria-label="干部名册 registry.export" checked' in page


def test_custom_scope_needs_units_and_builtin_roles_stay(client, make_user):
    client.force_login(make_user("admin", None, ["admin"]))
    response = client.post(reverse("accounts:role_add"), {"name": "片区", "code": "area", "data_scope": "custom"})
    assert "请至少选择一个单位" in response.content.decode()
    builtin = Role.objects.get(code="staff")
    client.post(reverse("accounts:role_delete", args=[builtin.pk]))
    assert Role.objects.filter(code="staff").exists()
    extra = Role.objects.create(code="x", name="临时")
    client.post(reverse("accounts:role_delete", args=[extra.pk]))
    assert not Role.objects.filter(code="x").exists()
    assert AuditEntry.objects.filter(action="delete", object_type="accounts.role").exists()


def test_only_full_scope_administrators_shape_roles(client, make_user):
    Role.objects.create(code="cx-admin", name="区管理员", data_scope="subtree",
                        permissions=["accounts.view", "accounts.add", "accounts.change"])
    client.force_login(make_user("cxadmin", "CX", ["cx-admin"]))
    assert client.get(reverse("accounts:role_add")).status_code == 403
    assert client.get(reverse("accounts:roles")).status_code == 200


def test_district_administrator_manages_only_district_users(client, make_user):
    Role.objects.create(code="cx-admin", name="区管理员", data_scope="subtree",
                        permissions=["accounts.view", "accounts.add", "accounts.change"])
    outside = make_user("sx", "SX")
    inside = make_user("cx01", "CX01")
    client.force_login(make_user("cxadmin", "CX", ["cx-admin"]))
    html = client.get(reverse("accounts:users")).content.decode()
    assert "cx01" in html and ">sx<" not in html
    assert client.get(reverse("accounts:user_edit", args=[outside.pk])).status_code == 404
    assert client.get(reverse("accounts:user_edit", args=[inside.pk])).status_code == 200
    # The unit choices are the district's; a unit outside is refused.
    response = client.post(reverse("accounts:user_add"), {"username": "n", "full_name": "n", "password": "Start#2026",
                                                         "unit": outside.unit_id})
    assert response.status_code == 200 and not User.objects.filter(username="n").exists()


def test_units_are_created_moved_and_deleted_with_audit(client, make_user, tree, make_cadre):
    client.force_login(make_user("admin", None, ["admin"]))
    response = client.post(reverse("registry:unit_add"), {"code": "CX02", "name": "新城街道", "kind": "镇街",
                                                          "parent": tree["CX"].pk})
    assert response.status_code == 302
    unit = Unit.objects.get(code="CX02")
    assert Unit.objects.get_parent(unit) == tree["CX"]
    cadre = Cadre.objects.create(unit=unit, name="新干部", id_number="320585198001011234",
                                 rank=Rank.objects.get(name="副科级"))
    client.post(reverse("registry:unit_edit", args=[unit.pk]), {"name": "新城街道", "kind": "镇街",
                                                               "parent": tree["SX"].pk})
    unit.refresh_from_db()
    cadre.refresh_from_db()
    assert unit.path.startswith(tree["SX"].path) and cadre.unit_path == unit.path  # copies kept in step
    moved = AuditEntry.objects.get(action="update", object_type="registry.unit")
    assert moved.summary["parent"] == ["城厢区", "沙溪县"]
    client.post(reverse("registry:unit_delete", args=[unit.pk]))
    assert Unit.objects.filter(pk=unit.pk).exists()  # it still has a cadre
    cadre.delete()
    client.post(reverse("registry:unit_delete", args=[unit.pk]))
    assert not Unit.objects.filter(pk=unit.pk).exists()
    assert AuditEntry.objects.filter(action="delete", object_type="registry.unit").exists()


def test_unit_cannot_move_under_itself(client, make_user, tree):
    client.force_login(make_user("admin", None, ["admin"]))
    response = client.post(reverse("registry:unit_edit", args=[tree["CX"].pk]),
                           {"name": "城厢区", "kind": "县区", "parent": tree["CX01"].pk})
    assert "不能把单位移到它自己或它的下级单位之下" in response.content.decode()


def test_login_log_is_scoped(client, make_user):
    from tanhua.accounts.models import LoginEvent

    sx = make_user("sx", "SX")
    cx = make_user("cx01", "CX01")
    LoginEvent.objects.create(kind="success", username="sx", user=sx)
    LoginEvent.objects.create(kind="success", username="cx01", user=cx)
    LoginEvent.objects.create(kind="failure", username="ghost")
    Role.objects.create(code="cx-admin", name="区管理员", data_scope="subtree", permissions=["accounts.view"])
    client.force_login(make_user("cxadmin", "CX", ["cx-admin"]))
    html = client.get(reverse("accounts:logins")).content.decode()
    assert "cx01" in html and "ghost" not in html and ">sx<" not in html
    client.force_login(make_user("shenji", None, ["auditor"]))
    html = client.get(reverse("accounts:logins")).content.decode()
    assert "cx01" in html and "ghost" in html and ">sx<" in html


def test_whole_tree_needs_no_condition_but_grants_nothing_more(make_user, make_cadre, people, tree):
    from django.db.models import Q

    from tanhua.accounts.scope import scope_q

    city = make_user("w", "QH", ["staff"])
    scope = user_scope(city)
    assert scope.whole_tree and not scope.everything
    assert scope_q(city, "unit_path", Cadre) == Q()
    assert _names(scope_queryset(Cadre.objects.all(), city)) == _names(Cadre.objects.all())
    # A second tree outside the user's: the range is needed again.
    tree["HX"] = Unit.objects.add_root({"code": "HX", "name": "河西市", "kind": "市"})
    make_cadre("HX", name="河西干部")
    again = User.objects.get(username="w")
    assert not user_scope(again).whole_tree
    assert "河西干部" not in _names(scope_queryset(Cadre.objects.all(), again))
    assert not user_scope(make_user("x", "CX", ["staff"])).whole_tree
