"""Login, lockout, the login log, forced and expired passwords, idle sessions."""

import datetime
import time

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from tanhua.accounts.models import LoginEvent
from tanhua.audit.models import AuditEntry
from tests.conftest import PASSWORD

LOGIN = "/accounts/login/"
UA = "Mozilla/5.0 (Windows NT 10.0) 测试浏览器"


def _login(client, username, password=PASSWORD, address="10.1.2.3"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address,
                       HTTP_USER_AGENT=UA)


def test_login_logout_and_failure_are_logged(client, make_user):
    user = make_user("cx", "CX")
    assert _login(client, "cx", "wrong").status_code == 200
    assert _login(client, "nobody", "wrong").status_code == 200
    response = _login(client, "cx")
    assert response.status_code == 302
    client.post(reverse("logout"), REMOTE_ADDR="10.1.2.3")
    events = list(LoginEvent.objects.order_by("id").values_list("kind", "username", "user", "address", "user_agent"))
    assert events == [
        ("failure", "cx", user.pk, "10.1.2.3", UA),
        ("failure", "nobody", None, "10.1.2.3", UA),
        ("success", "cx", user.pk, "10.1.2.3", UA),
        ("logout", "cx", user.pk, "10.1.2.3", ""),
    ]


def test_failure_message_is_chinese(client, make_user):
    make_user("cx", "CX")
    html = _login(client, "cx", "wrong").content.decode()
    assert "用户名或密码不正确" in html and "锁定 15 分钟" in html


def test_five_failures_lock_the_user_name_even_with_the_right_password(client, make_user):
    make_user("cx", "CX")
    for n in range(5):
        # Different addresses: the lockout is by user name too, not only by address.
        _login(client, "cx", "wrong", address=f"10.0.0.{n}")
    response = _login(client, "cx", address="10.0.0.99")
    assert response.status_code == 429
    assert "已被锁定 15 分钟" in response.content.decode()
    assert LoginEvent.objects.filter(kind="locked", username="cx").exists()
    assert "_auth_user_id" not in client.session


def test_five_failures_lock_the_address_for_every_user_name(client, make_user):
    make_user("cx", "CX")
    for n in range(5):
        _login(client, f"guess{n}", "wrong", address="10.9.9.9")
    assert _login(client, "cx", address="10.9.9.9").status_code == 429
    assert _login(client, "cx", address="10.9.9.10").status_code == 302  # another address is fine


def test_lockout_ends_after_the_cool_off(client, make_user, settings):
    make_user("cx", "CX")
    for _ in range(5):
        _login(client, "cx", "wrong")
    assert _login(client, "cx").status_code == 429
    from axes.models import AccessAttempt

    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    assert _login(client, "cx").status_code == 302


def test_administrator_sees_and_lifts_a_lockout(client, make_user):
    make_user("cx", "CX")
    admin = make_user("admin", None, ["admin"])
    for _ in range(5):
        _login(client, "cx", "wrong", address="10.7.7.7")
    admin_client = type(client)()
    admin_client.force_login(admin)
    page = admin_client.get(reverse("accounts:lockouts")).content.decode()
    assert "cx" in page and "已锁定" in page and "10.7.7.7" in page
    users_page = admin_client.get(reverse("accounts:users")).content.decode()
    assert "已锁定" in users_page
    admin_client.post(reverse("accounts:lockout_lift"), {"username": "cx"})
    admin_client.post(reverse("accounts:lockout_lift"), {"address": "10.7.7.7"})
    assert _login(client, "cx", address="10.7.7.7").status_code == 302
    lifted = AuditEntry.objects.filter(action="unlock").order_by("seq")
    assert [e.object_repr for e in lifted] == ["cx", "10.7.7.7"] and lifted[0].username == "admin"


