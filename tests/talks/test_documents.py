"""The talk documents: docxtpl templates, administrators' replacements, broken ones, and PDF."""

import datetime
import io
import re
import shutil

import docx
import pytest
from django.utils import timezone

from tanhua.talks import doccontext, documents, outline
from tanhua.talks.documents import DocumentTemplateError

NOTICE = {
    "addressee": "张三同志", "issuer": "清河市", "programme": "清河市勤廉半月谈", "kind": "勤廉半月谈",
    "date_cn": "2026年12月10日", "weekday": "四", "time": "09:00", "place": "勤廉文化研究所<三楼>&会议室",
    "lead": "顾金泉", "agenda": [{"title": "汇报", "minutes": 20}, {"title": "提问交流", "minutes": 40}],
    "report_text": "请于2026年12月7日前通过系统提交书面汇报:最近半个月每天的工作安排。", "issued_cn": "2026年11月22日",
}

OUTLINE = {
    "subject": "张三", "unit": "清河市城乡建设局", "post": "副局长", "unit_post": "清河市城乡建设局副局长", "kind": "廉政谈话", "date_cn": "2026年12月10日",
    "lead": "顾金泉", "flags": ["同一职务任职5年以上(6.2年)", "分管工程建设领域"],
    "problems": [{"n": 1, "source": "12345热线", "received_cn": "2026年3月1日", "category": "廉洁纪律",
                  "summary": "反映其在项目验收中收受施工方礼金 & 购物卡"}],
    "outline": "(一)了解分管领域廉政风险防控情况\n\n  1.询问项目验收中是否存在<违规>行为  \n(二)提出整改要求",
    "prepared_by": "李四", "prepared_cn": "2026年12月5日",
}


def half_month_report(**changes):
    days = [{"date_cn": f"11月{20 + n}日" if n < 11 else f"12月{n - 10}日", "weekday": "一二三四五六日"[(n + 4) % 7],
             "work": f"第{n + 1}天:召开项目调度会"} for n in range(15)]
    return {
        "subject": "张三", "unit": "清河市城乡建设局", "post": "副局长", "unit_post": "清河市城乡建设局副局长",
        "kind_label": "半月工作汇报",
        "half_month": True, "period": "2026年11月20日至12月4日", "days": days,
        "after_hours": ["读书、散步", "周末陪家人 & 看望老人"], "integrity": ["未收受礼品礼金", "未参加<宴请>"],
        "text": "", "submitted_cn": "2026年12月6日", "late": False, **changes,
    }


RECORD = {
    "subject": "张三", "unit": "清河市城乡建设局", "post": "副局长", "unit_post": "清河市城乡建设局副局长",
    "kind": "诫勉谈话", "date_cn": "2026年12月10日",
    "start": "09:00", "end": "10:05", "place": "勤廉文化研究所", "lead": "顾金泉", "present": ["王五", "赵六"],
    "recorder": "李四", "agenda": [{"title": "汇报", "minutes": 20}, {"title": "提问交流", "minutes": 40}],
    "entries": [{"kind_label": "问", "text": "项目验收中有没有收受礼金?"},
                {"kind_label": "答", "text": "没有。A<B & C的说法不属实。"}],
    "problems": ["对分管领域监管不力"], "requirements": ["30日内提交整改报告"], "disclosures": [],
    "influence": "影响期6个月,自2026年12月10日至2027年6月9日", "appointment": "",
    "confirmation": "谈话对象已于2026年12月11日确认",
}

ROUND_LIST = {
    "title": "清河市勤廉半月谈第3批谈话安排", "programme": "勤廉半月谈", "date_cn": "2026年12月10日",
    "place": "勤廉文化研究所",
    "rows": [{"n": 1, "time": "09:00", "subject": "张三", "unit": "城乡建设局", "post": "副局长", "origin": "随机抽取",
              "lead": "顾金泉"},
             {"n": 2, "time": "10:00", "subject": "李四", "unit": "R&D中心", "post": "主任", "origin": "指定",
              "lead": "王五"}],
    "note": "抽取记录哈希 ab12cd34",
}


def paragraphs(out):
    assert out.tell() == 0
    return [p.text for p in docx.Document(out).paragraphs]


def table_rows(document_bytes, index=0):
    table = docx.Document(io.BytesIO(document_bytes)).tables[index]
    return [[cell.text for cell in row.cells] for row in table.rows]


