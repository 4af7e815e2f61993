from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from . import security, services
from .forms import OwnPasswordForm, ResetPasswordForm, RoleForm, TokenForm, UserForm
from .models import LoginEvent, Role, User
from .permissions import ACTIONS, SPECIAL, all_permissions, matrix
from .scope import get_in_scope_or_404, scope_queryset, user_scope
from .signals import log_login_event

PAGE_SIZE = 50


class LoginView(auth_views.LoginView):
    template_name = "login.html"
    redirect_authenticated_user = True


@login_not_required
def locked_out(request, original_response=None, credentials=None):
    """django-axes' lockout response: the login page with the reason, status 429."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "login.html",
        {"locked": True, "minutes": minutes, "form": None, "username": (credentials or {}).get("username", "")},
        status=429,
    )


def _next(request, default="home"):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return redirect(default).url


def password(request):
    """Change one's own password; forced after an administrator set it and when it expires."""
    user = request.user
    form = OwnPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.change_own_password(user, form.cleaned_data["new_password1"], request=request)
        update_session_auth_hash(request, user)
        messages.success(request, "密码已修改。")
        return redirect("home")
    reason = None
    if user.password_changed_at is None:
        reason = "这是管理员为您设置的密码,请先修改为只有您自己知道的密码。"
    elif security.password_change_due(user):
        reason = f"您的密码已超过 {settings.TANHUA_PASSWORD_MAX_AGE_DAYS} 天未修改,请修改后继续使用。"
    return render(request, "accounts/password.html", {"form": form, "reason": reason})


def my_security(request):
    user = request.user
    return render(request, "accounts/security.html", {
        "otp_enabled": security.has_otp_device(user),
        "otp_required": security.otp_required(user),
        "expires_on": security.password_expires_on(user),
        "logins": LoginEvent.objects.filter(user=user)[:10],
    })


def otp_verify(request):
    """The second step of login for users with a confirmed TOTP device."""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if device is None:
        return redirect("accounts:otp_setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _ = device.verify_is_allowed()
        if allowed and device.verify_token(form.cleaned_data["token"]):
            otp_login(request, device)
            return redirect(_next(request))
        log_login_event(LoginEvent.Kind.OTP_FAILURE, request, user=request.user)
        form.add_error("token", "动态口令不正确或已过期。" if allowed else "错误次数过多,请稍后再试。")
    return render(request, "accounts/otp_verify.html", {"form": form, "next": request.GET.get("next", "")})


def otp_setup(request):
    """Enrol a TOTP device: scan the code, then prove it works with one token."""
    if request.user.is_verified():
        messages.info(request, "您已启用动态口令。")
        return redirect("accounts:security")
    if security.has_otp_device(request.user):
        return redirect("accounts:otp_verify")
    # The key waits in the session until the first try: showing the page writes nothing.
    key = request.session.get("otp_setup_key") or default_key()
    request.session["otp_setup_key"] = key
    device = TOTPDevice(user=request.user, key=key)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.enrolment_device(request.user, key)
        if device.verify_token(form.cleaned_data["token"]):
            services.confirm_totp(device, request=request)
            otp_login(request, device)
            request.session.pop("otp_setup_key", None)
            messages.success(request, "动态口令已启用,以后登录时需要输入。")
            return redirect("home")
        form.add_error("token", "动态口令不正确,请确认手机时间准确后重试。")
    import segno

    qr = segno.make(device.config_url, error="m").svg_inline(scale=5, dark="#111")
    return render(request, "accounts/otp_setup.html", {
        "form": form, "qr": qr, "secret": _group(device.bin_key), "required": security.otp_required(request.user),
    })


def _group(key):
    from base64 import b32encode

    text = b32encode(key).decode().rstrip("=")
    return " ".join(text[i:i + 4] for i in range(0, len(text), 4))


@require_POST
def otp_remove(request):
    if security.otp_required(request.user):
        messages.error(request, "您的角色要求必须使用动态口令,不能停用。")
    else:
        services.remove_own_totp(request.user, request=request)
        messages.success(request, "动态口令已停用。")
    return redirect("accounts:security")


# --- Administration ------------------------------------------------------------------------

def _users(request):
    return scope_queryset(User.objects.select_related("unit"), request.user)


@permission_required("accounts.view", raise_exception=True)
def users(request):
    qs = _users(request).prefetch_related("roles").order_by("unit__path", "username")
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(full_name__contains=q))
    role = request.GET.get("role")
    if role and role.isdigit():
        qs = qs.filter(roles=role)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    locked = _locked_usernames()
    otp = set(TOTPDevice.objects.filter(user__in=[u.pk for u in page], confirmed=True).values_list("user", flat=True))
    for u in page:
        u.is_locked = u.username in locked
        u.has_otp = u.pk in otp
    return render(request, "accounts/users.html", {"page": page, "roles": Role.objects.all(), "q": q, "role": role})


@permission_required("accounts.add", raise_exception=True)
def user_add(request):
    form = UserForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        user = services.create_user(form, request=request)
        messages.success(request, f"已创建用户 {user.username},首次登录时须修改密码。")
        return redirect("accounts:users")
    return render(request, "accounts/user_form.html", {"form": form})


