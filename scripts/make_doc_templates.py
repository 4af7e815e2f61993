"""Build the default .docx templates of the talk documents (docxtpl) into tanhua/talks/doc_templates/.

    .venv/bin/python scripts/make_doc_templates.py

The layout is that of ``tanhua.documents.OfficialDocument`` (GB/T 9704: A4, 仿宋 三号 body, 小标宋 二号
title, “— 1 —” page numbers); the text carries Jinja placeholders that ``tanhua.talks.documents.render``
fills in. Paragraphs holding only a ``{%p ... %}`` tag and table rows holding a ``{%tr ... %}`` tag vanish
on rendering. The output is byte-for-byte the same on every run (fixed dates in the document properties
and in the zip entries), so regenerating changes the files only when this script changes.
"""

import io
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tanhua.documents import BODY_FONT, HEADING_FONT, OfficialDocument, _font

OUT_DIR = ROOT / "tanhua" / "talks" / "doc_templates"
FIXED_TIME = datetime(2026, 1, 1, tzinfo=UTC)
TABLE_SIZE = 12  # 小四: a table of several columns does not fit 三号 on A4


class Template(OfficialDocument):
    """An OfficialDocument with the few extra pieces a template needs."""

    def __init__(self, title):
        super().__init__()
        # Text a template's editor types, and runs docxtpl makes, inherit the body font.
        normal = self.document.styles["Normal"]
        normal.font.name, normal.font.size = BODY_FONT, Pt(16)
        normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
        properties = self.document.core_properties
        properties.title, properties.author, properties.last_modified_by = title, "tanhua", "tanhua"
        properties.created = properties.modified = FIXED_TIME
        properties.revision = 1
        # No Jinja tags here: docxtpl renders the document properties too.
        properties.comments = "谈话文书模板(docxtpl),可由管理员替换"

    def heading(self, text):
        """A 黑体 heading kept on the page of what follows it."""
        self._paragraph(text, HEADING_FONT, 16).paragraph_format.keep_with_next = True

    def tag(self, text):
        """A paragraph that holds only a docxtpl paragraph tag ({%p if %}, {%p for %} ...)."""
        self._paragraph(text, BODY_FONT, 16, indent=False)

    def line(self, text):
        """A body line without the first-line indent (谈话对象:…)."""
        self._paragraph(text, BODY_FONT, 16, indent=False)

    def labelled(self, label, text):
        """A body paragraph whose first words are bold (问:…, 答:…)."""
        paragraph = self._paragraph(label, BODY_FONT, 16)
        paragraph.runs[0].bold = True
        _font(paragraph.add_run(text), BODY_FONT, 16)

    def note(self, text):
        self._paragraph(text, BODY_FONT, 14, indent=False)

    def table(self, header, rows, widths, size=TABLE_SIZE, header_bold=True):
        """A bordered table; ``rows`` are lists of cell texts (one cell may hold a {%tr %} tag)."""
        table = self.document.add_table(rows=0, cols=len(widths))
        table.style = self.document.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        for column, width in zip(table.columns, widths, strict=True):
            column.width = Mm(width)  # the grid, which LibreOffice goes by
        for n, cells in enumerate(([header] if header else []) + rows):
            row = table.add_row()
            for cell, text, width in zip(row.cells, cells, widths, strict=False):
                cell.width = Mm(width)
                paragraph = cell.paragraphs[0]
                fmt = paragraph.paragraph_format
                fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
                fmt.line_spacing = Pt(size + 8)
                fmt.space_before = fmt.space_after = Pt(0)
                bold = header_bold and header is not None and n == 0
                if bold:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                run = paragraph.add_run(text)
                _font(run, HEADING_FONT if bold else BODY_FONT, size)
        return table

    def bytes(self):
        """The .docx with every zip entry dated alike, so that a rebuild gives the same bytes."""
        source = zipfile.ZipFile(self.save())
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for item in source.infolist():
                info = zipfile.ZipInfo(item.filename, date_time=(2026, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                target.writestr(info, source.read(item.filename))
        return out.getvalue()


def loop(doc, items, item_text, var="item"):
    """A numbered paragraph per element of a list under a 一、 heading: (一)…, (二)…"""
    doc.tag(f"{{%p for {var} in {items} %}}")
    doc.body(f"{{{{ item_no(loop.index) }}}}{item_text}")
    doc.tag("{%p endfor %}")


def notice():
    doc = Template("谈话通知书")
    doc.title("谈话通知书")
    doc.addressee("{{ addressee }}:")
    # ``programme`` already says the unit's place once (清河市党政领导干部…): no {{ issuer }} before it.
    doc.body("根据{{ programme }}工作安排,定于{{ date_cn }}(星期{{ weekday }}){{ time }}"
             "在{{ place or \"另行通知的地点\" }}与你进行{{ kind }}{% if lead %},由{{ lead }}同志主谈{% endif %}。")
    doc.tag("{%p if agenda %}")
    doc.body("谈话安排:{% for s in agenda %}{{ s.title }}{{ s.minutes }}分钟{% if not loop.last %},{% endif %}"
             "{% endfor %}。")
    doc.tag("{%p endif %}")
    doc.tag("{%p if report_text %}")
    doc.body("{{ report_text }}")
    doc.tag("{%p endif %}")
    doc.body("请按时参加。如有特殊情况不能参加,请提前向谈话活动办公室说明。")
    doc.tag("{%p if contact_name or contact_phone %}")
    doc.body("{% if contact_name %}联系人:{{ contact_name }}{% endif %}{% if contact_name and contact_phone %},{% endif %}"
             "{% if contact_phone %}联系电话:{{ contact_phone }}{% endif %}。")
    doc.tag("{%p endif %}")
    doc.signature("{{ issuer }}", "{{ issued_cn }}")
    return doc


def outline():
    doc = Template("谈话提纲")
    doc.title("谈话提纲")
    doc.line("谈话对象:{{ subject }}")
    doc.line("单位职务:{{ unit_post }}")
    doc.line("谈话类型:{{ kind }}")
    doc.line("谈话时间:{{ date_cn }}")
    doc.tag("{%p if lead %}")
    doc.line("主 谈 人:{{ lead }}")
    doc.tag("{%p endif %}")
    doc.blank()
    doc.tag("{%p if flags %}")
    doc.heading("{{ heading_no() }}需要关注的情况")
    loop(doc, "flags", "{{ flag }}", var="flag")
    doc.tag("{%p endif %}")
    doc.tag("{%p if problems %}")
    doc.heading("{{ heading_no() }}反映的问题")
    doc.tag("{%p for p in problems %}")
    doc.body("{{ item_no(p.n) }}{{ p.received_cn }}{{ p.source }}反映({{ p.category }}):{{ p.summary }}")
    doc.tag("{%p endfor %}")
    doc.tag("{%p endif %}")
    doc.heading("{{ heading_no() }}谈话要点")
    doc.tag("{%p for line in outline|lines %}")
    doc.body("{{ line }}")
    doc.tag("{%p endfor %}")
    doc.signature("拟稿人:{{ prepared_by }}", "{{ prepared_cn }}")
    return doc


def report():
    doc = Template("书面汇报")
    doc.title("{{ kind_label }}")
    doc.line("汇 报 人:{{ subject }}")
    doc.line("单位职务:{{ unit_post }}")
    doc.tag("{%p if half_month %}")
    doc.line("汇报期间:{{ period }}")
    doc.blank()
    doc.heading("一、每天的工作安排")
    doc.table(["日期", "星期", "工作安排"], [
        ["{%tr for d in days %}", "", ""],
        ["{{ d.date_cn }}", "{{ d.weekday }}", "{{ d.work }}"],
        ["{%tr endfor %}", "", ""],
    ], widths=[28, 16, 112])
    doc.heading("二、8小时以外的业余生活")
    loop(doc, "after_hours", "{{ item }}")
    doc.heading("三、廉洁自律情况")
    loop(doc, "integrity", "{{ item }}")
    doc.tag("{%p else %}")
    doc.blank()
    doc.tag("{%p for line in text|lines %}")
    doc.body("{{ line }}")
    doc.tag("{%p endfor %}")
    doc.tag("{%p endif %}")
    doc.signature("汇报人:{{ subject }}", "{{ submitted_cn }}")
    doc.tag("{%p if late %}")
    doc.note("注:本汇报逾期提交。")
    doc.tag("{%p endif %}")
    return doc


def record():
    doc = Template("谈话记录")
    doc.title("谈话记录")
    doc.table(None, [
        ["谈话对象", "{{ subject }}", "谈话类型", "{{ kind }}"],
        ["单位职务", "{{ unit_post }}", "谈话地点", "{{ place }}"],
        ["谈话时间", "{{ date_cn }} {{ start }}至{{ end }}", "主 谈 人", "{{ lead }}"],
        ["参加人员", "{{ present|join(\"、\") }}", "记 录 人", "{{ recorder }}"],
    ], widths=[24, 54, 24, 54], header_bold=False)
    doc.blank()
    doc.tag("{%p if agenda %}")
    doc.heading("{{ heading_no() }}谈话议程")
    doc.tag("{%p for s in agenda %}")
    doc.body("{{ item_no(loop.index) }}{{ s.title }}({{ s.minutes }}分钟)")
    doc.tag("{%p endfor %}")
    doc.tag("{%p endif %}")
    doc.heading("{{ heading_no() }}谈话内容")
    doc.tag("{%p for e in entries %}")
    doc.labelled("{{ e.kind_label }}:", "{{ e.text }}")
    doc.tag("{%p endfor %}")
    for items, heading in (("problems", "指出的问题"), ("requirements", "提出的要求"),
                           ("disclosures", "谈话对象说明的情况")):
        doc.tag(f"{{%p if {items} %}}")
        doc.heading(f"{{{{ heading_no() }}}}{heading}")
        loop(doc, items, "{{ item }}")
        doc.tag("{%p endif %}")
    doc.tag("{%p if influence or appointment %}")
    doc.heading("{{ heading_no() }}其他事项")
    doc.tag("{%p if influence %}")
    doc.body("{{ influence }}。")
    doc.tag("{%p endif %}")
    doc.tag("{%p if appointment %}")
    doc.body("{{ appointment }}。")
    doc.tag("{%p endif %}")
    doc.tag("{%p endif %}")
    doc.blank()
    doc.body("{{ confirmation }}。")
    doc.blank()
    doc.line("谈话人(签字):")
    doc.line("谈话对象(签字):")
    doc.line("记录人(签字):")
    return doc


def round_list():
    doc = Template("谈话安排")
    doc.title("{{ title }}")
    doc.line("谈话活动:{{ programme }}")
    doc.line("谈话日期:{{ date_cn }}")
    doc.line("谈话地点:{{ place }}")
    doc.blank()
    doc.table(["序号", "时间", "谈话对象", "单位", "职务", "确定方式", "主谈人"], [
        ["{%tr for r in rows %}", "", "", "", "", "", ""],
        ["{{ r.n }}", "{{ r.time }}", "{{ r.subject }}", "{{ r.unit }}", "{{ r.post }}", "{{ r.origin }}",
         "{{ r.lead }}"],
        ["{%tr endfor %}", "", "", "", "", "", ""],
    ], widths=[13, 16, 22, 36, 27, 22, 20])
    doc.tag("{%p if note %}")
    doc.blank()
    doc.note("注:{{ note }}")
    doc.tag("{%p endif %}")
    return doc


BUILDERS = {"notice": notice, "outline": outline, "report": report, "record": record, "round_list": round_list}


def main():
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for name, build in BUILDERS.items():
        path = OUT_DIR / f"{name}.docx"
        path.write_bytes(build().bytes())
        print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()
