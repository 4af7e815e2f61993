"""The demo cadre reports on their item with a file; the discipline secretary verifies the other."""

import re

from tests.browser.conftest import login


def _logout(page):
    page.click("button:has-text('退出')")
    page.wait_for_url("**/accounts/login/**")


def test_report_with_evidence_and_verify(page, tmp_path):
    evidence = tmp_path / "复查报告.pdf"
    evidence.write_bytes(b"%PDF-1.4 browser evidence")
    login(page, "ganbu", landing="**/")
    page.goto("/rectification/")
    page.click("text=村级工程项目招投标程序不规范")
    page.wait_for_url(re.compile(r".*/rectification/\d+/$"))
    page.fill("#id_text", "三个问题已全部整改,申请销号")
    page.set_input_files("#id_files", str(evidence))
    page.check("#id_sign_off")
    page.click("button:has-text('提交')")
    page.wait_for_selector("text=已报告整改进展")
    assert "复查报告.pdf" in page.content() and "待核实" in page.content()
    _logout(page)

    login(page, "tanhua", landing="**/")
    page.goto("/rectification/notifications/")
    page.goto("/rectification/?q=食堂")
    page.click("text=镇机关食堂超标准接待")
    page.click("button:has-text('核实,销号')")
    page.wait_for_selector("text=已核实销号")
    assert "已销号" in page.content()
