"""Talk programmes (谈话活动), their rounds (批次), the draw of each round and the talks it makes."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q

from tanhua.registry.models import RANK_LEVELS, Cadre, Unit, UnitPathCopy


class Kind(models.TextChoices):
    HALF_MONTH = "half_month", "勤廉半月谈"
    INTEGRITY = "integrity", "廉政谈话"
    PARTY_BUILDING = "party_building", "党建约谈"
    REMINDER = "reminder", "提醒谈话"
    ADMONISHMENT = "admonishment", "诫勉谈话"
    PRE_APPOINTMENT = "pre_appointment", "任前谈话"
    HEART = "heart", "谈心谈话"


class Cadence(models.TextChoices):
    BIMONTHLY = "bimonthly", "每两个月"
    MONTHLY = "monthly", "每月"
    QUARTERLY = "quarterly", "每季度"
    YEARLY = "yearly", "每年"
    AD_HOC = "ad_hoc", "不定期"


CADENCE_MONTHS = {Cadence.BIMONTHLY: 2, Cadence.MONTHLY: 1, Cadence.QUARTERLY: 3, Cadence.YEARLY: 12}


class SubjectType(models.TextChoices):
    CADRE = "cadre", "干部"
    UNIT = "unit", "单位(约谈党委书记/一把手)"


class LeadRule(models.TextChoices):
    BY_POST = "by_post", "按职务:一把手由第一主谈人主谈,其他由第二主谈人主谈"
    CONTACT_LEADER = "contact_leader", "按单位联系领导"
    FIXED = "fixed", "统一由第一主谈人主谈"


class ReportKind(models.TextChoices):
    NONE = "none", "无需书面汇报"
    HALF_MONTH = "half_month", "半月工作汇报(每日工作、8小时以外、廉洁自律)"
    UNIT_PARTY = "unit_party", "单位党建工作汇报"
    FREE = "free", "书面汇报"


class Weighting(models.TextChoices):
    NONE = "none", "等概率"
    SINCE_LAST = "since_last", "距上次谈话越久权重越高(从不为零)"


class Programme(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="programmes", verbose_name="主办单位")
    name = models.CharField("活动名称", max_length=100)
    kind = models.CharField("谈话类型", max_length=20, choices=Kind.choices)
    cadence = models.CharField("频次", max_length=12, choices=Cadence.choices, default=Cadence.AD_HOC)
    subject_type = models.CharField("谈话对象", max_length=8, choices=SubjectType.choices, default=SubjectType.CADRE)
    # Eligibility (who is in the pool); recorded with every draw.
    min_rank_level = models.PositiveSmallIntegerField("最低职级", choices=RANK_LEVELS, null=True, blank=True)
    unit_heads_only = models.BooleanField("仅一把手", default=False)
    party_gov_heads_only = models.BooleanField("仅党政正职", default=False)
    active_only = models.BooleanField("仅在职", default=True)
    exclude_talked_months = models.PositiveSmallIntegerField(
        "近N个月内在本活动谈过的不再抽取", default=0, help_text="0 表示不排除")
    unit_kinds = models.JSONField("单位类别", default=list, blank=True,
                                  help_text="单位轮次:参加抽取的单位类别,空为全部")
    random_count = models.PositiveSmallIntegerField("每批随机抽取", default=4)
    designated_count = models.PositiveSmallIntegerField("每批指定", default=1)
    weighting = models.CharField("抽取权重", max_length=12, choices=Weighting.choices, default=Weighting.NONE)
    weight_cap_months = models.PositiveSmallIntegerField("权重封顶月数", default=24)
    lead_rule = models.CharField("主谈人规则", max_length=16, choices=LeadRule.choices, default=LeadRule.BY_POST)
    head_lead = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name="第一主谈人(一把手的主谈人)")
    other_lead = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="第二主谈人(其他干部的主谈人)")
    # Who leads when that leader has no login of their own (a 市委书记 rarely does).
    head_lead_name = models.CharField("第一主谈人姓名(无系统账号时)", max_length=60, blank=True)
    other_lead_name = models.CharField("第二主谈人姓名(无系统账号时)", max_length=60, blank=True)
    agenda = models.JSONField("议程模板", default=list, blank=True)  # [{"title": "汇报", "minutes": 20}, ...]
    report_kind = models.CharField("书面汇报", max_length=12, choices=ReportKind.choices, default=ReportKind.NONE)
    report_due_days = models.PositiveSmallIntegerField("汇报提前提交天数", default=3)
    rectification_days = models.PositiveSmallIntegerField("整改时限(天)", default=60)
    # A round's day: talks fill the morning from the round's start, pause for lunch, then the afternoon.
    morning_end = models.TimeField("上午结束", default=datetime.time(12, 0))
    afternoon_start = models.TimeField("下午开始", default=datetime.time(14, 0))
    day_end = models.TimeField("下午结束", default=datetime.time(17, 30))
    # Printed on the notice (谈话通知书): whom the subject calls with questions.
    contact_name = models.CharField("联系人", max_length=40, blank=True)
    contact_phone = models.CharField("联系电话", max_length=40, blank=True)
    publish_names = models.BooleanField(
        "公示页显示候选人姓名", default=False,
        help_text="不勾选时,公开链接只显示候选人数和名单哈希;抽中对象始终公示。")
    is_active = models.BooleanField("启用", default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "谈话活动"
        verbose_name_plural = "谈话活动"
        ordering = ["unit__path", "name"]

    def __str__(self):
        return self.name

    @property
    def talk_minutes(self):
        return sum(int(s.get("minutes", 0)) for s in self.agenda) or 60

    def rules(self):
        """The eligibility rules as they are recorded with each draw."""
        return {
            "单位范围": f"{self.unit.name}及下级",
            "谈话对象": self.get_subject_type_display(),
            "最低职级": self.get_min_rank_level_display() + "以上" if self.min_rank_level else "不限",
            "仅一把手": self.unit_heads_only,
            "仅党政正职": self.party_gov_heads_only,
            "仅在职": self.active_only,
            "排除近期谈过(月)": self.exclude_talked_months,
            "单位类别": list(self.unit_kinds),
            "权重": self.get_weighting_display() + (f"(封顶{self.weight_cap_months}个月)" if self.weighting != Weighting.NONE else ""),
        }


class Member(models.Model):
    """A member of a programme's talk group (谈话小组): 市委, 纪委, 组织部, 人大 ..."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="members", verbose_name="谈话活动")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="talk_groups", verbose_name="用户")
    name = models.CharField("姓名", max_length=40)
    body = models.CharField("所在机关", max_length=40, blank=True, help_text="如:市委、市纪委监委、市委组织部、市人大")
    title = models.CharField("职务", max_length=60, blank=True)
    # The member's own roster record: a talker is never a candidate of the programme, nor
    # their unit in a unit round (conflict of interest, 回避).
    cadre = models.ForeignKey(Cadre, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                              verbose_name="干部名册记录")

    class Meta:
        verbose_name = "谈话小组成员"
        ordering = ["id"]

    def __str__(self):
        return f"{self.body}{self.title} {self.name}".strip()


