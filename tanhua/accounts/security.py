"""Login-time rules: second factor, password age, the login log."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from .scope import user_roles


def has_otp_device(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def otp_required(user):
    """Whether one of the user's roles makes the second factor mandatory."""
    return any(role.require_otp for role in user_roles(user))


def password_change_due(user):
    """A password set by someone else (or never changed) or older than the configured age."""
    if user.password_changed_at is None:
        return True
    days = settings.TANHUA_PASSWORD_MAX_AGE_DAYS
    return bool(days) and timezone.now() - user.password_changed_at > timedelta(days=days)


def password_expires_on(user):
    days = settings.TANHUA_PASSWORD_MAX_AGE_DAYS
    if not days or user.password_changed_at is None:
        return None
    return timezone.localtime(user.password_changed_at + timedelta(days=days)).date()


def client_address(request):
    """The client's address, through as many trusted proxies as configured (django-axes' rule)."""
    from tanhua.audit.services import client_address as address

    return address(request) if request is not None else ""


def user_agent(request):
    return (request.META.get("HTTP_USER_AGENT", "") if request is not None else "")[:300]
