from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.Model):
    """Function permissions plus a data scope, as roles work in Chinese government systems."""

    class Scope(models.TextChoices):
        ALL = "all", "全部"
        SUBTREE = "subtree", "本单位及下级"
        UNIT = "unit", "本单位"
        SELF = "self", "仅本人"
        CUSTOM = "custom", "自定义"

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=40, unique=True)
    description = models.CharField("说明", max_length=200, blank=True)
    permissions = models.JSONField("功能权限", default=list, blank=True)
    data_scope = models.CharField("数据范围", max_length=10, choices=Scope.choices, default=Scope.SUBTREE)
    # For 自定义: these units, each with the units below it.
    units = models.ManyToManyField("registry.Unit", blank=True, related_name="custom_roles", verbose_name="自定义单位")
    require_otp = models.BooleanField("必须使用动态口令", default=False)
    builtin = models.BooleanField("系统内置", default=False, editable=False)

    class Meta:
        verbose_name = "角色"
        verbose_name_plural = "角色"
        ordering = ["id"]

    def __str__(self):
        return self.name


class User(AbstractUser):
    """A user of the system. Their roles and unit bound what they see (see ``accounts.scope``)."""

    unit = models.ForeignKey(
        "registry.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        verbose_name="所属单位",
    )
    full_name = models.CharField("姓名", max_length=40, blank=True)
    roles = models.ManyToManyField(Role, blank=True, related_name="users", verbose_name="角色")
    # The cadre record that is this person, for cadres who log in to see their own talks.
    cadre = models.OneToOneField(
        "registry.Cadre",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="login",
        verbose_name="对应干部",
    )
    # None until the user sets a password of their own: they must change it at next login.
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self):
        return self.full_name or self.username


class LoginEvent(models.Model):
    """The login log: every success, failure, lockout and logout."""

    class Kind(models.TextChoices):
        SUCCESS = "success", "登录成功"
        FAILURE = "failure", "密码错误"
        OTP_FAILURE = "otp_failure", "动态口令错误"
        LOCKED = "locked", "已锁定"
        LOGOUT = "logout", "退出"

    time = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    kind = models.CharField("类型", max_length=12, choices=Kind.choices)
    username = models.CharField("用户名", max_length=150)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    address = models.CharField("地址", max_length=64, blank=True)
    user_agent = models.CharField("浏览器", max_length=300, blank=True)

    class Meta:
        verbose_name = "登录日志"
        verbose_name_plural = "登录日志"
        ordering = ["-time", "-id"]
        indexes = [models.Index(fields=["username", "time"], name="loginevent_user_time")]