class Round(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "筹备中"
        FROZEN = "frozen", "名单已冻结"
        DRAWN = "drawn", "已抽取"
        CANCELLED = "cancelled", "已取消"

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="rounds", verbose_name="谈话活动")
    number = models.PositiveIntegerField("批次")
    date = models.DateField("谈话日期")
    start_time = models.TimeField("开始时间", default=datetime.time(9, 0))
    place = models.CharField("地点", max_length=100, blank=True)
    random_count = models.PositiveSmallIntegerField("随机抽取")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    note = models.CharField("备注", max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "谈话批次"
        verbose_name_plural = "谈话批次"
        ordering = ["-date", "-number"]
        constraints = [models.UniqueConstraint(fields=["programme", "number"], name="round_number_per_programme")]

    def __str__(self):
        return f"{self.programme.name}第{self.number}批"


class Designation(models.Model):
    """A subject named before the draw (指定), with the reason and the clues behind it."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="designations", verbose_name="批次")
    cadre = models.ForeignKey(Cadre, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="干部")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="单位")
    reason = models.CharField("指定理由", max_length=300)
    clues = models.ManyToManyField("clues.Clue", blank=True, related_name="designations", verbose_name="依据线索")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("指定时间", auto_now_add=True)

    class Meta:
        verbose_name = "指定对象"
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "cadre"], name="designation_cadre_once"),
            models.UniqueConstraint(fields=["round", "unit"], name="designation_unit_once"),
            models.CheckConstraint(condition=Q(cadre__isnull=False) | Q(unit__isnull=False), name="designation_subject"),
        ]

    @property
    def subject_id(self):
        return self.cadre_id if self.cadre_id else self.unit_id

    def __str__(self):
        return str(self.cadre or self.unit)


class DrawInput(models.Model):
    """One input of a round's seed, fixed before the freeze: a public number, a member's
    committed value, or the server's value (its hash recorded at the freeze)."""

    class Kind(models.TextChoices):
        PUBLIC = "public", "公开号码"
        MEMBER = "member", "小组成员承诺值"
        SERVER = "server", "系统随机值"

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="inputs", verbose_name="批次")
    position = models.PositiveSmallIntegerField("顺序")
    kind = models.CharField("类型", max_length=8, choices=Kind.choices)
    label = models.CharField("说明", max_length=120)
    member = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="draw_inputs", verbose_name="承诺人")
    commitment = models.CharField("承诺哈希", max_length=64, blank=True)
    committed_at = models.DateTimeField("承诺时间", null=True, blank=True)
    # Public numbers and revealed values in clear; the server value is sealed until the draw.
    value = models.CharField("公布值", max_length=200, blank=True)
    sealed_value = models.TextField("密封值", blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    entered_at = models.DateTimeField("公布时间", null=True, blank=True)

    class Meta:
        verbose_name = "随机种子输入"
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["round", "position"], name="draw_input_position")]

    def __str__(self):
        return self.label


