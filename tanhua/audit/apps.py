from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "tanhua.audit"
    verbose_name = "审计"
