from django.apps import AppConfig


class TanhuaConfig(AppConfig):
    name = "tanhua"
    verbose_name = "谈话"