class Draw(models.Model):
    """The draw of one round: frozen pool first, then the selection; chained per programme."""

    round = models.OneToOneField(Round, on_delete=models.PROTECT, related_name="draw", verbose_name="批次")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="draws", verbose_name="谈话活动")
    frozen_at = models.DateTimeField("冻结时间")
    frozen_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    pool = models.JSONField("候选名单")
    weights = models.JSONField("权重", null=True, blank=True)
    labels = models.JSONField("候选说明", default=dict)
    pool_hash = models.CharField("名单哈希", max_length=64)
    probabilities = models.JSONField("抽中概率", default=list)
    rules = models.JSONField("抽取规则", default=dict)
    # Left out of the pool by rule at the freeze (回避: the talk group and the talkers' units):
    # [{"id": ..., "label": ..., "rule": ...}], recorded with the draw and checked by the verifier.
    excluded = models.JSONField("回避排除", default=list, blank=True)
    group = models.JSONField("谈话小组", default=list, blank=True)
    count = models.PositiveSmallIntegerField("抽取人数")
    # Set by the draw itself.
    seq = models.PositiveIntegerField("链序号", null=True, blank=True)
    seed = models.CharField("随机种子", max_length=64, blank=True)
    selected = models.JSONField("抽中", null=True, blank=True)
    record = models.JSONField("抽取记录", null=True, blank=True)
    record_hash = models.CharField("记录哈希", max_length=64, blank=True)
    previous_hash = models.CharField("上一记录哈希", max_length=64, blank=True)
    drawn_at = models.DateTimeField("抽取时间", null=True, blank=True)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    # The published link (公示): an unguessable token anyone on the intranet may open; empty when withdrawn.
    public_token = models.CharField("公示链接令牌", max_length=64, blank=True, db_index=True)
    published_at = models.DateTimeField("公示时间", null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    # The programme's 公示页显示候选人姓名 as it was when published: ticking it later does not
    # reveal the names of draws already out.
    public_names = models.BooleanField("公示候选人姓名", default=False)

    class Meta:
        verbose_name = "随机抽取"
        verbose_name_plural = "随机抽取"
        ordering = ["-frozen_at"]
        constraints = [models.UniqueConstraint(fields=["programme", "seq"], name="draw_chain_seq")]

    def __str__(self):
        return f"{self.round}抽取"


class Talk(UnitPathCopy):
    class Origin(models.TextChoices):
        DRAWN = "drawn", "随机抽取"
        DESIGNATED = "designated", "指定"
        TARGETED = "targeted", "点名约谈"

    class Status(models.TextChoices):
        PLANNED = "planned", "已安排"
        NOTIFIED = "notified", "已通知"
        PREPARED = "prepared", "已准备"
        HELD = "held", "已谈话"
        CONFIRMED = "confirmed", "记录已确认"
        CLOSED = "closed", "已办结"

    round = models.ForeignKey(Round, null=True, blank=True, on_delete=models.PROTECT, related_name="talks",
                              verbose_name="批次")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="talks", verbose_name="谈话活动")
    kind = models.CharField("谈话类型", max_length=20, choices=Kind.choices)
    origin = models.CharField("确定方式", max_length=12, choices=Origin.choices)
    cadre = models.ForeignKey(Cadre, null=True, blank=True, on_delete=models.PROTECT, related_name="talks",
                              verbose_name="谈话对象")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="talks", verbose_name="对象单位")
    subject_post = models.CharField("对象职务", max_length=100, blank=True)
    reason = models.CharField("指定理由", max_length=300, blank=True)
    lead = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="led_talks", verbose_name="主谈人")
    lead_name = models.CharField("主谈人", max_length=60, blank=True)
    members = models.ManyToManyField(Member, blank=True, related_name="talks", verbose_name="谈话小组")
    starts_at = models.DateTimeField("谈话时间")
    minutes = models.PositiveSmallIntegerField("时长(分钟)", default=60)
    place = models.CharField("地点", max_length=100, blank=True)
    report_kind = models.CharField("书面汇报", max_length=12, choices=ReportKind.choices, default=ReportKind.NONE)
    report_due = models.DateField("汇报提交截止", null=True, blank=True)
    agenda = models.JSONField("议程", default=list, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PLANNED)
    notified_at = models.DateTimeField("通知时间", null=True, blank=True)
    notified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name="通知人")
    # Preparation: the problems chosen from the subject's problem list, and the outline.
    problems = models.ManyToManyField("clues.Clue", blank=True, related_name="talks", verbose_name="谈话问题")
    outline = models.TextField("谈话提纲", blank=True)
    outline_final = models.BooleanField("提纲已定稿", default=False)
    outline_saved_at = models.DateTimeField("提纲保存时间", null=True, blank=True)
    outline_saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                         related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "谈话"
        verbose_name_plural = "谈话"
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["unit_path", "starts_at"], name="talk_scope_time"),
                   models.Index(fields=["cadre", "programme", "starts_at"], name="talk_cadre_programme")]

    def __str__(self):
        return f"{self.get_kind_display()}:{self.cadre.name if self.cadre else self.unit.name}"

    @property
    def subject_name(self):
        return self.cadre.name if self.cadre else self.unit.name


