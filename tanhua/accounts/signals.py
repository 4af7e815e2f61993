"""The login log, fed by Django's and django-axes' signals."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .models import LoginEvent, User
from .security import client_address, user_agent


def log_login_event(kind, request, username="", user=None):
    LoginEvent.objects.create(
        kind=kind,
        username=(username or (user.username if user else ""))[:150],
        user=user,
        address=client_address(request)[:64],
        user_agent=user_agent(request),
    )


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    log_login_event(LoginEvent.Kind.SUCCESS, request, user=user)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        log_login_event(LoginEvent.Kind.LOGOUT, request, user=user)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    username = credentials.get("username", "")
    user = User.objects.filter(username=username).first() if username else None
    # django-axes handled the failure first and marked the request when it hit (or was already
    # over) the limit.
    locked = getattr(request, "axes_locked_out", False)
    log_login_event(LoginEvent.Kind.LOCKED if locked else LoginEvent.Kind.FAILURE, request, username, user)
