import re

from django import forms
from django.utils import timezone

from tanhua.accounts.models import User
from tanhua.accounts.scope import scope_queryset, visible_units
from tanhua.clues.models import Clue
from tanhua.forms import StyledForm, user_label
from tanhua.registry.forms import UnitChoiceField
from tanhua.registry.models import Cadre, Unit, UnitKind
from tanhua.registry.selectors import find_cadre

from . import schedule
from .models import OutlineTemplate, Programme, SubjectType

PHONE = re.compile(r"[0-9 +\-()()转]*[0-9][0-9 +\-()()转]*")  # 0512-53512345 转 8001, (0512) …, +86 …
DAY_TIMES = ("morning_end", "afternoon_start", "day_end")
DAY_AND_CONTACT_HELP = {
    "morning_end": "一批谈话上午排到此时为止,排不下的移到下午",
    "day_end": "下午排不下的顺延到下一个工作日",
    "contact_name": "印在谈话通知书上;不填则为发出通知的工作人员",
    "contact_phone": "如 0512-53512345 转 8001",
}


class ProgrammeForm(StyledForm, forms.ModelForm):
    """A programme's settings; the talk group is typed one member per line."""

    members_text = forms.CharField(
        label="谈话小组", required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="每行一位:所在机关|职务|姓名|系统用户名|身份证号。用户名可选(有用户名的成员可登录参加抽取和查看谈话);"
                  "身份证号用于关联干部名册,谈话小组成员及其单位不会成为本活动的谈话对象(回避),"
                  "名册中有同名干部时必须填写,确不在名册中的填“无”。例:市纪委监委|书记|顾金泉|jiwei",
    )
    agenda_text = forms.CharField(
        label="议程模板", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="每行一段:内容|分钟。例:汇报基层党建工作|20", initial="汇报|20\n提问交流|40",
    )
    unit_kinds = forms.MultipleChoiceField(label="参加抽取的单位类别(单位轮次)", required=False,
                                           choices=UnitKind.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Programme
        fields = ["unit", "name", "kind", "cadence", "subject_type", "min_rank_level", "unit_heads_only",
                  "party_gov_heads_only", "active_only", "exclude_talked_months", "unit_kinds", "random_count",
                  "designated_count", "weighting", "weight_cap_months", "lead_rule", "head_lead", "head_lead_name", "other_lead", "other_lead_name",
                  "report_kind", "report_due_days", "rectification_days", "is_active", "publish_names",
                  "morning_end", "afternoon_start", "day_end", "contact_name", "contact_phone"]
        field_classes = {"unit": UnitChoiceField}
        widgets = {name: forms.TimeInput(attrs={"type": "time"}, format="%H:%M") for name in DAY_TIMES}
        # What the published link shows, on the page and in the record offered there for checking.
        help_texts = {"publish_names": "勾选后,公示页和公开的抽取记录列出全部候选对象(姓名·单位·职务);不勾选时只公开"
                                       "候选人数、编号和名单哈希(姓名以哈希封存,记录照样可以校验)。抽中和指定的对象始终公示。"}

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        for name, text in DAY_AND_CONTACT_HELP.items():
            self.fields[name].help_text = text
        for name in DAY_TIMES:
            self.fields[name].required = False  # left empty: the usual day (12:00, 14:00, 17:30)
        self.fields["unit"].queryset = visible_units(actor).order_by("path")
        users = scope_queryset(User.objects.filter(is_active=True), actor).order_by("unit__path", "username")
        for name in ("head_lead", "other_lead"):
            self.fields[name].queryset = users
            self.fields[name].label_from_instance = user_label
        if self.instance.pk:
            self.fields["members_text"].initial = "\n".join(
                "|".join([m.body, m.title, m.name, m.user.username if m.user else "",
                          m.cadre.id_number if m.cadre else ""]).rstrip("|")
                for m in self.instance.members.select_related("user", "cadre"))
            self.fields["agenda_text"].initial = "\n".join(f"{s['title']}|{s['minutes']}" for s in self.instance.agenda)
        self.style()

    def clean_members_text(self):
        members, errors = [], []
        for n, line in enumerate(self.cleaned_data["members_text"].splitlines(), 1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.replace("|", "|").split("|")]
            parts += [""] * (5 - len(parts))
            body, title, name, username, id_number = parts[:5]
            if not name:
                errors.append(f"第{n}行:缺少姓名")
                continue
            user = None
            if username:
                user = scope_queryset(User.objects.filter(username=username, is_active=True), self.actor).first()
                if user is None:
                    errors.append(f"第{n}行:没有用户名为“{username}”的可用用户")
                    continue
            cadre = getattr(user, "cadre", None) if user else None
            if id_number and id_number != "无":
                found = scope_queryset(Cadre.objects.all(), self.actor).filter(id_number=id_number.upper()).first()
                if found is None:
                    errors.append(f"第{n}行:干部名册中没有身份证号为“{id_number}”的干部")
                    continue
                if cadre is not None and found.pk != cadre.pk:
                    errors.append(f"第{n}行:身份证号与用户“{username}”关联的干部不是同一人")
                    continue
                cadre = found
            members.append({"body": body[:40], "title": title[:60], "name": name[:40], "user": user, "cadre": cadre,
                            "_line": n, "_declared_absent": id_number == "无"})
        if errors:
            raise forms.ValidationError(errors)
        return members

    def clean(self):
        data = super().clean()
        unit, members = data.get("unit"), data.get("members_text") or []
        errors = []
        for member in members:
            line, absent = member.pop("_line"), member.pop("_declared_absent")
            if unit is None or member["cadre"] is not None or absent:
                continue
            # Linked by record, not by name: a namesake in range must be confirmed one way or the other.
            namesakes = Cadre.objects.filter(unit.subtree_q("unit_path"), name=member["name"]).exists()
            if namesakes:
                errors.append(f"第{line}行:{unit.name}的干部名册中有名叫“{member['name']}”的干部,"
                              "请填写其身份证号以关联名册(确不在名册中的填“无”)")
        if errors:
            self.add_error("members_text", errors)
        # A lead talker without a login is known by the talk group line that links them to the roster.
        names = {m["name"] for m in members}
        for user_field, name_field in (("head_lead", "head_lead_name"), ("other_lead", "other_lead_name")):
            name = (data.get(name_field) or "").strip()
            if name and not data.get(user_field) and "members_text" in data and name not in names:
                self.add_error(name_field, f"“{name}”须列入谈话小组(并关联名册),以便回避。")
        return data

    def clean_contact_phone(self):
        phone = " ".join(self.cleaned_data["contact_phone"].split())
        if phone and not PHONE.fullmatch(phone):
            raise forms.ValidationError("联系电话只能包含数字、空格、-、+、括号和“转”。")
        return phone

    def _time(self, name):
        return self.cleaned_data[name] or Programme._meta.get_field(name).default

    def clean_morning_end(self):
        return self._time("morning_end")

    def clean_afternoon_start(self):
        return self._time("afternoon_start")

    def clean_day_end(self):
        # The three times are cleaned in the order listed, so the first two are in cleaned_data here.
        data, day_end = self.cleaned_data, self._time("day_end")
        if data.get("morning_end") and data.get("afternoon_start"):
            error = schedule.day_error(data["morning_end"], data["afternoon_start"], day_end)
            if error:
                raise forms.ValidationError(error)
        return day_end

    def clean_agenda_text(self):
        agenda, errors = [], []
        for n, line in enumerate(self.cleaned_data["agenda_text"].splitlines(), 1):
            if not line.strip():
                continue
            title, _, minutes = line.replace("|", "|").partition("|")
            if not minutes.strip().isdigit() or not 0 < int(minutes) <= 480:
                errors.append(f"第{n}行:分钟数应为 1 到 480 的整数")
                continue
            agenda.append({"title": title.strip()[:60], "minutes": int(minutes)})
        if errors:
            raise forms.ValidationError(errors)
        return agenda


class RoundForm(StyledForm, forms.Form):
    date = forms.DateField(label="谈话日期", widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(label="开始时间", initial="09:00", widget=forms.TimeInput(attrs={"type": "time"}))
    place = forms.CharField(label="地点", max_length=100, required=False)
    random_count = forms.IntegerField(label="随机抽取人数", min_value=0, max_value=50)
    public_labels = forms.CharField(
        label="公开号码", required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="每行一项,写明冻结名单之后才公布的号码,如:中国体育彩票排列5第26330期开奖号码。")
    members = forms.ModelMultipleChoiceField(
        label="提供承诺值的小组成员", required=False, queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="每位成员须在冻结名单之前登记承诺值,冻结之后公布。")
    note = forms.CharField(label="备注", max_length=300, required=False)

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = User.objects.filter(talk_groups__programme=programme).distinct()
        self.fields["members"].label_from_instance = user_label
        self.style()

    def clean(self):
        data = super().clean()
        data["public_labels"] = [line.strip()[:120] for line in (data.get("public_labels") or "").splitlines()
                                 if line.strip()]
        if not data["public_labels"] and not data.get("members"):
            raise forms.ValidationError("至少需要一项公开号码或一位小组成员的承诺值:随机种子不能只来自系统。")
        return data


class DesignationForm(StyledForm, forms.Form):
    cadre_text = forms.CharField(label="干部姓名或身份证号", required=False, max_length=40)
    unit = UnitChoiceField(label="单位", queryset=Unit.objects.none(), required=False,
                           help_text="干部轮次:同名时用于区分;单位轮次:被指定的单位。")
    reason = forms.CharField(label="指定理由", max_length=300,
                             help_text="如:信访有举报、社会有舆论但又未构成违纪违法。")
    clue_numbers = forms.CharField(label="依据线索编号", required=False, max_length=300,
                                   help_text="多个编号用空格或逗号分隔。")

    def __init__(self, *args, actor, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor, self.programme = actor, programme
        self.fields["unit"].queryset = visible_units(actor).filter(programme.unit.subtree_q()).order_by("path")
        self.style()

    def clean(self):
        data = super().clean()
        unit, text = data.get("unit"), (data.get("cadre_text") or "").strip()
        data["cadre"] = None
        if self.programme.subject_type == SubjectType.UNIT:
            if unit is None:
                self.add_error("unit", "请选择被指定的单位。")
        elif not text:
            self.add_error("cadre_text", "请填写被指定干部的姓名或身份证号。")
        else:
            try:
                data["cadre"] = find_cadre(self.actor, unit or self.programme.unit, text)
            except ValueError as exc:
                self.add_error("cadre_text", str(exc))
        numbers = [n for n in (data.get("clue_numbers") or "").replace(",", " ").replace(",", " ").split() if n]
        clues = list(scope_queryset(Clue.objects.filter(number__in=numbers), self.actor))
        unknown = sorted(set(numbers) - {c.number for c in clues})
        if unknown:
            self.add_error("clue_numbers", "没有这些线索(或不在您的范围内):" + "、".join(unknown))
        data["clues"] = clues
        return data


class CommitForm(StyledForm, forms.Form):
    value = forms.CharField(label="秘密值", required=False, max_length=200,
                            help_text="自己想好的一串字符(至少 6 位),系统只保存它的哈希;冻结后须原样公布。")
    digest = forms.CharField(label="或:自行计算的 SHA-256 哈希", required=False, max_length=64)


class RevealForm(StyledForm, forms.Form):
    value = forms.CharField(label="公布值", max_length=200)


class CalendarForm(forms.Form):
    month = forms.RegexField(regex=r"^\d{4}-\d{2}$", required=False)

    def month_start(self):
        today = timezone.localdate()
        if self.is_valid() and self.cleaned_data["month"]:
            year, month = map(int, self.cleaned_data["month"].split("-"))
            if 2000 <= year <= 2100 and 1 <= month <= 12:
                return today.replace(year=year, month=month, day=1)
        return today.replace(day=1)


class PreparationForm(StyledForm, forms.Form):
    chosen = forms.TypedMultipleChoiceField(label="选用的问题", required=False, coerce=int,
                                            widget=forms.CheckboxSelectMultiple)
    outline = forms.CharField(label="谈话提纲", required=False, max_length=20000,
                              widget=forms.Textarea(attrs={"rows": 16}))
    action = forms.ChoiceField(choices=[("draft", "生成草稿"), ("save", "保存"), ("final", "定稿")])

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chosen"].choices = [(r["first"].pk, r["first"].summary) for r in rows]
        self.style()


class ReportForm(StyledForm, forms.Form):
    """The subject's report: 15 daily rows, then items, for 半月谈; free text otherwise."""

    after_hours = forms.CharField(label="8小时以外的业余生活", required=False, max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 3}), help_text="每行一条。")
    integrity = forms.CharField(label="廉洁自律情况", required=False, max_length=4000,
                                widget=forms.Textarea(attrs={"rows": 3}), help_text="每行一条。")
    text = forms.CharField(label="汇报内容", required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 12}))

    def __init__(self, *args, days, **kwargs):
        super().__init__(*args, **kwargs)
        self.days = days
        today = timezone.localdate()
        for n, day in enumerate(days):
            # A day still to come cannot be reported; it is filled in on a later submission.
            self.fields[f"day_{n}"] = forms.CharField(
                label=f"{day.month}月{day.day}日 星期{'一二三四五六日'[day.weekday()]}", required=False, max_length=500,
                disabled=day > today, widget=forms.TextInput(attrs={"placeholder": "尚未到来,届时再填"} if day > today
                                                             else {}))
        self.style()

    def day_fields(self):
        return [self[f"day_{n}"] for n in range(len(self.days))]

    def cleaned_days(self):
        return [(day, self.cleaned_data.get(f"day_{n}", "")) for n, day in enumerate(self.days)]

    @staticmethod
    def lines(text):
        return [line.strip() for line in (text or "").splitlines() if line.strip()]


