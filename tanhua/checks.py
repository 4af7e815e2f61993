"""Deployment checks of tanhua's own, run by ``tanhua check --deploy``."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def field_key_configured(app_configs, **kwargs):
    if settings.TANHUA_FIELD_KEY:
        return []
    return [checks.Warning(
        "TANHUA_FIELD_KEY 未设置:举报人信息的加密密钥保存在 var/field_key,备份 var/ 时会与数据一同带走。",
        hint="设置环境变量 TANHUA_FIELD_KEY 为 32 字节随机数的 base64 编码,并与数据库备份分开保管。",
        id="tanhua.W001",
    )]
