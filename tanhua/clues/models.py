"""Problem clues (问题线索): where they came from, whom they concern, how they were disposed of."""


from django.conf import settings
from django.db import models
from django.utils import timezone

from tanhua import crypto, timelimits
from tanhua.timelimits import half_way


class Vocabulary(models.Model):
    """A managed list with one level of children (a source's channels, a category's subtypes)."""

    name = models.CharField("名称", max_length=40)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
                               verbose_name="上级")
    order = models.PositiveSmallIntegerField("排序", default=0)
    active = models.BooleanField("启用", default=True)

    class Meta:
        abstract = True
        ordering = ["order", "id"]

    def __str__(self):
        return f"{self.parent.name}·{self.name}" if self.parent_id else self.name


class Source(Vocabulary):
    class Meta(Vocabulary.Meta):
        verbose_name = "线索来源"
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="clue_source_unique_name")]


class Category(Vocabulary):
    class Meta(Vocabulary.Meta):
        verbose_name = "问题类别"
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="clue_category_unique_name")]


class Disposition(models.TextChoices):
    """The five ways of disposing of a clue (问题线索处置方式)."""

    INQUIRY = "inquiry", "谈话函询"
    VERIFY = "verify", "初步核实"
    SHELVE = "shelve", "暂存待查"
    CLOSE = "close", "予以了结"
    CASE = "case", "拟立案/移送"


class Form(models.IntegerChoices):
    """The four forms of supervision (监督执纪“四种形态”) an outcome falls under."""

    FIRST = 1, "第一种形态"
    SECOND = 2, "第二种形态"
    THIRD = 3, "第三种形态"
    FOURTH = 4, "第四种形态"


class Light(models.TextChoices):
    GREEN = "green", "正常"
    YELLOW = "yellow", "临期"
    RED = "red", "逾期"
    DONE = "done", "已办结"


