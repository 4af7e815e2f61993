"""The cadre registry (干部名册): units as a tree, ranks, cadres and their post history."""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from treebeard.mp_tree import MP_Node

from .parsing import facts_from_id_number


class UnitKind(models.TextChoices):
    CITY = "市", "市"
    COUNTY = "县区", "县区"
    TOWN = "镇街", "镇街"
    DEPARTMENT = "市直部门", "市直部门"
    SOE = "国有企业", "国有企业"
    SCHOOL = "学校", "学校"
    HOSPITAL = "医院", "医院"
    OTHER = "其他", "其他"


class UnitTag(models.Model):
    """A unit attribute that later decides outline topics (权力集中, 资金密集 ...)."""

    name = models.CharField("标签", max_length=40, unique=True)

    class Meta:
        verbose_name = "单位标签"
        ordering = ["name"]

    def __str__(self):
        return self.name


class Unit(MP_Node):
    """A unit in the organisation tree.

    The materialised path (``path``, from treebeard) makes "this unit and everything under
    it" a single indexed prefix query; every permission check is one.
    """

    code = models.CharField("单位代码", max_length=40, unique=True)
    name = models.CharField("单位名称", max_length=100)
    short_name = models.CharField("简称", max_length=40, blank=True)
    kind = models.CharField("单位类别", max_length=8, choices=UnitKind.choices, default=UnitKind.OTHER)
    tags = models.ManyToManyField(UnitTag, blank=True, related_name="units", verbose_name="标签")
    contact_leader = models.ForeignKey(
        "Cadre",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contact_units",
        verbose_name="联系领导",
    )

    node_order_by = None  # keep insertion order: units appear as the import file lists them

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"

    def __str__(self):
        return self.name

    @property
    def display_name(self):
        return self.short_name or self.name

    def subtree_q(self, path_lookup="path"):
        """Q matching rows whose ``path_lookup`` is this unit or lies below it."""
        from tanhua.accounts.scope import subtree_q

        return subtree_q(path_lookup, self.path)


class UnitPathCopy(models.Model):
    """A record filed under a unit, with a copy of the unit's tree path: the scope filter is then
    one indexed range with no join. ``registry.units.PATH_COPIES`` keeps it in step on moves."""

    unit_path = models.CharField("单位路径", max_length=255, editable=False, default="")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        fields = kwargs.get("update_fields")
        if fields is None or "unit" in fields or "unit_id" in fields:
            self.unit_path = self.unit.path
            if fields is not None:
                kwargs["update_fields"] = {*fields, "unit_path"}
        super().save(*args, **kwargs)


class RankTrack(models.TextChoices):
    LEADERSHIP = "领导职务", "领导职务"
    GRADE = "职级", "职级"


class Rank(models.Model):
    """An entry of the ordered rank vocabulary.

    ``level`` is the band the rank belongs to (10 副科 ... 60 正厅) so that "副科级以上" is
    ``level >= 10`` for leadership posts and parallel 职级 titles alike; ``order`` sorts
    ranks within and across bands.
    """

    name = models.CharField("职级", max_length=20, unique=True)
    level = models.PositiveSmallIntegerField("层级", db_index=True)
    order = models.PositiveSmallIntegerField("排序", unique=True)
    track = models.CharField("序列", max_length=8, choices=RankTrack.choices)

    class Meta:
        verbose_name = "职级"
        ordering = ["-order"]

    def __str__(self):
        return self.name


# The bands of the leadership track; the names users filter by ("副科级以上").
RANK_LEVELS = [
    (10, "副科级"),
    (20, "正科级"),
    (30, "副处级"),
    (40, "正处级"),
    (50, "副厅级"),
    (60, "正厅级"),
]


class Gender(models.TextChoices):
    MALE = "男", "男"
    FEMALE = "女", "女"


class CadreStatus(models.TextChoices):
    ACTIVE = "在职", "在职"
    TRANSFERRED = "调离", "调离"
    RETIRED = "退休", "退休"


class SensitivePost(models.TextChoices):
    DISCIPLINE = "执纪执法", "执纪执法"
    PERSONNEL = "干部人事", "干部人事"
    AUDIT = "审计", "审计"
    APPROVAL = "项目审批", "项目审批"
    FUNDS = "资金管理", "资金管理"


class CadreQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            obj.sync_denormalized()
        return super().bulk_create(objs, *args, **kwargs)


