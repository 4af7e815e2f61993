"""Managing users, roles, lockouts and second factors; every change goes to the audit log."""

from axes.utils import reset as axes_reset
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from tanhua.audit.services import diff, record

from .models import Role, User


def _user_facts(user):
    return {
        "username": user.username,
        "full_name": user.full_name,
        "unit": user.unit.name if user.unit_id else "",
        "roles": sorted(role.name for role in user.roles.all()) if user.pk else [],
        "cadre": user.cadre.id_number if user.cadre_id else "",
        "is_active": user.is_active,
    }


def _role_facts(role):
    return {
        "name": role.name,
        "description": role.description,
        "permissions": sorted(role.permissions),
        "data_scope": role.get_data_scope_display(),
        "units": sorted(unit.name for unit in role.units.all()) if role.pk else [],
        "require_otp": role.require_otp,
    }


@transaction.atomic
def create_user(form, *, request):
    """Save a new user from a valid ``UserForm``; the initial password must be changed at first login."""
    user = form.save(commit=False)
    user.set_password(form.cleaned_data["password"])
    user.password_changed_at = None
    user.cadre = form.cadre
    user.save()
    form.save_m2m()
    record("create", request=request, target=user, summary=_user_facts(user))
    if user.roles.exists():
        record("grant", request=request, target=user, summary={"roles": [[], _user_facts(user)["roles"]]})
    return user


@transaction.atomic
def update_user(form, *, request):
    """Save changes from a valid ``UserForm``; role changes are recorded as permission changes."""
    user = User.objects.select_related("unit", "cadre").get(pk=form.instance.pk)
    before = _user_facts(user)
    user = form.save(commit=False)
    user.cadre = form.cadre
    user.save()
    form.save_m2m()
    after = _user_facts(User.objects.select_related("unit", "cadre").get(pk=user.pk))
    roles = diff({"roles": before.pop("roles")}, {"roles": after.pop("roles")})
    changes = diff(before, after)
    if changes:
        record("update", request=request, target=user, summary=changes)
    if roles:
        record("grant", request=request, target=user, summary=roles)
    return user


@transaction.atomic
def reset_password(user, password, *, request):
    """An administrator sets a temporary password; the user must change it at next login."""
    user.set_password(password)
    user.password_changed_at = None
    user.save(update_fields=["password", "password_changed_at"])
    record("password", request=request, target=user, summary={"by": "administrator"})


@transaction.atomic
def change_own_password(user, password, *, request):
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "password_changed_at"])
    record("password", request=request, target=user, summary={"by": "self"})


@transaction.atomic
def save_role(form, *, request):
    """Create or change a role from a valid ``RoleForm``."""
    creating = form.instance.pk is None
    before = None if creating else _role_facts(Role.objects.get(pk=form.instance.pk))
    role = form.save()
    after = _role_facts(role)
    if creating:
        record("create", request=request, target=role, summary=after)
    else:
        changes = diff(before, after)
        if changes:
            record("grant", request=request, target=role, summary=changes)
    return role


class RoleInUse(Exception):
    pass


@transaction.atomic
def delete_role(role, *, request):
    if role.builtin:
        raise RoleInUse("系统内置角色不能删除,可以修改它的权限。")
    if role.users.exists():
        raise RoleInUse(f"还有 {role.users.count()} 个用户使用这个角色,请先调整这些用户的角色。")
    facts = _role_facts(role)
    record("delete", request=request, target=role, summary=facts)
    role.delete()


def lift_lockout(*, request, username=None, address=None):
    """Clear django-axes' failure counters for a user name or an address."""
    with transaction.atomic():
        removed = axes_reset(username=username, ip=address) if (username or address) else 0
        record("unlock", request=request, object_type="axes.accessattempt", object_id=username or address or "",
               object_repr=username or address or "", summary={"username": username or "", "address": address or "",
                                                               "cleared": removed})
    return removed


@transaction.atomic
def reset_otp(user, *, request):
    """Remove a user's TOTP devices (a lost phone); they enrol again at next login if required."""
    removed, _ = TOTPDevice.objects.filter(user=user).delete()
    record("otp", request=request, target=user, summary={"action": "reset", "devices": removed})


def enrolment_device(user, key):
    """The unconfirmed device for the key shown on the enrolment page, made on the first try (a POST:
    the page itself writes nothing), replacing any other unconfirmed one; kept so throttling counts."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False, key=key).first()
    if device is None:
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=user, name="手机动态口令", confirmed=False, key=key)
    return device


@transaction.atomic
def confirm_totp(device, *, request):
    TOTPDevice.objects.filter(user=device.user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    record("otp", request=request, target=device.user, summary={"action": "enrol"})


@transaction.atomic
def remove_own_totp(user, *, request):
    TOTPDevice.objects.filter(user=user).delete()
    record("otp", request=request, target=user, summary={"action": "remove"})