def test_the_five_templates_are_listed_and_exist():
    names = documents.template_names()
    assert [name for name, _ in names] == ["notice", "outline", "report", "record", "round_list"]
    assert dict(names)["record"] == "谈话记录"
    for name, _ in names:
        assert documents.template_path(name).is_file() and not documents.is_overridden(name)
    with pytest.raises(DocumentTemplateError):
        documents.template_path("../secret")


def test_notice():
    text = paragraphs(documents.render("notice", NOTICE))
    assert text[0] == "谈话通知书" and "张三同志:" in text
    assert ("根据清河市勤廉半月谈工作安排,定于2026年12月10日(星期四)09:00在勤廉文化研究所<三楼>&会议室"
            "与你进行勤廉半月谈,由顾金泉同志主谈。") in text
    assert "谈话安排:汇报20分钟,提问交流40分钟。" in text
    assert NOTICE["report_text"] in text and text[-2:] == ["清河市", "2026年11月22日"]
    assert not any("{" in line for line in text)


def test_notice_leaves_out_what_is_not_there():
    text = paragraphs(documents.render("notice", {**NOTICE, "lead": "", "agenda": [], "report_text": "", "place": ""}))
    joined = "\n".join(text)
    assert "在另行通知的地点与你进行勤廉半月谈。" in joined
    assert "主谈" not in joined and "谈话安排" not in joined and "提交" not in joined
    assert "" not in text[2:4]  # no empty paragraph where a left-out paragraph was


def test_outline():
    text = paragraphs(documents.render("outline", OUTLINE))
    assert "谈话提纲" in text and "谈话对象:张三" in text and "单位职务:清河市城乡建设局副局长" in text
    # Items under a 一、 heading are (一)(二), the next level of an official document.
    assert "一、需要关注的情况" in text and "(一)同一职务任职5年以上(6.2年)" in text and "(二)分管工程建设领域" in text
    assert "二、反映的问题" in text
    assert "(一)2026年3月1日12345热线反映(廉洁纪律):反映其在项目验收中收受施工方礼金 & 购物卡" in text
    start = text.index("三、谈话要点")
    assert text[start + 1:start + 4] == ["(一)了解分管领域廉政风险防控情况", "1.询问项目验收中是否存在<违规>行为",
                                         "(二)提出整改要求"]
    assert "拟稿人:李四" in text


def test_outline_numbers_headings_without_gaps():
    text = paragraphs(documents.render("outline", {**OUTLINE, "flags": [], "lead": ""}))
    assert "需要关注的情况" not in "".join(text) and "主 谈 人" not in "".join(text)
    assert "一、反映的问题" in text and "二、谈话要点" in text


def test_half_month_report_has_a_row_a_day():
    out = documents.render("report", half_month_report())
    text = paragraphs(out)
    assert text[0] == "半月工作汇报" and "汇报期间:2026年11月20日至12月4日" in text
    assert "一、每天的工作安排" in text and "(二)周末陪家人 & 看望老人" in text and "(二)未参加<宴请>" in text
    assert "注:本汇报逾期提交。" not in text
    rows = table_rows(out.getvalue())
    assert rows[0] == ["日期", "星期", "工作安排"] and len(rows) == 16
    assert rows[1] == ["11月20日", "五", "第1天:召开项目调度会"] and rows[15][0] == "12月4日"


def test_other_report_is_free_text_in_paragraphs():
    out = documents.render("report", half_month_report(
        kind_label="党建工作汇报", half_month=False, days=[], after_hours=[], integrity=[], late=True,
        text="一、履行党建工作责任制情况\n本单位落实“第一责任人”职责 & 制度<建设>\n二、下一步打算"))
    text = paragraphs(out)
    assert text[0] == "党建工作汇报" and "每天的工作安排" not in "".join(text)
    start = text.index("一、履行党建工作责任制情况")
    assert text[start + 1:start + 3] == ["本单位落实“第一责任人”职责 & 制度<建设>", "二、下一步打算"]
    assert "注:本汇报逾期提交。" in text and not docx.Document(out).tables


def test_record():
    out = documents.render("record", RECORD)
    text = paragraphs(out)
    assert text[0] == "谈话记录"
    assert "一、谈话议程" in text and "(一)汇报(20分钟)" in text and "二、谈话内容" in text
    assert "问:项目验收中有没有收受礼金?" in text and "答:没有。A<B & C的说法不属实。" in text
    assert "三、指出的问题" in text and "四、提出的要求" in text and "谈话对象说明的情况" not in "".join(text)
    assert "五、其他事项" in text and "影响期6个月,自2026年12月10日至2027年6月9日。" in text
    assert "谈话对象已于2026年12月11日确认。" in text
    cells = [cell for row in table_rows(out.getvalue()) for cell in row]
    assert "张三" in cells and "清河市城乡建设局副局长" in cells and "2026年12月10日 09:00至10:05" in cells
    assert "王五、赵六" in cells and "李四" in cells


