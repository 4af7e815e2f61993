"""The audit log (审计日志): append-only entries linked by a hash chain (see ``chain.py``)."""

from django.conf import settings
from django.db import models

from . import chain

# Action codes and their labels. Add new codes here: the column has no choices, so a new
# action needs no migration; ``services.record`` refuses codes not listed.
ACTIONS = {
    "create": "新增",
    "update": "修改",
    "delete": "删除",
    "import": "导入",
    "export": "导出",
    "download": "下载",
    "view": "查看敏感信息",
    "access": "访问功能",
    "grant": "权限变更",
    "unlock": "解除锁定",
    "password": "密码变更",
    "otp": "双因素认证",
    "login": "登录",
    "logout": "退出",
    "designate": "指定谈话对象",
    "freeze": "冻结抽取名单",
    "commit": "登记承诺值",
    "reveal": "公布随机输入",
    "draw": "随机抽取",
    "notify": "发出谈话通知",
    "publish": "发布抽取公示链接",
    "withdraw": "撤回抽取公示链接",
    "public_view": "通过公示链接查看",
}


class Result(models.TextChoices):
    SUCCESS = "success", "成功"
    FAILURE = "failure", "失败"
    DENIED = "denied", "拒绝"


class AuditLogIsAppendOnly(Exception):
    """An attempt to change or delete audit entries through the ORM."""

    def __init__(self, message="审计日志只能追加,不能修改或删除。"):
        super().__init__(message)


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditLogIsAppendOnly()

    def delete(self):
        raise AuditLogIsAppendOnly()

    def bulk_update(self, objs, fields, batch_size=None):
        # Refused here, before Django's own atomic block would mark the caller's transaction broken.
        raise AuditLogIsAppendOnly()


class AuditEntry(models.Model):
    """One audited event. Written only by ``services.record``; never changed or deleted.

    The ORM refuses updates and deletes; on PostgreSQL a trigger refuses them in SQL too.
    ``hash`` covers ``prev_hash`` and the content (``hashed_fields``), so any change made
    behind the ORM's back shows up in ``services.verify_chain``. ``prev_hash`` is unique:
    two entries can never claim the same predecessor, so the chain cannot fork.

    ``user`` is PROTECT, not SET_NULL: its id is hashed, and nulling it would be an update
    of the log. A user who appears in the log is deactivated, not deleted.
    """

    seq = models.BigIntegerField("序号", unique=True)
    time = models.DateTimeField("时间")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,  # the (user, time) index serves lookups by user
        related_name="audit_entries",
        verbose_name="用户",
    )
    username = models.CharField("用户名", max_length=150, blank=True)
    address = models.CharField("地址", max_length=64, blank=True)
    action = models.CharField("操作", max_length=32)
    object_type = models.CharField("对象类型", max_length=100, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    summary = models.JSONField("摘要", default=dict, blank=True)
    result = models.CharField("结果", max_length=10, choices=Result.choices, default=Result.SUCCESS)
    algorithm = models.CharField("哈希算法", max_length=10)
    prev_hash = models.CharField("前一条哈希", max_length=64)
    hash = models.CharField("本条哈希", max_length=64)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["time"], name="audit_time_idx"),
            models.Index(fields=["user", "time"], name="audit_user_time_idx"),
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["action", "time"], name="audit_action_time_idx"),
        ]
        # Constraints rather than unique=True: PostgreSQL would add a LIKE index to each.
        constraints = [
            models.UniqueConstraint(fields=["prev_hash"], name="audit_prev_hash_unique"),
            models.UniqueConstraint(fields=["hash"], name="audit_hash_unique"),
        ]

    def __str__(self):
        return f"第{self.seq}条 {self.action_label} {self.object_repr}".rstrip()

    @property
    def action_label(self):
        return ACTIONS.get(self.action, self.action)

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditLogIsAppendOnly()
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogIsAppendOnly()

    def hashed_fields(self):
        return hashed_fields({name: getattr(self, name) for name in HASHED_COLUMNS})

    def chain_entry(self):
        return chain.ChainEntry(self.seq, self.prev_hash, self.hash, self.algorithm, self.hashed_fields())


# Attribute names holding the hashed content (user_id, not the user object).
HASHED_COLUMNS = chain.HASHED_FIELDS


def hashed_fields(values):
    """The dict an entry's hash covers, from attribute values (a row from ``.values()``)."""
    fields = {name: values[name] for name in HASHED_COLUMNS}
    fields["time"] = chain.format_time(fields["time"])
    return fields
