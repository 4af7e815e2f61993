from django import forms

from tanhua.accounts.scope import visible_units
from tanhua.forms import StyledForm

from .models import RANK_LEVELS, CadreStatus, Rank, SensitivePost, Unit


class RosterFilterForm(forms.Form):
    """The roster page's filter bar; every field optional."""

    q = forms.CharField(label="搜索", required=False, max_length=40)
    unit = forms.IntegerField(required=False, widget=forms.HiddenInput)
    subtree = forms.BooleanField(label="含下级单位", required=False, initial=True)
    min_level = forms.TypedChoiceField(
        label="职级层次", required=False, coerce=int, empty_value=None,
        choices=[("", "全部")] + [(level, f"{name}以上") for level, name in RANK_LEVELS],
    )
    rank = forms.ModelChoiceField(label="职级", required=False, queryset=Rank.objects.all(), empty_label="全部",
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    unit_head = forms.BooleanField(label="一把手", required=False)
    party_gov_head = forms.BooleanField(label="党政正职", required=False)
    min_years = forms.TypedChoiceField(
        label="任现职年限", required=False, coerce=int, empty_value=None,
        choices=[("", "不限"), (3, "3年以上"), (5, "5年以上"), (8, "8年以上"), (10, "10年以上")],
    )
    sensitive = forms.ChoiceField(
        label="敏感岗位", required=False,
        choices=[("", "不限"), ("any", "全部敏感岗位")] + list(SensitivePost.choices),
    )
    status = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部")] + list(CadreStatus.choices), initial=CadreStatus.ACTIVE
    )

    def __init__(self, data=None, **kwargs):
        # The roster opens on serving cadres of the whole visible tree.
        if data is not None and "status" not in data and "filtered" not in data:
            data = data.copy()
            data["status"] = CadreStatus.ACTIVE
            data.setdefault("subtree", "on")
        super().__init__(data, **kwargs)


class UploadForm(forms.Form):
    file = forms.FileField(label="名册文件(.xlsx)")


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, unit):
        return "\u3000" * (unit.depth - 1) + unit.name


class UnitMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, unit):
        return "\u3000" * (unit.depth - 1) + unit.name


class UnitForm(StyledForm, forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["code", "name", "short_name", "kind", "tags"]
        widgets = {"tags": forms.CheckboxSelectMultiple}

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"] = UnitChoiceField(
            label="上级单位", queryset=visible_units(actor).order_by("path"), required=False, empty_label="(顶级单位)",
        )
        if self.instance.pk:
            self.fields["code"].disabled = True
            self.fields["parent"].initial = Unit.objects.get_parent(self.instance)
        self.style()

    def clean_parent(self):
        from tanhua.accounts.scope import user_scope

        parent = self.cleaned_data.get("parent")
        if parent is None and not user_scope(self.actor).everything:
            raise forms.ValidationError("请选择上级单位:只有数据范围为“全部”的用户能设立顶级单位。")
        if self.instance.pk and parent is not None and parent.path.startswith(self.instance.path):
            raise forms.ValidationError("不能把单位移到它自己或它的下级单位之下。")
        return parent
