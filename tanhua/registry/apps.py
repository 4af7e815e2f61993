from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "tanhua.registry"
    verbose_name = "干部名册"

    def ready(self):
        from django.db.models import Q

        from tanhua.accounts import scope

        from .models import Cadre, PostHistory

        scope.register(Cadre, "unit_path", own=lambda user: Q(pk=user.cadre_id) if user.cadre_id else None)
        scope.register(
            PostHistory, "cadre__unit_path", own=lambda user: Q(cadre_id=user.cadre_id) if user.cadre_id else None
        )

