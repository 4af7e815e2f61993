from django.apps import AppConfig


class TanhuaConfig(AppConfig):
    name = "tanhua"
    verbose_name = "谈话"

    def ready(self):
        from . import checks  # noqa: F401  (registers the deployment checks)
