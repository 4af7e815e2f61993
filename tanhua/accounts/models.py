from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A user of the system. Their unit bounds what they see (see ``accounts.scope``)."""

    unit = models.ForeignKey(
        "registry.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        verbose_name="所属单位",
    )
    full_name = models.CharField("姓名", max_length=40, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self):
        return self.full_name or self.username