class Cadre(models.Model):
    """A leading cadre as the organisation department's roster lists them.

    ``unit_path`` and ``rank_order`` copy the unit's tree path and the rank's order so that
    the roster's scope filter and its sort run on one index of this table, with no join:
    on a province's 100,000 cadres that is a fraction of a millisecond instead of a sort of
    every row. They are kept in step by ``save``, ``bulk_create`` and the services that move
    units or change ranks (``registry.units``, ``registry.roster``).
    """

    name = models.CharField("姓名", max_length=40, db_index=True)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices, blank=True)
    ethnicity = models.CharField("民族", max_length=20, blank=True)
    birth_date = models.DateField("出生年月", null=True, blank=True)
    native_place = models.CharField("籍贯", max_length=60, blank=True)
    political_status = models.CharField("政治面貌", max_length=20, blank=True)
    party_join_date = models.DateField("入党时间", null=True, blank=True)
    work_start_date = models.DateField("参加工作时间", null=True, blank=True)
    education = models.CharField("学历", max_length=40, blank=True)
    id_number = models.CharField("身份证号", max_length=18, unique=True)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="cadres", verbose_name="工作单位")
    post = models.CharField("现任职务", max_length=100, blank=True)
    rank = models.ForeignKey(Rank, on_delete=models.PROTECT, related_name="cadres", verbose_name="职级")
    post_since = models.DateField("任现职时间", null=True, blank=True, db_index=True)
    rank_since = models.DateField("任现职级时间", null=True, blank=True)
    is_unit_head = models.BooleanField("是否一把手", default=False)
    is_party_gov_head = models.BooleanField("是否党政正职", default=False)
    sensitive_post = models.CharField("岗位类别", max_length=8, choices=SensitivePost.choices, blank=True)
    phone = models.CharField("联系电话", max_length=40, blank=True)
    remarks = models.CharField("备注", max_length=500, blank=True)
    status = models.CharField("状态", max_length=4, choices=CadreStatus.choices, default=CadreStatus.ACTIVE)
    unit_path = models.CharField("单位路径", max_length=255, editable=False, default="")
    rank_order = models.PositiveSmallIntegerField("职级排序", editable=False, default=0)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = CadreQuerySet.as_manager()

    class Meta:
        verbose_name = "干部"
        verbose_name_plural = "干部"
        indexes = [
            models.Index(fields=["unit_path", "-rank_order", "id"], name="cadre_roster_order"),
            models.Index(fields=["unit", "status"]),
        ]

    def __str__(self):
        return self.name

    def sync_denormalized(self):
        self.id_number = (self.id_number or "").upper()
        self.unit_path = self.unit.path
        self.rank_order = self.rank.order
        self.fill_from_id_number()

    def fill_from_id_number(self):
        """A blank gender or birth month is read off the ID number, as rosters agree with it."""
        gender, birth_month = facts_from_id_number(self.id_number)
        self.gender = self.gender or gender or ""
        self.birth_date = self.birth_date or birth_month

    def save(self, *args, **kwargs):
        self.sync_denormalized()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "unit_path", "rank_order", "gender", "birth_date"}
        super().save(*args, **kwargs)

    def years_in_post(self, today=None):
        if not self.post_since:
            return None
        today = today or datetime.date.today()
        years = today.year - self.post_since.year
        if (today.month, today.day) < (self.post_since.month, self.post_since.day):
            years -= 1
        return years


class PostHistory(models.Model):
    """A post a cadre held; the open entry (``end`` empty) is the current one."""

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="posts", verbose_name="干部")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.SET_NULL, verbose_name="单位")
    unit_name = models.CharField("单位名称", max_length=100, blank=True)
    post = models.CharField("职务", max_length=100, blank=True)
    rank = models.ForeignKey(Rank, null=True, blank=True, on_delete=models.PROTECT, verbose_name="职级")
    start = models.DateField("起始", null=True, blank=True)
    end = models.DateField("截止", null=True, blank=True)

    class Meta:
        verbose_name = "任职经历"
        ordering = ["cadre", "-start"]
        indexes = [models.Index(fields=["cadre", "end"])]

    def __str__(self):
        return f"{self.unit_name} {self.post}"


class FileJob(models.Model):
    """Work on a file that runs in the background worker for one user, who alone may see it.

    The file lives outside any web root, in the directory the setting ``FILE_DIR`` names.
    """

    FILE_DIR = None

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="%(class)ss", verbose_name="用户")
    stored_name = models.CharField("存储文件", max_length=100)
    # Where the request came from, for the audit entry the worker writes when the job ends.
    address = models.CharField("地址", max_length=64, blank=True)
    created_at = models.DateTimeField("开始时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @property
    def path(self):
        return getattr(settings, self.FILE_DIR) / self.stored_name

    def discard_file(self):
        # The job's record stays; the file (full ID numbers) is not kept once done with.
        self.path.unlink(missing_ok=True)


class ImportJob(FileJob):
    """A roster file uploaded through the web UI: validated (preview), then imported.

    Large files are processed by the background worker; progress lives in the cache so the
    page can show it while the import's own transaction is still open.
    """

    class Status(models.TextChoices):
        VALIDATING = "validating", "校验中"
        VALIDATED = "validated", "待确认"
        INVALID = "invalid", "有错误"
        IMPORTING = "importing", "导入中"
        DONE = "done", "已导入"
        FAILED = "failed", "导入失败"
        CANCELLED = "cancelled", "已取消"

    # States after which the uploaded file is no longer needed.
    FINISHED = {Status.INVALID, Status.DONE, Status.FAILED, Status.CANCELLED}

    FILE_DIR = "UPLOAD_DIR"

    original_name = models.CharField("文件名", max_length=200)
    size = models.PositiveBigIntegerField("大小", default=0)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.VALIDATING)
    preview = models.JSONField("校验结果", null=True, blank=True)
    result = models.JSONField("导入结果", null=True, blank=True)

    class Meta(FileJob.Meta):
        verbose_name = "名册导入"

    def __str__(self):
        return self.original_name


class ExportJob(FileJob):
    """A roster export too large to write during a page request: the worker writes it."""

    class Status(models.TextChoices):
        RUNNING = "running", "生成中"
        DONE = "done", "已生成"
        FAILED = "failed", "失败"

    FILE_DIR = "EXPORT_DIR"

    params = models.JSONField("筛选条件", default=dict)
    title = models.CharField("标题", max_length=200)
    rows = models.PositiveIntegerField("人数", default=0)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.RUNNING)
    error = models.CharField("错误", max_length=500, blank=True)

    class Meta(FileJob.Meta):
        verbose_name = "名册导出"

    def __str__(self):
        return self.title

    @property
    def expired(self):
        # Downloads are for the person who asked, soon after: the file ages with the scope
        # it was written under.
        age = timezone.now() - (self.finished_at or self.created_at)
        return age > datetime.timedelta(hours=settings.TANHUA_EXPORT_TTL_HOURS)
