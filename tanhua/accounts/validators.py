"""Password rules as 等保 level 3 practice asks for them."""

from django.core.exceptions import ValidationError

CLASSES = [
    ("大写字母", str.isupper),
    ("小写字母", str.islower),
    ("数字", str.isdigit),
    ("符号", lambda ch: ch.isascii() and not ch.isalnum() and not ch.isspace()),
]


class CharacterClassesValidator:
    """At least ``minimum`` of: upper case, lower case, digits, symbols."""

    def __init__(self, minimum=3):
        self.minimum = minimum

    def validate(self, password, user=None):
        present = [name for name, test in CLASSES if any(test(ch) for ch in password)]
        if len(present) < self.minimum:
            raise ValidationError(
                f"密码须包含大写字母、小写字母、数字、符号中的至少{self.minimum}类(现有{len(present)}类)",
                code="password_too_simple",
            )

    def get_help_text(self):
        return f"至少包含大写字母、小写字母、数字、符号中的{self.minimum}类"


class NotContainingUsernameValidator:
    """The password may not contain the user name, in any letter case."""

    def validate(self, password, user=None):
        username = getattr(user, "username", "") or ""
        if len(username) >= 3 and username.lower() in password.lower():
            raise ValidationError("密码不能包含用户名", code="password_contains_username")

    def get_help_text(self):
        return "不能包含用户名"


class MinimumLengthValidator:
    """At least ``min_length`` characters (Django's own message has no Chinese translation)."""

    def __init__(self, min_length=8):
        self.min_length = min_length

    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(f"密码至少{self.min_length}个字符(现有{len(password)}个)", code="password_too_short")

    def get_help_text(self):
        return f"至少{self.min_length}个字符"
