from django import forms

from tanhua.accounts.models import User
from tanhua.accounts.scope import scope_queryset, visible_units
from tanhua.dates import happened_error, today
from tanhua.forms import StyledForm, user_label
from tanhua.registry.forms import UnitChoiceField
from tanhua.registry.selectors import find_cadre

from .models import Category, Clue, Disposition, Form, Inquiry, Light, Source


class VocabularyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, entry):
        return f"\u3000{entry.name}" if entry.parent_id else entry.name


def _vocabulary(model):
    # Parents followed by their children, active entries only.
    entries = list(model.objects.filter(active=True).select_related("parent"))
    ordered = []
    for parent in [e for e in entries if e.parent_id is None]:
        ordered.append(parent.pk)
        ordered += [e.pk for e in entries if e.parent_id == parent.pk]
    preserved = {pk: i for i, pk in enumerate(ordered)}
    return model.objects.filter(pk__in=ordered), preserved


class ClueForm(StyledForm, forms.Form):
    """Registering a clue (登记). The subject is a unit, and optionally a cadre named in it."""

    source = VocabularyChoiceField(label="线索来源", queryset=Source.objects.none())
    received_on = forms.DateField(label="受理日期", widget=forms.DateInput(attrs={"type": "date"}))
    unit = UnitChoiceField(label="涉及单位", queryset=None)
    cadre_text = forms.CharField(label="反映对象", required=False, max_length=40,
                                 help_text="干部姓名或身份证号;只反映单位时留空。")
    category = VocabularyChoiceField(label="问题类别", queryset=Category.objects.none())
    summary = forms.CharField(label="问题摘要", max_length=200)
    content = forms.CharField(label="反映内容", widget=forms.Textarea(attrs={"rows": 6}))
    reporter_anonymous = forms.BooleanField(label="匿名反映", required=False)
    reporter_name = forms.CharField(label="反映人姓名", required=False, max_length=40)
    reporter_contact = forms.CharField(label="联系方式", required=False, max_length=100)
    due_on = forms.DateField(label="办理时限", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                             help_text="留空则为受理日期后 30 天。")
    handling_unit = UnitChoiceField(label="承办单位", queryset=None, required=False)
    handler = forms.ModelChoiceField(label="承办人", queryset=User.objects.none(), required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        units = visible_units(actor).order_by("path")
        self.fields["unit"].queryset = units
        self.fields["handling_unit"].queryset = units
        self.fields["source"].queryset, _ = _vocabulary(Source)
        self.fields["category"].queryset, _ = _vocabulary(Category)
        self.fields["handler"].queryset = scope_queryset(User.objects.filter(is_active=True), actor).order_by(
            "unit__path", "username")
        self.fields["handler"].label_from_instance = user_label
        self.fields["received_on"].widget.attrs["max"] = today().isoformat()
        self.style()

    def clean(self):
        data = super().clean()
        unit, text = data.get("unit"), (data.get("cadre_text") or "").strip()
        data["cadre"] = None
        if unit is not None and text:
            try:
                data["cadre"] = find_cadre(self.actor, unit, text)
            except ValueError as exc:
                self.add_error("cadre_text", str(exc))
        if data.get("reporter_anonymous") and (data.get("reporter_name") or data.get("reporter_contact")):
            self.add_error("reporter_anonymous", "匿名反映不应填写反映人姓名和联系方式。")
        received, due = data.get("received_on"), data.get("due_on")
        if date_error := happened_error(received, "受理日期"):
            self.add_error("received_on", date_error)
        if received and due and due < received:
            self.add_error("due_on", "办理时限不能早于受理日期。")
        return data


class DisposeForm(StyledForm, forms.Form):
    disposition = forms.ChoiceField(label="处置方式", choices=[("", "请选择"), *Disposition.choices])
    reason = forms.CharField(label="处置理由", widget=forms.Textarea(attrs={"rows": 3}))


class CloseForm(StyledForm, forms.Form):
    outcome_form = forms.TypedChoiceField(label="处理形态", coerce=int, empty_value=None, required=False,
                                          choices=[("", "未作处理(了结、澄清)"), *Form.choices])
    outcome = forms.CharField(label="办理结果", widget=forms.Textarea(attrs={"rows": 3}))


class InquiryForm(StyledForm, forms.Form):
    letter_number = forms.CharField(label="函询文号", required=False, max_length=60,
                                    help_text="留空则按线索编号生成。")
    questions = forms.CharField(label="需要说明的问题", widget=forms.Textarea(attrs={"rows": 6}))


class ReplyForm(StyledForm, forms.Form):
    text = forms.CharField(label="书面说明", required=False, widget=forms.Textarea(attrs={"rows": 10}))
    file = forms.FileField(label="说明材料(PDF、Word 或图片)", required=False)


class ReviewForm(StyledForm, forms.Form):
    conclusion = forms.ChoiceField(label="核查结论", choices=Inquiry.Conclusion.choices)
    note = forms.CharField(label="审核意见", widget=forms.Textarea(attrs={"rows": 3}))
    follow_up = forms.CharField(label="后续处理", required=False, max_length=100,
                                help_text="如:予以了结、谈话提醒、批评教育、转初步核实。")


class ClueFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, error_messages={
        "max_length": "检索词过长(最多 %(limit_value)d 个字,现有 %(show_value)d 个字)"})
    status = forms.ChoiceField(required=False, choices=[("", "全部"), *Clue.Status.choices])
    light = forms.ChoiceField(required=False, choices=[("", "全部"), *Light.choices])
    source = forms.IntegerField(required=False)
    category = forms.IntegerField(required=False)
    disposition = forms.ChoiceField(required=False, choices=[("", "全部"), *Disposition.choices])
    unit = forms.IntegerField(required=False)
    cadre = forms.IntegerField(required=False)
    sort = forms.ChoiceField(required=False, choices=[("", "受理日期"), ("light", "时限")])
