"""Browser tests: Debian's Chromium driven by Playwright against a real `tanhua serve`.

The server runs with its worker on its own SQLite database holding the demo city, so these
tests run once per suite (skipped on the PostgreSQL run, which they would not exercise).
"""

import os
from pathlib import Path

import pytest

from tests.live import Server, env_for, run_tanhua

CHROMIUM = os.environ.get("TANHUA_CHROMIUM", "/usr/bin/chromium")
# Below this size an upload is processed at once; the demo roster export is larger, so it
# goes through the background worker and the progress bar.
SERVER_ENV = {"TANHUA_BACKGROUND_IMPORT_BYTES": "30000"}


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if Path(item.fspath).is_relative_to(here):
            item.add_marker(pytest.mark.browser)
            if os.environ.get("DATABASE_URL"):
                item.add_marker(pytest.mark.skip(reason="browser tests run once, on the SQLite run"))


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("browser-var")
    env = env_for(var_dir, SERVER_ENV)
    for args in (["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput", "-v0"], ["demo"]):
        run_tanhua(args, env, timeout=300)
    server = Server(var_dir, extra_env=SERVER_ENV)
    server.wait_ready()
    yield f"http://127.0.0.1:{server.port}"
    server.stop()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: CI must install Debian's chromium package")
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, site):
    context = browser.new_context(base_url=site, locale="zh-CN", accept_downloads=True)
    context.set_default_timeout(20000)
    page = context.new_page()
    # Every browser test doubles as a check of the Content Security Policy: a refused inline
    # script or style shows up as a console error.
    refused = []
    page.on("console", lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None)
    yield page
    context.close()
    assert not refused, f"the page broke the Content Security Policy: {refused}"


def login(page, username, password="Demo@2026", landing="**/registry/**"):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(landing)