def test_round_list_has_a_row_a_talk():
    out = documents.render("round_list", ROUND_LIST)
    text = paragraphs(out)
    assert text[0] == "清河市勤廉半月谈第3批谈话安排" and "谈话地点:勤廉文化研究所" in text
    assert "注:抽取记录哈希 ab12cd34" in text
    rows = table_rows(out.getvalue())
    assert rows == [["序号", "时间", "谈话对象", "单位", "职务", "确定方式", "主谈人"],
                    ["1", "09:00", "张三", "城乡建设局", "副局长", "随机抽取", "顾金泉"],
                    ["2", "10:00", "李四", "R&D中心", "主任", "指定", "王五"]]
    assert "注:" not in "".join(paragraphs(documents.render("round_list", {**ROUND_LIST, "note": ""})))


def _docx_with(*lines):
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_replacement_template_is_used(settings, tmp_path):
    settings.TANHUA_DOC_TEMPLATE_DIR = tmp_path
    (tmp_path / "notice.docx").write_bytes(_docx_with("本单位自己的通知", "{{ addressee }}:请于{{ date_cn }}到{{ place }}。"))
    assert documents.template_path("notice") == tmp_path / "notice.docx" and documents.is_overridden("notice")
    assert not documents.is_overridden("record")
    text = paragraphs(documents.render("notice", NOTICE))
    assert text == ["本单位自己的通知", "张三同志:请于2026年12月10日到勤廉文化研究所<三楼>&会议室。"]
    assert documents.check("notice", (tmp_path / "notice.docx").read_bytes()) is None


def test_the_default_override_directory_is_under_var(settings, tmp_path):
    del settings.TANHUA_DOC_TEMPLATE_DIR
    settings.VAR_DIR = tmp_path
    assert documents.override_dir() == tmp_path / "doc_templates"
    (tmp_path / "doc_templates").mkdir()
    (tmp_path / "doc_templates" / "outline.docx").write_bytes(_docx_with("{{ subject }}的提纲"))
    assert paragraphs(documents.render("outline", OUTLINE)) == ["张三的提纲"]


@pytest.mark.parametrize("content", [_docx_with("谈话记录", "{{ unclosed"), b"not a word document",
                                     _docx_with("{%p for x in entries %}", "{{ x.text }}")])
def test_a_broken_replacement_is_reported_by_name(settings, tmp_path, content):
    settings.TANHUA_DOC_TEMPLATE_DIR = tmp_path
    (tmp_path / "record.docx").write_bytes(content)
    with pytest.raises(DocumentTemplateError, match=r"文书模板 record\.docx 有误"):
        documents.render("record", RECORD)
    with pytest.raises(DocumentTemplateError, match=r"record\.docx"):
        documents.check("record", content)


