"""The demo's next 半月谈 round drawn in the browser: commitment, freeze, reveal, draw, verification."""

import re

from tests.browser.conftest import login


def _logout(page):
    page.click("button:has-text('退出')")
    page.wait_for_url("**/accounts/login/**")


def _next_round(page):
    page.goto("/talks/")
    page.click("text=清河市党政领导干部勤政廉政半月谈")
    page.click("tr:has-text('筹备中') >> a")
    page.wait_for_url(re.compile(r".*/talks/rounds/\d+/$"))
    return page.url


def test_a_round_drawn_by_the_office_and_the_group(page):
    login(page, "tanhua", landing="**/")
    round_url = _next_round(page)
    page.fill("input[name=value]", "浏览器里的秘密值2026")
    page.click("button:has-text('登记承诺')")
    page.wait_for_selector("text=承诺哈希已登记")
    _logout(page)

    login(page, "jiwei", landing="**/")
    page.goto(round_url)
    page.click("button:has-text('冻结候选名单')")
    page.wait_for_selector("text=候选名单已冻结")
    assert "名单哈希" in page.content() and "抽中概率" in page.content()
    page.fill("input[placeholder=开奖号码]", "7 1 4 0 9")
    page.click("button:has-text('录入')")
    page.wait_for_selector("text=已录入")
    assert page.locator("button:has-text('抽取')").last.is_disabled()  # the secretary has yet to reveal
    _logout(page)

    login(page, "tanhua", landing="**/")
    page.goto(round_url)
    page.fill("input[placeholder=冻结前登记的秘密值]", "浏览器里的秘密值2026")
    page.click("button:has-text('公布')")
    page.wait_for_selector("text=已录入")
    _logout(page)

    login(page, "jiwei", landing="**/")
    page.goto(round_url)
    page.click("button:has-text('抽取')")
    page.wait_for_selector("text=抽取完成")
    assert page.locator("text=通知书").count() == 5  # 1 designated + 4 drawn
    page.click("text=抽取公示与校验")
    page.wait_for_selector("text=如何自行校验")
    assert "随机抽中" in page.content() and "verify_draw.py" in page.content()
    with page.expect_download() as download:
        page.click("text=抽取记录(JSON)")
    assert download.value.suggested_filename.startswith("draw-")
    _logout(page)

    login(page, "ganbu", landing="**/")
    page.goto("/talks/mine/")
    upcoming = page.locator("table").first.inner_text()
    assert "城厢区纪委谈话室" in upcoming and "勤廉半月谈" in upcoming


def test_the_subject_hands_in_the_half_month_report(page):
    login(page, "ganbu", landing="**/")
    page.goto("/talks/mine/")
    page.click("table >> nth=0 >> tbody tr a")
    page.wait_for_selector("text=最近半个月每天的工作安排")
    inputs = page.locator("input[name^=day_]")
    assert inputs.count() == 15
    # The talk is still to come: the days up to today are filled, the rest are closed until then.
    open_days = page.locator("input[name^=day_]:not([disabled])")
    filled = open_days.count()
    assert 0 < filled < 15 and page.locator("input[name^=day_][disabled]").count() == 15 - filled
    for n in range(filled):
        open_days.nth(n).fill(f"第{n + 1}天:调研村级集体经济项目")
    page.fill("#id_after_hours", "周末陪伴家人\n晚上读书")
    page.fill("#id_integrity", "未收受礼品礼金")
    page.click("button:has-text('提交汇报')")
    page.wait_for_selector("text=汇报已提交")
    last = f"第{filled}天:调研村级集体经济项目"
    assert page.locator(f"input[name=day_{filled - 1}]").input_value() == last
    _logout(page)

    login(page, "chengxiang", landing="**/")
    page.goto("/talks/talks/")
    page.click("text=李庆庆")
    page.wait_for_selector("text=谈话准备")
    assert last in page.content() and "谈话提纲" in page.content()