def test_district_administrator_cannot_lift_other_districts_or_addresses(client, make_user, roles):
    from tanhua.accounts.models import Role

    district_admin_role = Role.objects.create(code="cx-admin", name="区管理员", data_scope="subtree",
                                              permissions=["accounts.view", "accounts.change"])
    make_user("sx", "SX")
    admin = make_user("cxadmin", "CX", ["cx-admin"])
    assert district_admin_role in admin.roles.all()
    for _ in range(5):
        _login(client, "sx", "wrong", address="10.6.6.6")
    client.force_login(admin)
    assert "<td>sx</td>" not in client.get(reverse("accounts:lockouts")).content.decode()
    assert client.post(reverse("accounts:lockout_lift"), {"username": "sx"}).status_code == 403
    assert client.post(reverse("accounts:lockout_lift"), {"address": "10.6.6.6"}).status_code == 403
    client.force_login(make_user("admin", None, ["admin"]))  # a full-scope administrator does see it
    assert "<td>sx</td>" in client.get(reverse("accounts:lockouts")).content.decode()


def test_first_login_forces_a_password_change(client, make_user):
    make_user("new", "CX", password_changed=False)
    response = _login(client, "new")
    assert response.status_code == 302
    # Every page sends them to the change form until they have changed it.
    roster = client.get(reverse("registry:roster"))
    assert roster.status_code == 302 and roster.url == reverse("accounts:password")
    page = client.get(reverse("accounts:password")).content.decode()
    assert "管理员为您设置的密码" in page
    # Rules apply: the same password, or a weak one, is refused with a Chinese message.
    same = client.post(reverse("accounts:password"), {"old_password": PASSWORD, "new_password1": PASSWORD,
                                                      "new_password2": PASSWORD})
    assert "不能与当前密码相同" in same.content.decode()
    weak = client.post(reverse("accounts:password"), {"old_password": PASSWORD, "new_password1": "abcdefgh",
                                                      "new_password2": "abcdefgh"})
    assert "至少3类(现有1类)" in weak.content.decode()
    done = client.post(reverse("accounts:password"), {"old_password": PASSWORD, "new_password1": "Qinghe#2027",
                                                      "new_password2": "Qinghe#2027"})
    assert done.status_code == 302
    assert client.get(reverse("registry:roster")).status_code == 200  # still logged in, now through
    assert AuditEntry.objects.filter(action="password", username="new").exists()


def test_expired_password_must_be_changed(client, make_user, settings):
    user = make_user("old", "CX")
    user.password_changed_at = timezone.now() - datetime.timedelta(days=91)
    user.save()
    client.force_login(user)
    assert client.get(reverse("registry:roster")).url == reverse("accounts:password")
    assert "超过 90 天" in client.get(reverse("accounts:password")).content.decode()
    settings.TANHUA_PASSWORD_MAX_AGE_DAYS = 0  # expiry switched off
    assert client.get(reverse("registry:roster")).status_code == 200
    settings.TANHUA_PASSWORD_MAX_AGE_DAYS = 120
    assert client.get(reverse("registry:roster")).status_code == 200


def test_idle_session_ends(client, make_user, settings):
    client.force_login(make_user("cx", "CX"))
    assert client.get(reverse("registry:roster")).status_code == 200
    session = client.session
    session["seen"] = int(time.time()) - settings.SESSION_COOKIE_AGE - 5
    session.save()
    response = client.get(reverse("registry:roster"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert client.get(reverse("registry:roster")).status_code == 302  # logged out for good
    assert "_auth_user_id" not in client.session


def test_session_expiry_is_renewed_by_activity_and_stored(client, make_user, settings):
    client.force_login(make_user("cx", "CX"))
    client.get(reverse("registry:roster"))
    stored = Session.objects.get(session_key=client.session.session_key)
    remaining = (stored.expire_date - timezone.now()).total_seconds()
    assert settings.SESSION_COOKIE_AGE - 120 < remaining <= settings.SESSION_COOKIE_AGE
    # An expired stored session is no session at all.
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get(reverse("registry:roster")).status_code == 302


def test_session_cookie_settings(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE and settings.SESSION_COOKIE_HTTPONLY


@pytest.mark.parametrize("path", ["/registry/", "/accounts/users/"])
def test_anonymous_users_are_sent_to_login(client, path, tree):
    response = client.get(path)
    assert response.status_code == 302 and response.url.startswith(LOGIN)