class RecordForm(StyledForm, forms.Form):
    held_on = forms.DateField(label="谈话日期", widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(label="开始时间", widget=forms.TimeInput(attrs={"type": "time"}))
    end_time = forms.TimeField(label="结束时间", widget=forms.TimeInput(attrs={"type": "time"}))
    place = forms.CharField(label="地点", max_length=100, required=False)
    lead_name = forms.CharField(label="主谈人", max_length=60)
    present = forms.ModelMultipleChoiceField(label="出席的谈话小组成员", required=False, queryset=None,
                                             widget=forms.CheckboxSelectMultiple)
    recorder_name = forms.CharField(label="记录人", max_length=40)
    influence_months = forms.IntegerField(label="影响期(月)", required=False, min_value=1, max_value=24,
                                          help_text="诫勉谈话:影响期内影响提拔使用,一般为6个月。")
    appointment = forms.CharField(label="拟任职务", required=False, max_length=200, help_text="任前谈话填写。")

    def __init__(self, *args, talk, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].queryset = talk.programme.members.all()
        # The browser's date picker offers only possible days; the service checks them anyway.
        self.fields["held_on"].widget.attrs.update(min=timezone.localtime(talk.starts_at).date().isoformat(),
                                                   max=timezone.localdate().isoformat())
        self.style()


class OutlineTemplateForm(StyledForm, forms.ModelForm):
    unit_kinds = forms.MultipleChoiceField(label="单位类别(空为不限)", required=False, choices=UnitKind.choices,
                                           widget=forms.CheckboxSelectMultiple)
    unit_tags = forms.CharField(label="单位标签(具备其一,空为不限)", required=False, max_length=200,
                                help_text="用顿号或逗号分隔,如:权力集中、资金密集")
    programme_kinds = forms.MultipleChoiceField(label="谈话类型(空为不限)", required=False,
                                                choices=Programme._meta.get_field("kind").choices,
                                                widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = OutlineTemplate
        fields = ["title", "topics", "heads_only", "unit_kinds", "unit_tags", "programme_kinds", "order", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["unit_tags"] = "、".join(self.instance.unit_tags)
        self.style()

    def clean_unit_tags(self):
        text = self.cleaned_data["unit_tags"].replace(",", "、").replace(",", "、")
        return [t.strip() for t in text.split("、") if t.strip()]


class TargetedTalkForm(StyledForm, forms.Form):
    cadre_text = forms.CharField(label="谈话对象(姓名或身份证号)", max_length=40)
    starts_at = forms.DateTimeField(label="谈话时间", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    place = forms.CharField(label="地点", max_length=100, required=False)
    reason = forms.CharField(label="谈话事由", max_length=300)

    def __init__(self, *args, actor, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor, self.programme = actor, programme
        self.style()

    def clean(self):
        data = super().clean()
        text = (data.get("cadre_text") or "").strip()
        if text:
            try:
                data["cadre"] = find_cadre(self.actor, self.programme.unit, text)
            except ValueError as exc:
                self.add_error("cadre_text", str(exc))
        return data