class Clue(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "待处置"
        HANDLING = "handling", "处置中"
        CLOSED = "closed", "已办结"

    number = models.CharField("线索编号", max_length=40, unique=True)
    year = models.PositiveSmallIntegerField("年度")
    seq = models.PositiveIntegerField("序号")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="clues", verbose_name="来源")
    received_on = models.DateField("受理日期")
    cadre = models.ForeignKey("registry.Cadre", null=True, blank=True, on_delete=models.PROTECT, related_name="clues",
                              verbose_name="反映对象")
    unit = models.ForeignKey("registry.Unit", on_delete=models.PROTECT, related_name="clues", verbose_name="涉及单位")
    # A copy of the unit's tree path: the scope filter is one indexed range, as for cadres.
    unit_path = models.CharField(max_length=255, editable=False, db_index=True)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="clues", verbose_name="问题类别")
    summary = models.CharField("问题摘要", max_length=200)
    content = models.TextField("反映内容")
    reporter_anonymous = models.BooleanField("匿名", default=False)
    # Encrypted at rest (tanhua.crypto); read through reporter_name()/reporter_contact() only.
    reporter_name_sealed = models.TextField(blank=True, editable=False)
    reporter_contact_sealed = models.TextField(blank=True, editable=False)
    handling_unit = models.ForeignKey("registry.Unit", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+", verbose_name="承办单位")
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="handled_clues", verbose_name="承办人")
    due_on = models.DateField("办理时限")
    # When half the time limit is used: the light turns yellow (kept so lists sort in SQL).
    warn_on = models.DateField(editable=False)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    disposition = models.CharField("处置方式", max_length=10, choices=Disposition.choices, blank=True)
    disposition_reason = models.TextField("处置理由", blank=True)
    disposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="决定人")
    disposed_at = models.DateTimeField("决定时间", null=True, blank=True)
    outcome_form = models.PositiveSmallIntegerField("处理形态", choices=Form.choices, null=True, blank=True)
    outcome = models.TextField("办理结果", blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="登记人")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    # Set when a reviewer confirms that clues are the same matter (see DuplicateSuggestion).
    group = models.ForeignKey("ClueGroup", null=True, blank=True, on_delete=models.SET_NULL, related_name="clues",
                              verbose_name="合并组")

    class Meta:
        verbose_name = "问题线索"
        verbose_name_plural = "问题线索"
        ordering = ["-received_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["unit", "year", "seq"], name="clue_number_per_unit_year")]
        indexes = [
            models.Index(fields=["unit_path", "status", "due_on"], name="clue_scope_status_due"),
            models.Index(fields=["cadre", "status"], name="clue_cadre_status"),
            # The list's order: without it every page sorts every clue in scope (3 s → 36 ms
            # for a city-wide first page on PostgreSQL with a million clues).
            models.Index(fields=["-received_on", "-id"], name="clue_received_order"),
            # The four-forms panel counts one year's closed clues on every list page.
            models.Index(fields=["status", "closed_at"], name="clue_status_closed"),
        ]

    def __str__(self):
        return f"{self.number} {self.summary}"

    def save(self, *args, **kwargs):
        self.unit_path = self.unit.path
        self.warn_on = half_way(self.received_on, self.due_on)
        super().save(*args, **kwargs)

    # The reporter's identity: only services that check the 查看举报人身份 permission and audit
    # the read call these.
    def reporter_name(self):
        return crypto.decrypt(self.reporter_name_sealed, "clues.Clue.reporter_name")

    def reporter_contact(self):
        return crypto.decrypt(self.reporter_contact_sealed, "clues.Clue.reporter_contact")

    def seal_reporter(self, name, contact):
        self.reporter_name_sealed = crypto.encrypt(name or "", "clues.Clue.reporter_name")
        self.reporter_contact_sealed = crypto.encrypt(contact or "", "clues.Clue.reporter_contact")

    @property
    def has_reporter(self):
        return bool(self.reporter_name_sealed or self.reporter_contact_sealed)

    def light(self, today=None):
        return light(self.status == self.Status.CLOSED, self.warn_on, self.due_on, today)


def light(done, warn_on, due_on, today=None):
    """Traffic light as offices use it: yellow once half the time is used, red when overdue."""
    return Light(timelimits.light(done, warn_on, due_on, today))


class ClueEvent(models.Model):
    """What happened to a clue and who decided: registration, disposition, inquiry steps, closing."""

    clue = models.ForeignKey(Clue, on_delete=models.CASCADE, related_name="events")
    time = models.DateTimeField("时间", default=timezone.now)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField("事项", max_length=40)
    note = models.TextField("说明", blank=True)

    class Meta:
        ordering = ["time", "id"]


class Attachment(models.Model):
    """A file attached to a clue, stored outside the web root and served through the scope."""

    clue = models.ForeignKey(Clue, on_delete=models.CASCADE, related_name="attachments")
    original_name = models.CharField("文件名", max_length=200)
    stored_name = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField("大小")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    @property
    def path(self):
        return settings.CLUE_FILE_DIR / self.stored_name


class Inquiry(models.Model):
    """A written inquiry (函询): the letter, the cadre's written reply, the review and what follows."""

    class Conclusion(models.TextChoices):
        TRUE = "true", "属实"
        PARTLY = "partly", "部分属实"
        FALSE = "false", "不属实"
        UNVERIFIABLE = "unverifiable", "无法查实"

    clue = models.OneToOneField(Clue, on_delete=models.CASCADE, related_name="inquiry")
    letter_number = models.CharField("函询文号", max_length=60, blank=True)
    questions = models.TextField("需说明的问题")
    issued_at = models.DateTimeField("发函时间", null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    reply_due = models.DateField("回复期限", null=True, blank=True)
    reply = models.TextField("书面说明", blank=True)
    reply_file = models.CharField(max_length=100, blank=True)
    reply_file_name = models.CharField("说明材料", max_length=200, blank=True)
    replied_at = models.DateTimeField("回复时间", null=True, blank=True)
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    conclusion = models.CharField("核查结论", max_length=12, choices=Conclusion.choices, blank=True)
    review_note = models.TextField("审核意见", blank=True)
    follow_up = models.CharField("后续处理", max_length=100, blank=True)
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        verbose_name = "函询"
        verbose_name_plural = "函询"

    def __str__(self):
        return self.letter_number or f"函询 {self.clue.number}"

    @property
    def stage(self):
        if self.reviewed_at:
            return "已审核"
        if self.replied_at:
            return "待审核"
        if self.issued_at:
            return "待回复"
        return "待发函"

    def reply_overdue(self, today=None):
        return bool(self.issued_at and not self.replied_at and (today or timezone.localdate()) > self.reply_due)


class ClueGroup(models.Model):
    """Clues about the same matter that arrived through several channels: one problem, counted once."""

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "线索合并组"

    def __str__(self):
        return f"合并组 {self.pk}"


class DuplicateSuggestion(models.Model):
    """A pair the system thinks may be the same matter, until a reviewer confirms or rejects it."""

    class Status(models.TextChoices):
        PENDING = "pending", "待确认"
        CONFIRMED = "confirmed", "已合并"
        REJECTED = "rejected", "非同一事项"

    # ``first`` is the earlier clue (the smaller id): each pair is stored once.
    first = models.ForeignKey(Clue, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Clue, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField("相似度")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "疑似重复线索"
        constraints = [models.UniqueConstraint(fields=["first", "second"], name="duplicate_pair_once")]
        indexes = [models.Index(fields=["status", "created_at"], name="duplicate_status")]
