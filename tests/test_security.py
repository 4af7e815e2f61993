"""Security headers, the Content Security Policy and Django's deployment checks."""

import re
import secrets
from pathlib import Path

import pytest
from django.urls import reverse

from tests.live import env_for, run_tanhua

TEMPLATES = sorted(Path(__file__).resolve().parent.parent.joinpath("tanhua").rglob("templates/**/*.html"))


def test_headers_on_the_login_page(client, db):
    response = client.get(reverse("login"))
    csp = response["Content-Security-Policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'",
                      "object-src 'none'", "form-action 'self'"):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


def test_pages_about_people_are_not_cached(client, make_user):
    client.force_login(make_user("cx", "CX"))
    assert client.get(reverse("registry:roster"))["Cache-Control"] == "no-store"


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p).split("tanhua/", 1)[-1])
def test_templates_have_no_inline_script_or_style(template):
    # The policy forbids them; a template that used one would break silently in the browser.
    text = template.read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), "inline <script>"
    assert not re.search(r"<style\b", text), "inline <style>"
    assert not re.search(r"\sstyle=", text), "style attribute"
    assert not re.search(r"\son[a-z]+=", text), "event handler attribute"
    assert "hx-on" not in text


def _production_env(tmp_path, **extra):
    return env_for(tmp_path, {
        "TANHUA_DEBUG": "0",
        "TANHUA_SECRET_KEY": secrets.token_urlsafe(50),
        "TANHUA_ALLOWED_HOSTS": "tanhua.jw.qinghe.gov.cn",
        **extra,
    })


def test_deploy_checks_are_clean_under_production_settings(tmp_path):
    from tanhua.crypto import new_key

    env = _production_env(tmp_path, TANHUA_HTTPS="1", TANHUA_FIELD_KEY=new_key())
    result = run_tanhua(["check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_checks_catch_plain_http(tmp_path):
    # The same check fails without HTTPS: the test above could fail.
    result = run_tanhua(["check", "--deploy", "--fail-level", "WARNING"], _production_env(tmp_path), check=False)
    assert result.returncode != 0
    assert "SESSION_COOKIE_SECURE" in result.stderr + result.stdout
    assert "tanhua.W001" in result.stderr + result.stdout  # and the field key kept beside the data
