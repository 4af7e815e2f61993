from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm

from tanhua.forms import StyledForm
from tanhua.registry.forms import UnitChoiceField, UnitMultipleChoiceField
from tanhua.registry.models import Cadre, Unit

from .models import Role, User
from .permissions import all_permissions
from .scope import scope_queryset, user_scope, visible_units


class OwnPasswordForm(StyledForm, PasswordChangeForm):
    """Django's form with the new password required to differ from the old one."""

    def clean_new_password1(self):
        new = self.cleaned_data.get("new_password1")
        if new and self.user.check_password(new):
            raise forms.ValidationError("新密码不能与当前密码相同。")
        return new


class ResetPasswordForm(StyledForm, SetPasswordForm):
    """An administrator sets a temporary password; the user must change it at next login."""


class TokenForm(StyledForm, forms.Form):
    token = forms.RegexField(
        label="动态口令",
        regex=r"^\d{6}$",
        error_messages={"invalid": "动态口令是 6 位数字。"},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class UserForm(StyledForm, forms.ModelForm):
    """Create or change a user within the administrator's scope."""

    cadre_id_number = forms.CharField(
        label="对应干部身份证号", required=False, max_length=18,
        help_text="干部本人登录时填写,用于查看本人的谈话通知和整改事项。",
    )
    password = forms.CharField(
        label="初始密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="用户首次登录时必须修改。",
    )

    class Meta:
        model = User
        fields = ["username", "full_name", "unit", "roles", "is_active"]
        labels = {"username": "用户名", "is_active": "启用"}
        widgets = {"roles": forms.CheckboxSelectMultiple}

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["unit"] = UnitChoiceField(
            label="所属单位", queryset=visible_units(actor).order_by("path"), required=False,
            empty_label="(无)",
        )
        self.fields["roles"].queryset = Role.objects.order_by("id")
        self.fields["full_name"].required = True
        if self.instance.pk:
            del self.fields["password"]
            if self.instance.cadre_id:
                self.fields["cadre_id_number"].initial = self.instance.cadre.id_number
        self.style()

    def clean_password(self):
        password = self.cleaned_data["password"]
        password_validation.validate_password(password, User(username=self.cleaned_data.get("username", "")))
        return password

    def clean_unit(self):
        unit = self.cleaned_data.get("unit")
        if unit is None and not user_scope(self.actor).everything:
            raise forms.ValidationError("请选择所属单位。")
        return unit

    def clean_cadre_id_number(self):
        number = self.cleaned_data["cadre_id_number"].strip().upper()
        if not number:
            self.cadre = None
            return ""
        cadre = scope_queryset(Cadre.objects.all(), self.actor).filter(id_number=number).first()
        if cadre is None:
            raise forms.ValidationError("在您的管理范围内没有这个身份证号的干部。")
        taken = User.objects.filter(cadre=cadre).exclude(pk=self.instance.pk).first()
        if taken:
            raise forms.ValidationError(f"这名干部已对应用户 {taken.username}。")
        self.cadre = cadre
        return number

    def clean(self):
        data = super().clean()
        if self.instance.pk and self.instance.pk == self.actor.pk:
            if set(data.get("roles") or []) != set(self.instance.roles.all()):
                self.add_error("roles", "不能修改自己的角色,请由其他管理员操作。")
            if not data.get("is_active", True):
                self.add_error("is_active", "不能停用自己的账号。")
        return data


class RoleForm(StyledForm, forms.ModelForm):
    permissions = forms.MultipleChoiceField(
        label="功能权限", required=False, widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Role
        fields = ["name", "code", "description", "data_scope", "units", "require_otp", "permissions"]
        help_texts = {"code": "英文字母、数字或连字符,创建后不能修改。"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["permissions"].choices = list(all_permissions().items())
        self.fields["units"] = UnitMultipleChoiceField(
            label="自定义单位", queryset=Unit.objects.order_by("path"), required=False,
            help_text="数据范围为“自定义”时生效:所选单位及其下级单位。",
            widget=forms.SelectMultiple(attrs={"size": 12}),
        )
        if self.instance.pk:
            self.fields["code"].disabled = True
        self.style()

    def clean(self):
        data = super().clean()
        if data.get("data_scope") == Role.Scope.CUSTOM and not data.get("units"):
            self.add_error("units", "数据范围为“自定义”时,请至少选择一个单位。")
        return data
