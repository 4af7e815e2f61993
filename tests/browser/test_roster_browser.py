"""What a user does with the roster, in a real browser."""

import re

import openpyxl

from .conftest import login


def test_district_user_browses_filters_and_opens_a_cadre(page):
    login(page, "chengxiang")
    tree = page.locator(".th-tree")
    assert tree.get_by_text("城厢区", exact=True).is_visible()
    assert tree.get_by_text("沙溪县").count() == 0  # another district is not even in the tree

    town = tree.locator("a").filter(has_text=re.compile("街道|镇")).first
    town_name = town.inner_text()
    town.click()
    page.wait_for_url("**unit=*")
    assert town_name in page.locator("h1").inner_text() or town_name in page.locator(".th-tree a.active").inner_text()
    count = int(re.search(r"共 (\d+) 人", page.locator("h1").inner_text()).group(1))
    assert count > 0

    page.check("#id_unit_head")
    page.click("text=筛选")
    page.wait_for_url("**unit_head=on*")
    rows = page.locator("table tbody tr")
    assert rows.count() >= 1
    for i in range(rows.count()):
        assert "一把手" in rows.nth(i).inner_text()

    rows.first.locator("a").first.click()
    page.wait_for_url("**/cadres/*/")
    assert page.get_by_text("任职经历").is_visible()
    assert page.get_by_text("现任").first.is_visible()
    assert re.search(r"\d{4}年\d{1,2}月", page.content())


def test_traditional_chinese_switch(page):
    login(page, "jiwei")
    page.click("text=繁體")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "zh-Hant"
    assert "幹部名冊" in page.content()
    page.click("text=簡體")  # the page, this label included, is in Traditional now
    page.wait_for_load_state()
    assert "干部名册" in page.content()


def test_export_then_import_back_through_the_worker(page, tmp_path):
    login(page, "cxzuzhi")  # the district's organisation department keeps its roster
    with page.expect_download() as download_info:
        page.click("text=导出当前结果")
    exported = tmp_path / "export.xlsx"
    download_info.value.save_as(exported)
    rows = openpyxl.load_workbook(exported).active.max_row - 2  # title and header rows

    page.click("text=导入名册")
    page.set_input_files("#id_file", str(exported))
    page.click("text=上传并校验")
    # Large enough for the background worker: the page polls until the preview is ready.
    page.wait_for_selector("text=确认导入", timeout=60000)
    assert "校验通过" in page.content()
    numbers = page.locator(".card-body .row .fs-4").all_inner_texts()
    assert numbers[:5] == [str(rows), "0", "0", str(rows), "0"]  # rows, new, updated, unchanged, errors

    page.click("button:has-text('确认导入')")
    page.wait_for_selector("text=导入完成", timeout=60000)
    assert "已导入" in page.content()


def test_bad_file_shows_every_error_and_writes_nothing(page, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["姓名", "身份证号", "工作单位", "职级"])
    sheet.append(["张三", "123", "城厢区", "副科级"])
    sheet.append(["李四", "320585197503010022", "沙溪县", "科长"])
    path = tmp_path / "bad.xlsx"
    workbook.save(path)

    login(page, "cxzuzhi")
    page.goto("/registry/import/")
    page.set_input_files("#id_file", str(path))
    page.click("text=上传并校验")
    page.wait_for_selector("text=没有写入任何数据")
    errors = page.locator("table.table-striped tbody tr").all_inner_texts()
    assert any("第2行" in e and "身份证号" in e for e in errors)
    assert any("第3行" in e and "工作单位" in e for e in errors)  # 沙溪县 is outside 城厢区
    assert any("第3行" in e and "职级" in e for e in errors)
    assert page.locator("text=确认导入").count() == 0
