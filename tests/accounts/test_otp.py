"""TOTP second factor: enrolment, login with it, mandatory by role, reset by an administrator."""

import re

from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tanhua.accounts.models import LoginEvent, Role
from tanhua.audit.models import AuditEntry
from tests.conftest import PASSWORD


def token(device, steps_ahead=0):
    # A token for a later time step: django-otp refuses a token it has already accepted.
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=steps_ahead):06d}"


def _enrol(client):
    page = client.get(reverse("accounts:otp_setup"))
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html and "otp-secret" in html
    assert not TOTPDevice.objects.exists()  # the page writes nothing: the key waits in the session
    shown = TOTPDevice(key=client.session["otp_setup_key"])
    wrong = client.post(reverse("accounts:otp_setup"), {"token": "000000" if token(shown) != "000000" else "111111"})
    assert "动态口令不正确" in wrong.content.decode()
    device = TOTPDevice.objects.get(confirmed=False)
    assert device.key == shown.key
    assert "6 位数字" in client.post(reverse("accounts:otp_setup"), {"token": "12ab"}).content.decode()
    _unthrottle()
    assert client.post(reverse("accounts:otp_setup"), {"token": token(device)}).status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    return device


def _unthrottle():
    # django-otp makes the next try wait 1, 2, 4 ... seconds after each wrong token.
    TOTPDevice.objects.update(throttling_failure_count=0, throttling_failure_timestamp=None)


def _password_login(client, username):
    return client.post(reverse("login"), {"username": username, "password": PASSWORD})


def test_enrol_then_every_login_asks_for_the_token(client, make_user):
    user = make_user("cx", "CX")
    client.force_login(user)
    device = _enrol(client)
    assert client.get(reverse("registry:roster")).status_code == 200  # verified in this session
    assert AuditEntry.objects.filter(action="otp", object_id=str(user.pk)).exists()
    client.post(reverse("logout"))

    assert _password_login(client, "cx").status_code == 302
    roster = client.get(reverse("registry:roster"))
    assert roster.status_code == 302 and roster.url.startswith(reverse("accounts:otp_verify"))
    bad = client.post(reverse("accounts:otp_verify"), {"token": "000000" if token(device, 1) != "000000" else "1"})
    assert "动态口令不正确" in bad.content.decode()
    assert LoginEvent.objects.filter(kind="otp_failure", username="cx").exists()
    throttled = client.post(reverse("accounts:otp_verify"), {"token": token(device, 1)})
    assert "错误次数过多" in throttled.content.decode()
    _unthrottle()
    ok = client.post(reverse("accounts:otp_verify") + "?next=/registry/", {"token": token(device, 1), "next": "/registry/"})
    assert ok.status_code == 302 and ok.url == "/registry/"
    assert client.get(reverse("registry:roster")).status_code == 200


def test_verify_refuses_open_redirects(client, make_user):
    user = make_user("cx", "CX")
    client.force_login(user)
    device = _enrol(client)
    client.post(reverse("logout"))
    _password_login(client, "cx")
    ok = client.post(reverse("accounts:otp_verify"), {"token": token(device, 1), "next": "https://evil.example/"})
    assert ok.status_code == 302 and not ok.url.startswith("https://evil")


def test_a_role_can_make_the_second_factor_mandatory(client, make_user):
    Role.objects.filter(code="staff").update(require_otp=True)
    make_user("cx", "CX", ["staff"])
    _password_login(client, "cx")
    response = client.get(reverse("registry:roster"))
    assert response.status_code == 302 and response.url == reverse("accounts:otp_setup")
    assert "角色要求" in client.get(reverse("accounts:otp_setup")).content.decode()
    _enrol(client)
    assert client.get(reverse("registry:roster")).status_code == 200
    # Mandatory means the user cannot switch it off.
    client.post(reverse("accounts:otp_remove"))
    assert TOTPDevice.objects.filter(confirmed=True).count() == 1


def test_user_can_remove_an_optional_second_factor(client, make_user):
    client.force_login(make_user("cx", "CX"))
    _enrol(client)
    assert "已启用" in client.get(reverse("accounts:security")).content.decode()
    client.post(reverse("accounts:otp_remove"))
    assert not TOTPDevice.objects.exists()


def test_administrator_resets_a_lost_device(client, make_user):
    user = make_user("cx", "CX")
    client.force_login(user)
    _enrol(client)
    admin = make_user("admin", None, ["admin"])
    client.force_login(admin)
    page = client.get(reverse("accounts:user_edit", args=[user.pk])).content.decode()
    assert "清除动态口令" in page
    client.post(reverse("accounts:user_otp_reset", args=[user.pk]))
    assert not TOTPDevice.objects.filter(user=user).exists()
    entry = AuditEntry.objects.filter(action="otp").order_by("-seq").first()
    assert entry.username == "admin" and entry.summary["action"] == "reset"


def test_setup_page_secret_matches_the_device(client, make_user):
    client.force_login(make_user("cx", "CX"))
    html = client.get(reverse("accounts:otp_setup")).content.decode()
    secret = re.search(r'id="otp-secret">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    from base64 import b32encode

    assert b32encode(TOTPDevice(key=client.session["otp_setup_key"]).bin_key).decode().rstrip("=") == secret
