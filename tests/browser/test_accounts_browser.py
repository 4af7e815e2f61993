"""An administrator creates a user; the user changes the password, enrols TOTP and logs in with it."""

import base64
import re

from django_otp.oath import totp

from tests.browser.conftest import login


def _token(secret, steps_ahead=0):
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key, drift=steps_ahead):06d}"


def _logout(page):
    page.click("button:has-text('退出')")
    page.wait_for_url("**/accounts/login/**")


def test_new_user_from_creation_to_second_factor(page):
    login(page, "admin", landing="**/accounts/users/**")
    assert "干部名册" not in page.locator("nav.th-navbar").inner_text()  # no case data for the administrator
    page.click("text=系统管理")  # Bootstrap's dropdown: its script runs under the policy
    page.click("text=角色与权限")
    assert "信访室" in page.content() and "查看举报人身份" in page.content()

    page.goto("/accounts/users/add/")
    page.fill("#id_username", "wangwu")
    page.fill("#id_full_name", "王五")
    district = page.locator("#id_unit option", has_text=re.compile(r"^\s*清河市城厢区$")).get_attribute("value")
    page.select_option("#id_unit", value=district)
    page.check("label:has-text('纪委工作人员') >> xpath=preceding-sibling::input")
    page.fill("#id_password", "Start#2026")
    page.click("button:has-text('保存')")
    page.wait_for_url("**/accounts/users/")
    assert "待改初始密码" in page.content()
    _logout(page)

    login(page, "wangwu", "Start#2026", landing="**/accounts/password/**")
    assert "管理员为您设置的密码" in page.content()
    page.fill("#id_old_password", "Start#2026")
    page.fill("#id_new_password1", "Qinghe#2027x")
    page.fill("#id_new_password2", "Qinghe#2027x")
    page.click("button:has-text('修改密码')")
    page.wait_for_url("**/registry/**")

    page.goto("/accounts/security/")
    page.click("text=启用动态口令")
    page.wait_for_url("**/accounts/otp/setup/**")
    assert page.locator(".th-qr svg").count() == 1
    secret = page.inner_text("#otp-secret").replace(" ", "")
    page.fill("#id_token", _token(secret))
    page.click("button:has-text('启用')")
    page.wait_for_url("**/registry/**")
    _logout(page)

    login(page, "wangwu", "Qinghe#2027x", landing="**/accounts/otp/verify/**")
    page.fill("#id_token", _token(secret, 1))  # the next step: a token is accepted only once
    page.click("button:has-text('验证')")
    page.wait_for_url("**/registry/**")
    assert "王五" in page.locator("nav.th-navbar").inner_text()