@permission_required("accounts.change", raise_exception=True)
def user_edit(request, pk):
    user = get_in_scope_or_404(User.objects.select_related("unit", "cadre"), request.user, pk=pk)
    form = UserForm(request.POST or None, instance=user, actor=request.user)
    if request.method == "POST" and form.is_valid():
        services.update_user(form, request=request)
        messages.success(request, f"已保存用户 {user.username}。")
        return redirect("accounts:users")
    return render(request, "accounts/user_form.html", {
        "form": form, "subject": user, "has_otp": security.has_otp_device(user),
        "password_form": ResetPasswordForm(user),
    })


@permission_required("accounts.change", raise_exception=True)
@require_POST
def user_password(request, pk):
    user = get_in_scope_or_404(User.objects.all(), request.user, pk=pk)
    form = ResetPasswordForm(user, request.POST)
    if form.is_valid():
        services.reset_password(user, form.cleaned_data["new_password1"], request=request)
        messages.success(request, f"已重置 {user.username} 的密码,用户下次登录时须修改。")
        return redirect("accounts:user_edit", pk=user.pk)
    form_view = UserForm(instance=user, actor=request.user)
    return render(request, "accounts/user_form.html", {
        "form": form_view, "subject": user, "has_otp": security.has_otp_device(user), "password_form": form,
    }, status=400)


@permission_required("accounts.change", raise_exception=True)
@require_POST
def user_otp_reset(request, pk):
    user = get_in_scope_or_404(User.objects.all(), request.user, pk=pk)
    services.reset_otp(user, request=request)
    messages.success(request, f"已清除 {user.username} 的动态口令。")
    return redirect("accounts:user_edit", pk=user.pk)


def _role_admin(request, perm):
    # Roles apply everywhere: only someone whose own scope is everything may shape them.
    if not request.user.has_perm(perm) or not user_scope(request.user).everything:
        raise PermissionDenied


@permission_required("accounts.view", raise_exception=True)
def roles(request):
    roles = Role.objects.prefetch_related("units").order_by("id")
    labels = all_permissions()
    for role in roles:
        role.permission_labels = [labels.get(p, p) for p in role.permissions]
        role.user_count = role.users.count()
    return render(request, "accounts/roles.html", {"roles": roles})


def _role_form_page(request, form, role=None):
    granted = form["permissions"].value() or []
    return render(request, "accounts/role_form.html", {
        "form": form, "role": role, "matrix": matrix(granted), "actions": ACTIONS.values(),
        "special": [(code, label, code in granted) for code, label in SPECIAL.items()],
    })


def role_add(request):
    _role_admin(request, "accounts.add")
    form = RoleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        role = services.save_role(form, request=request)
        messages.success(request, f"已创建角色 {role.name}。")
        return redirect("accounts:roles")
    return _role_form_page(request, form)


def role_edit(request, pk):
    _role_admin(request, "accounts.change")
    role = get_object_or_404(Role, pk=pk)
    form = RoleForm(request.POST or None, instance=role)
    if request.method == "POST" and form.is_valid():
        services.save_role(form, request=request)
        messages.success(request, f"已保存角色 {role.name}。")
        return redirect("accounts:roles")
    return _role_form_page(request, form, role)


@require_POST
def role_delete(request, pk):
    _role_admin(request, "accounts.delete")
    role = get_object_or_404(Role, pk=pk)
    try:
        services.delete_role(role, request=request)
        messages.success(request, f"已删除角色 {role.name}。")
    except services.RoleInUse as e:
        messages.error(request, str(e))
    return redirect("accounts:roles")


def _recent_attempts():
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return AccessAttempt.objects.filter(attempt_time__gte=since)


def _locked_usernames():
    return set(
        _recent_attempts().filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
        .exclude(username=None).values_list("username", flat=True)
    )


@permission_required("accounts.view", raise_exception=True)
def lockouts(request):
    attempts = _recent_attempts().order_by("-attempt_time")
    if not user_scope(request.user).everything:
        # Only the user names one administers; addresses are everyone's and stay with full scope.
        attempts = attempts.filter(username__in=_users(request).values("username"))
    rows = list(attempts[:200])
    for row in rows:
        row.is_locked = row.failures_since_start >= settings.AXES_FAILURE_LIMIT
        row.until = row.attempt_time + settings.AXES_COOLOFF_TIME
    return render(request, "accounts/lockouts.html", {
        "rows": rows, "limit": settings.AXES_FAILURE_LIMIT,
        "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    })


@permission_required("accounts.change", raise_exception=True)
@require_POST
def lockout_lift(request):
    username = request.POST.get("username", "").strip()
    address = request.POST.get("address", "").strip()
    limited = not user_scope(request.user).everything
    if limited and (address or not _users(request).filter(username=username).exists()):
        raise PermissionDenied
    if username or address:
        services.lift_lockout(request=request, username=username or None, address=address or None)
        messages.success(request, f"已解除 {username or address} 的锁定。")
    return redirect("accounts:lockouts")


@permission_required("accounts.view", raise_exception=True)
def logins(request):
    qs = scope_queryset(LoginEvent.objects.all(), request.user)
    username = request.GET.get("username", "").strip()
    kind = request.GET.get("kind", "")
    if username:
        qs = qs.filter(username__icontains=username)
    if kind in LoginEvent.Kind.values:
        qs = qs.filter(kind=kind)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/logins.html", {
        "page": page, "kinds": LoginEvent.Kind.choices, "username": username, "kind": kind,
    })


