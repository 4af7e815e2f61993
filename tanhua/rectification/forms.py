from django import forms

from tanhua.accounts.models import User
from tanhua.accounts.scope import scope_queryset, visible_units
from tanhua.forms import StyledForm, user_label
from tanhua.registry.forms import UnitChoiceField

from .models import FollowUp, Meeting


class ItemForm(StyledForm, forms.Form):
    unit = UnitChoiceField(label="责任单位", queryset=None)
    problem = forms.CharField(label="问题", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    measures = forms.CharField(label="整改措施", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    owner = forms.ModelChoiceField(label="责任人(系统用户,可登录报告进展)", queryset=None, required=False)
    owner_name = forms.CharField(label="或:责任人姓名", max_length=40, required=False)
    leader = forms.ModelChoiceField(label="责任领导(系统用户,核实销号)", queryset=None, required=False)
    leader_name = forms.CharField(label="或:责任领导姓名", max_length=40, required=False)
    start_on = forms.DateField(label="开始日期", widget=forms.DateInput(attrs={"type": "date"}))
    due_on = forms.DateField(label="整改时限", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = visible_units(actor).order_by("path")
        users = scope_queryset(User.objects.filter(is_active=True), actor).order_by("unit__path", "username")
        for name in ("owner", "leader"):
            self.fields[name].queryset = users
            self.fields[name].label_from_instance = user_label
        self.style()


class ProgressForm(StyledForm, forms.Form):
    text = forms.CharField(label="整改进展", max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    sign_off = forms.BooleanField(label="整改已完成,申请销号", required=False)


class EscalateForm(StyledForm, forms.Form):
    reason = forms.CharField(label="理由", max_length=300)
    new_due_on = forms.DateField(label="新的整改时限(责令限期整改时)", required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))


class FollowUpForm(StyledForm, forms.Form):
    done_on = forms.DateField(label="回访日期", widget=forms.DateInput(attrs={"type": "date"}))
    way = forms.ChoiceField(label="方式", choices=FollowUp.Way.choices)
    findings = forms.CharField(label="回访情况", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    recurred = forms.BooleanField(label="问题反弹", required=False)


class FollowUpCorrectionForm(FollowUpForm):
    reason = forms.CharField(label="更正理由", max_length=200)


class MeetingForm(StyledForm, forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["unit", "title", "held_on", "before", "during"]
        field_classes = {"unit": UnitChoiceField}
        widgets = {"held_on": forms.DateInput(attrs={"type": "date"}), "before": forms.Textarea(attrs={"rows": 4}),
                   "during": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = visible_units(actor).order_by("path")
        self.style()