STATUS_ORDER = [s.value for s in Talk.Status]


class TalkEvent(models.Model):
    """Who did what to a talk, and when (the talk's own history)."""

    talk = models.ForeignKey(Talk, on_delete=models.CASCADE, related_name="events", verbose_name="谈话")
    time = models.DateTimeField("时间", auto_now_add=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    action = models.CharField("事项", max_length=60)
    detail = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        ordering = ["time", "id"]


class OutlineTemplate(models.Model):
    """Topics for an outline, chosen by who the subject is and what their unit does (managed data)."""

    title = models.CharField("主题", max_length=60)
    topics = models.TextField("谈话要点", help_text="每行一条。")
    heads_only = models.BooleanField("仅对一把手、党政正职(或单位约谈)", default=False)
    unit_kinds = models.JSONField("单位类别(空为不限)", default=list, blank=True)
    unit_tags = models.JSONField("单位标签(具备其一,空为不限)", default=list, blank=True)
    programme_kinds = models.JSONField("谈话类型(空为不限)", default=list, blank=True)
    order = models.PositiveSmallIntegerField("排序", default=0)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "提纲模板"
        ordering = ["order", "id"]

    def __str__(self):
        return self.title

    def as_template(self):
        from .outline import Template

        return Template(title=self.title, topics=tuple(t.strip() for t in self.topics.splitlines() if t.strip()),
                        heads_only=self.heads_only, unit_kinds=frozenset(self.unit_kinds),
                        unit_tags=frozenset(self.unit_tags), programme_kinds=frozenset(self.programme_kinds),
                        order=self.order)


class TalkReport(models.Model):
    """The subject's own written report, handed in through their own login before the talk."""

    talk = models.OneToOneField(Talk, on_delete=models.CASCADE, related_name="report", verbose_name="谈话")
    days = models.JSONField("每日工作", default=list, blank=True)  # [{"date": "2026-11-20", "work": "..."}]
    after_hours = models.JSONField("8小时以外", default=list, blank=True)
    integrity = models.JSONField("廉洁自律", default=list, blank=True)
    text = models.TextField("汇报内容", blank=True)
    submitted_at = models.DateTimeField("提交时间")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    late = models.BooleanField("逾期提交", default=False)

    class Meta:
        verbose_name = "本人汇报"


class TalkRecord(models.Model):
    """谈话记录."""

    class Confirmation(models.TextChoices):
        ONLINE = "online", "本人在系统中确认"
        PAPER = "paper", "本人在纸质记录上签字确认"

    talk = models.OneToOneField(Talk, on_delete=models.CASCADE, related_name="record", verbose_name="谈话")
    held_on = models.DateField("谈话日期")
    start_time = models.TimeField("开始时间")
    end_time = models.TimeField("结束时间")
    place = models.CharField("地点", max_length=100, blank=True)
    lead_name = models.CharField("主谈人", max_length=60)
    present = models.ManyToManyField(Member, blank=True, related_name="+", verbose_name="出席的谈话小组成员")
    recorder = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name="记录人")
    recorder_name = models.CharField("记录人", max_length=40)
    agenda = models.JSONField("议程", default=list, blank=True)
    influence_months = models.PositiveSmallIntegerField("影响期(月)", null=True, blank=True)
    influence_end = models.DateField("影响期截止", null=True, blank=True)
    appointment = models.CharField("拟任职务", max_length=200, blank=True)
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    confirmed_how = models.CharField("确认方式", max_length=8, choices=Confirmation.choices, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "谈话记录"


class RecordEntry(models.Model):
    class Kind(models.TextChoices):
        QUESTION = "question", "问"
        ANSWER = "answer", "答"
        PROBLEM = "problem", "指出问题"
        REQUIREMENT = "requirement", "提出要求"
        DISCLOSURE = "disclosure", "本人主动说明"
        NOTE = "note", "其他"

    record = models.ForeignKey(TalkRecord, on_delete=models.CASCADE, related_name="entries")
    position = models.PositiveSmallIntegerField("顺序")
    kind = models.CharField("类别", max_length=12, choices=Kind.choices)
    text = models.TextField("内容")

    class Meta:
        ordering = ["position"]
