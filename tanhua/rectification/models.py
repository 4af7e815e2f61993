"""Rectification items (整改事项) until each is verified and closed; follow-up visits; notifications."""

from django.conf import settings
from django.db import models

from tanhua.registry.models import Unit, UnitPathCopy
from tanhua.timelimits import half_way, light


class Item(UnitPathCopy):
    class Status(models.TextChoices):
        PENDING = "pending", "待整改"
        IN_PROGRESS = "in_progress", "整改中"
        AWAITING = "awaiting", "待核实"
        RETURNED = "returned", "退回"
        CLOSED = "closed", "已销号"

    class Escalation(models.IntegerChoices):
        NONE = 0, "—"
        FLAGGED = 1, "逾期提醒责任领导"
        ORDER = 2, "责令限期整改"
        HANDLING = 3, "移交纪律处分/组织处理"

    class Origin(models.TextChoices):
        TALK = "talk", "谈话"
        MEETING = "meeting", "民主生活会"
        PROBLEM = "problem", "问题清单"

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="rectification_items",
                             verbose_name="责任单位")
    origin = models.CharField("来源", max_length=10, choices=Origin.choices)
    talk = models.ForeignKey("talks.Talk", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="rectification_items", verbose_name="谈话")
    meeting = models.ForeignKey("Meeting", null=True, blank=True, on_delete=models.PROTECT, related_name="items",
                                verbose_name="民主生活会")
    clue = models.ForeignKey("clues.Clue", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name="问题线索")
    problem = models.TextField("问题")
    measures = models.TextField("整改措施", blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="rectification_items", verbose_name="责任人")
    owner_name = models.CharField("责任人", max_length=40)
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="led_rectification_items", verbose_name="责任领导")
    leader_name = models.CharField("责任领导", max_length=40)
    start_on = models.DateField("开始日期")
    due_on = models.DateField("整改时限")
    warn_on = models.DateField("过半日期", editable=False)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.PENDING)
    escalation = models.PositiveSmallIntegerField("督办", choices=Escalation.choices, default=Escalation.NONE)
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "整改事项"
        verbose_name_plural = "整改事项"
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["unit_path", "status", "due_on"], name="item_scope_status_due")]

    def __str__(self):
        return self.problem[:40]

    def save(self, *args, **kwargs):
        self.warn_on = half_way(self.start_on, self.due_on)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "warn_on"}
        super().save(*args, **kwargs)

    def light(self, today):
        return light(self.status == self.Status.CLOSED, self.warn_on, self.due_on, today)

    @property
    def is_open(self):
        return self.status != self.Status.CLOSED


class ItemEvent(models.Model):
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="events")
    time = models.DateTimeField("时间", auto_now_add=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    action = models.CharField("事项", max_length=40)
    note = models.TextField("说明", blank=True)

    class Meta:
        ordering = ["time", "id"]


class Evidence(models.Model):
    """A file reported as evidence: stored without suffix outside the web root, served only through a
    permission check, always as a download."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="evidence")
    event = models.ForeignKey(ItemEvent, null=True, on_delete=models.SET_NULL, related_name="evidence")
    original_name = models.CharField("文件名", max_length=200)
    stored_name = models.CharField("存储名", max_length=64, unique=True)
    size = models.PositiveIntegerField("大小")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    @property
    def path(self):
        return settings.RECTIFICATION_FILE_DIR / self.stored_name


class FollowUp(models.Model):
    """回访: planned by the talker, recorded with what was found."""

    class Way(models.TextChoices):
        ON_SITE = "on_site", "实地回访"
        PHONE = "phone", "电话回访"
        SPOT = "spot", "抽查"

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="follow_ups")
    planned_on = models.DateField("计划日期")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="follow_ups", verbose_name="回访人")
    done_on = models.DateField("回访日期", null=True, blank=True)
    way = models.CharField("方式", max_length=8, choices=Way.choices, blank=True)
    findings = models.TextField("回访情况", blank=True)
    recurred = models.BooleanField("问题反弹", default=False)
    # Who wrote it down and when: a recorded visit is final; a correction is a new visit pointing back.
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name="记录人")
    recorded_at = models.DateTimeField("记录时间", null=True, blank=True)
    corrects = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="corrections",
                                 verbose_name="更正的回访")

    class Meta:
        ordering = ["planned_on", "id"]


class Notification(models.Model):
    """An in-app notice. ``key`` makes each reminder once only: running the reminders twice sends nothing twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    key = models.CharField("键", max_length=120)
    text = models.CharField("内容", max_length=300)
    url = models.CharField("链接", max_length=200, blank=True)
    created_at = models.DateTimeField("时间")
    read_at = models.DateTimeField("已读", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="notification_once")]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]


class Meeting(UnitPathCopy):
    """民主生活会 of a unit's leadership team, supervised before, during and after."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="meetings", verbose_name="单位")
    title = models.CharField("会议", max_length=100)
    held_on = models.DateField("召开日期")
    before = models.TextField("会前:问题清单审核(会同信访、案管、党风政风监督室)", blank=True)
    clues = models.ManyToManyField("clues.Clue", blank=True, related_name="+", verbose_name="会前审核的问题")
    during = models.TextField("会中:对班子和成员对照检查材料、批评与自我批评的意见", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "民主生活会"
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return self.title
