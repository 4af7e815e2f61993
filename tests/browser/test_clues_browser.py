"""A clue from intake to the cadre's written reply, in the browser."""

import re

from tests.browser.conftest import login


def _choose(page, select, pattern):
    value = page.locator(f"{select} option", has_text=re.compile(pattern)).first.get_attribute("value")
    page.select_option(select, value=value)


def _logout(page):
    page.click("button:has-text('退出')")
    page.wait_for_url("**/accounts/login/**")


def test_intake_reporter_inquiry_and_reply(page):
    login(page, "xinfang")
    page.goto("/clues/add/")
    _choose(page, "#id_source", r"^\s*来信$")
    page.fill("#id_received_on", "2026-11-20")
    _choose(page, "#id_unit", r"^\s*城厢区柳桥镇$")
    page.fill("#id_cadre_text", "李庆庆")
    _choose(page, "#id_category", r"^\s*奢靡之风$")
    page.fill("#id_summary", "浏览器测试:违规接受宴请")
    page.fill("#id_content", "反映其在农家乐接受辖区企业老板宴请。")
    page.fill("#id_reporter_name", "浏览器测试人")
    page.fill("#id_reporter_contact", "13900001111")
    page.click("button:has-text('登记')")
    page.wait_for_url(re.compile(r".*/clues/\d+/$"))
    clue_url = page.url
    assert "已登记线索" in page.content()
    # The reporter is revealed in place (htmx, under the Content Security Policy) and audited.
    page.click("button:has-text('查看反映人')")
    page.wait_for_selector("#reporter")
    assert "浏览器测试人" in page.inner_text("#reporter") and "审计日志" in page.inner_text("#reporter")
    _logout(page)

    login(page, "chengxiang")
    page.goto(clue_url)
    assert "浏览器测试人" not in page.content() and "仅信访室可见" in page.content()
    page.fill("textarea[name=questions]", "请说明是否接受过辖区企业老板宴请。")
    page.click("button:has-text('发出函询')")
    page.wait_for_selector("text=函询通知书")
    _logout(page)

    login(page, "ganbu", landing="**/")
    page.goto("/clues/my-inquiries/")
    page.click("text=待回复 >> xpath=ancestor::tr//a")
    page.wait_for_selector("text=需要说明的问题")
    assert "农家乐接受辖区企业老板宴请" not in page.content()  # the cadre sees the questions, not the clue
    page.fill("#id_text", "本人未接受宴请,特此说明。")
    page.click("button:has-text('提交书面说明')")
    page.wait_for_url("**/clues/my-inquiries/")
    assert "书面说明已提交" in page.content()
