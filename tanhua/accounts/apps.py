from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tanhua.accounts"
    verbose_name = "用户与权限"

    def ready(self):
        from django.db.models import Q

        from . import scope, signals  # noqa: F401  (connects the login log)
        from .models import LoginEvent, User

        scope.register(User, "unit__path", own=lambda user: Q(pk=user.pk))
        scope.register(LoginEvent, "user__unit__path", own=lambda user: Q(user=user))
