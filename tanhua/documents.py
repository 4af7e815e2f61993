"""Word documents laid out in the manner of Chinese official documents (GB/T 9704).

A4 with the standard margins, the title in 方正小标宋简体 二号, the body in 仿宋_GB2312 三号
with fixed 28-point lines, headings in 黑体, page numbers as “— 1 —” at the foot. The fonts are
named, not embedded: Word on an office computer has them; elsewhere it substitutes.
"""

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"


def _font(run, name, size):
    run.font.name = name
    run.font.size = Pt(size)
    # Word takes Chinese text's font from the East Asian slot.
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _page_number(section):
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(paragraph.add_run("— "), "宋体", 14)
    run = paragraph.add_run()
    _font(run, "宋体", 14)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._element.append(element)
    _font(paragraph.add_run(" —"), "宋体", 14)


class OfficialDocument:
    def __init__(self):
        self.document = Document()
        section = self.document.sections[0]
        section.page_height, section.page_width = Mm(297), Mm(210)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
        _page_number(section)

    def _paragraph(self, text, font, size, *, align=None, indent=True, bold=False):
        paragraph = self.document.add_paragraph()
        fmt = paragraph.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(28)
        fmt.space_before = fmt.space_after = Pt(0)
        if align is not None:
            paragraph.alignment = align
        if indent:
            fmt.first_line_indent = Pt(size * 2)
        run = paragraph.add_run(text)
        run.bold = bold
        _font(run, font, size)
        return paragraph

    def title(self, text):
        self._paragraph(text, TITLE_FONT, 22, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
        self.blank()

    def number(self, text):
        self._paragraph(text, BODY_FONT, 16, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)

    def addressee(self, text):
        self._paragraph(text, BODY_FONT, 16, indent=False)

    def heading(self, text):
        self._paragraph(text, HEADING_FONT, 16)

    def body(self, text):
        for line in str(text).splitlines() or [""]:
            self._paragraph(line.strip(), BODY_FONT, 16)

    def signature(self, *lines):
        self.blank()
        for line in lines:
            self._paragraph(line, BODY_FONT, 16, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)

    def blank(self):
        self._paragraph("", BODY_FONT, 16, indent=False)

    def save(self):
        out = io.BytesIO()
        self.document.save(out)
        out.seek(0)
        return out
