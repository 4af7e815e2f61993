"""Password rules and hashing (等保 level 3): 8+ characters, 3 of 4 classes, no user name."""

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.utils import translation

from tanhua.accounts.models import User


@pytest.mark.parametrize("password", ["Demo@2026", "qhJiwei27", "abc12345!", "ABCD-1234", "清河Aa1!xy"])
def test_good_passwords(password):
    validate_password(password, User(username="chengxiang"))


@pytest.mark.parametrize(
    "password, message",
    [
        ("Ab1!", "至少8个字符"),
        ("abcdefgh1", "至少3类"),
        ("ABCDEFGH!", "至少3类"),
        ("12345678!", "至少3类"),
        ("Chengxiang1!", "不能包含用户名"),
        ("Password1!", "太常见"),  # on Django's list of common passwords
    ],
)
def test_bad_passwords_are_refused_with_a_chinese_reason(password, message):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        validate_password(password, User(username="chengxiang"))
    assert message in " ".join(exc.value.messages)


@pytest.mark.django_db
def test_passwords_are_stored_with_argon2(settings):
    user = User.objects.create_user("zhangsan", password="Demo@2026")
    assert user.password.startswith("argon2$argon2id$")
    assert authenticate(RequestFactory().post("/accounts/login/"), username="zhangsan", password="Demo@2026") == user
