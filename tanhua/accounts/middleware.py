import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

from . import security

# Pages a user who still owes a second factor or a new password may reach.
_GATE_OPEN = {"logout", "set_language", "healthz", "accounts:otp_verify", "accounts:otp_setup", "accounts:password",
              # Fetched by htmx on every page: a redirect would be swapped into the menu. It
              # answers nothing to a user who has not passed the gate (see the view).
              "rectification:notifications_count",
              # A published draw is open to anyone, logged in or not.
              "public:draw", "public:draw_record", "public:verifier"}


class LoginGateMiddleware:
    """After the password: the second factor, then a password of one's own, then the system.

    A user with a confirmed TOTP device, or whose role makes TOTP mandatory, must pass it
    in this session; a user whose password was set by someone else or has expired must
    change it. Until then every other page redirects there.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated:
            return None
        match = request.resolver_match
        name = f"{match.namespace}:{match.url_name}" if match and match.namespace else (match and match.url_name)
        if name in _GATE_OPEN or request.path.startswith("/static/"):
            return None
        return gate(request)


def gate(request):
    """Where a logged-in user must go before anything else, as a redirect; None when they may pass."""
    user = request.user
    if not user.is_verified():
        if security.has_otp_device(user):
            return redirect(reverse("accounts:otp_verify") + "?next=" + request.get_full_path())
        if security.otp_required(user):
            return redirect("accounts:otp_setup")
    if security.password_change_due(user):
        return redirect("accounts:password")
    return None


class SecurityHeadersMiddleware:
    """Headers Django does not set itself."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        # Pages about named officials must not stay in a shared computer's browser cache.
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            response.headers.setdefault("Cache-Control", "no-store")
        return response


class IdleTimeoutMiddleware:
    """Ends a session after ``SESSION_COOKIE_AGE`` seconds without a request.

    Django could save the session on every request to push its expiry on; that is a
    database write per page. Instead the last-seen time is written at most once a minute
    (which also renews the stored expiry), and a session idle for too long is ended here.
    """

    RESOLUTION = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            seen = request.session.get("seen", now)
            if now - seen > settings.SESSION_COOKIE_AGE:
                logout(request)
                messages.info(request, "您已较长时间未操作,为保护数据安全已自动退出,请重新登录。")
                return redirect(f"{reverse('login')}?next={request.get_full_path()}")
            if now - seen >= self.RESOLUTION or "seen" not in request.session:
                request.session["seen"] = now
        return self.get_response(request)