def test_pdf_needs_libreoffice(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(DocumentTemplateError, match="未安装 LibreOffice"):
        documents.to_pdf(documents.render("notice", NOTICE).getvalue())


@pytest.mark.skipif(not (shutil.which("soffice") or shutil.which("libreoffice")), reason="LibreOffice not installed")
def test_pdf_by_libreoffice():
    pdf = documents.to_pdf(documents.render("round_list", ROUND_LIST))
    assert pdf.startswith(b"%PDF")


@pytest.mark.django_db
def test_notice_of_a_talk(programme, cadres):
    from tanhua.talks import services
    from tanhua.talks.models import Talk

    from .conftest import open_inputs, round_ready

    round_ = round_ready(programme)
    services.designate(programme.staff, round_, cadre=cadres[1], reason="舆情")
    services.freeze(programme.staff, round_)
    open_inputs(round_)
    services.perform_draw(programme.staff, round_)
    talk = Talk.objects.get(cadre=cadres[1])
    text = paragraphs(documents.notice(talk))
    joined = "\n".join(text)
    assert text[0] == "谈话通知书" and "对象1同志:" in text
    assert "2026年12月10日(星期四)09:00在勤廉文化研究所与你进行勤廉半月谈" in joined
    assert "谈话安排:汇报20分钟,提问交流40分钟。" in text
    assert "每天的工作安排" in joined and "2026年12月7日" in joined


# A place name said twice in a row: 清河市清河市, 城厢区城厢区.
DOUBLED = re.compile(r"([\u4e00-\u9fff]{2,}?[省市区县镇])\1")


def test_notice_from_a_talk_says_each_place_once_and_whom_to_call(talk, tree, make_user, make_cadre):
    programme = talk.programme
    programme.name, programme.contact_name, programme.contact_phone = "清河市党政领导干部勤政廉政半月谈", "周立新", "0512-53512345"
    programme.save()
    text = "\n".join(paragraphs(documents.notice(talk)))
    assert "根据清河市党政领导干部勤政廉政半月谈工作安排" in text and not DOUBLED.search(text)
    assert "联系人:周立新,联系电话:0512-53512345。" in text
    # Issued and signed by the commission that runs the programme, not by the place (清河市).
    assert "中共清河市纪律检查委员会" in text and "\n清河市\n" not in text

    # A district's programme named after the district, the district's name carrying the city's.
    district = tree["CX"]
    district.name = "清河市城厢区"
    district.save()
    programme.unit, programme.name = district, "城厢区勤廉半月谈"
    programme.save()
    text = "\n".join(paragraphs(documents.notice(talk)))
    assert "根据清河市城厢区勤廉半月谈工作安排" in text and not DOUBLED.search(text)

    # No contact on the programme: whoever sends the notice, with their phone; nobody: no line at all.
    programme.contact_name = programme.contact_phone = ""
    programme.save()
    sender = make_user("sender", "CX", ["staff"], cadre=make_cadre("CX", name="陆晓东", phone="13912345678"))
    sender.full_name = "陆晓东"
    sender.save()
    assert "联系人:陆晓东,联系电话:13912345678。" in paragraphs(documents.notice(talk, sender=sender))
    assert not any("联系" in line for line in paragraphs(documents.notice(talk)))


def test_unit_and_post_say_the_place_once(talk, tree):
    district = tree["CX"]
    district.name = "清河市城厢区"
    district.save()
    talk.unit, talk.subject_post = district, "区委副书记、区长"
    context = doccontext.outline(talk, [], "李四")
    assert context["unit_post"] == "清河市城厢区委副书记、区长"
    text = paragraphs(documents.render("outline", context))
    assert "单位职务:清河市城厢区委副书记、区长" in text and not DOUBLED.search("\n".join(text))


def test_outline_docx_nests_the_outline_under_its_own_heading(talk):
    # The draft numbers its sections 一、 二、; under the document's 谈话要点 heading they become (一) (二),
    # and their items 1. 2., never a second 一、 inside the document's 二、 or 三、.
    talk.outline = outline.draft(outline.Subject("甲", "城厢街道"), [("12345热线", "2026年3月1日", "公车私用")],
                                 [outline.Template("廉洁自律", ("遵守八项规定情况", "生活圈交友圈情况"))])
    text = paragraphs(documents.render("outline", doccontext.outline(talk, [], "李四")))
    start = text.index(next(line for line in text if line.endswith("谈话要点")))
    body = text[start + 1:start + 8]
    assert body == ["(一)需要说明的问题(逐条请本人说明情况):", "1.公车私用(来源:12345热线,2026年3月1日)",
                    "(二)廉洁自律:", "1.遵守八项规定情况", "2.生活圈交友圈情况",
                    "(三)提出要求:针对谈话中指出的问题,明确整改措施和时限,按期报告整改情况。", ""]
    assert not any(re.match(r"[一二三四五六七八九十]+、", line) for line in text[start + 1:])


def test_a_rounds_talks_keep_out_of_lunch_and_the_evening(talk):
    # Five talks of 60 minutes (and 10 between): two in the morning (11:20 would end at 12:20),
    # three in the afternoon from 14:00, the last ending at 17:20, before the day ends at 17:30.
    day = talk.round.date
    starts = [timezone.localtime(t.starts_at) for t in talk.round.talks.order_by("starts_at")]
    assert [(at.date(), at.time()) for at in starts] == [
        (day, datetime.time(9)), (day, datetime.time(10, 10)), (day, datetime.time(14)),
        (day, datetime.time(15, 10)), (day, datetime.time(16, 20))]
    rows = doccontext.round_list(talk.round, talk.round.talks.order_by("starts_at"), None)["rows"]
    assert [r["time"] for r in rows][-2:] == ["15:10", "16:20"]