from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "tanhua.registry"
    verbose_name = "干部名册"

    def ready(self):
        from tanhua.accounts import scope

        from .models import Cadre, PostHistory

        scope.register(Cadre, "unit_path")
        scope.register(PostHistory, "cadre__unit_path")

