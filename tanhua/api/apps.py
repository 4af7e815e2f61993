from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "tanhua.api"
    verbose_name = "接口"
