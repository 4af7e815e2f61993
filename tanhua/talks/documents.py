"""The .docx documents of a talk, rendered from replaceable Word templates with docxtpl.

Five templates, each a .docx in the official-document layout of ``tanhua.documents`` (GB/T 9704)
with Jinja placeholders: ``notice`` 谈话通知书, ``outline`` 谈话提纲, ``report`` 书面汇报,
``record`` 谈话记录, ``round_list`` 批次谈话安排. The defaults live in ``doc_templates/`` next to
this module (built by ``scripts/make_doc_templates.py``); an administrator replaces one by putting a
file of the same name in the override directory: ``settings.TANHUA_DOC_TEMPLATE_DIR`` if set, else
``<VAR_DIR>/doc_templates``. A replacement that fails to load or render raises
``DocumentTemplateError`` naming the file.

Template language (docxtpl, https://docxtpl.readthedocs.io):

- ``{{ name }}`` fills in a value; values are escaped, so '<' and '&' in user text are safe.
- ``{%p if x %}`` / ``{%p for x in xs %}`` / ``{%p endfor %}`` in a paragraph of its own repeat or
  drop the paragraphs between them; the tag's own paragraph vanishes.
- ``{%tr for r in rows %}`` / ``{%tr endfor %}`` in a table row repeat the row between them.
- Multi-line text (``outline``, ``text``): ``{%p for line in outline|lines %}{{ line }}{%p endfor %}``
  makes one paragraph per non-blank line (the ``lines`` filter splits and trims). A multi-line value
  put straight into ``{{ }}`` becomes line breaks within one paragraph.
- ``{{ heading_no() }}`` gives the next heading number, 一、 二、 三、 …, so that headings left out
  by ``{%p if %}`` leave no gap in the numbering; ``{{ item_no(loop.index) }}`` numbers the items
  under such a heading (一) (二) …, the next level of an official document (一、 → (一) → 1. → (1)).
  The ``outline`` text comes renumbered to sit under a heading: its own 一、 items as (一), theirs 1.

The contexts (plain str/int/bool/lists/dicts; built by the views):

- notice: addressee, issuer (the programme's unit), programme (its name with the unit's place said
  once: 清河市党政领导干部勤政廉政半月谈), contact_name, contact_phone (either may be empty), kind,
  date_cn, weekday, time, place, lead, agenda [{title, minutes}], report_text, issued_cn
- outline: subject, unit, post, unit_post (unit and post without a place said twice), kind, date_cn, lead, flags [str], problems [{n, source, received_cn,
  category, summary}], outline (multi-line), prepared_by, prepared_cn
- report: subject, unit, post, unit_post, kind_label, half_month, period, days [{date_cn, weekday, work}],
  after_hours [str], integrity [str], text (multi-line), submitted_cn, late
- record: subject, unit, post, unit_post, kind, date_cn, start, end, place, lead, present [str], recorder, agenda
  [{title, minutes}], entries [{kind_label, text}], problems [str], requirements [str], disclosures
  [str], influence, appointment, confirmation
- round_list: title, programme, date_cn, place, rows [{n, time, subject, unit, post, origin, lead}], note
"""

import io
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from docxtpl import DocxTemplate
from jinja2 import Environment, TemplateError, Undefined

from tanhua.clues.letters import commission_for
from tanhua.dates import cn_date
from tanhua.registry.names import join_names

from .models import ReportKind
from .outline import item_no

DEFAULT_DIR = Path(__file__).resolve().parent / "doc_templates"

TEMPLATES = {
    "notice": "谈话通知书",
    "outline": "谈话提纲",
    "report": "书面汇报",
    "record": "谈话记录",
    "round_list": "批次谈话安排",
}

PDF_TIMEOUT = 60  # seconds

REPORT_TEXT = {
    ReportKind.HALF_MONTH: "请于{due}前通过系统提交书面汇报:最近半个月每天的工作安排、8小时以外的业余生活、"
                           "廉洁自律情况,条目式逐项填写。",
    ReportKind.UNIT_PARTY: "请于{due}前通过系统提交本单位党建工作汇报(履行党建工作责任制和党风廉政建设"
                           "第一责任人职责、领导班子自身建设、干部队伍建设、基层组织和党员队伍建设等情况)。",
    ReportKind.FREE: "请于{due}前通过系统提交书面汇报。",
}

class DocumentTemplateError(Exception):
    """A template that cannot be loaded or rendered, or a document that cannot be converted."""


def template_names():
    """[(name, label), ...] of the five templates, in the order an admin page lists them."""
    return list(TEMPLATES.items())


def override_dir():
    """Where an administrator's replacement templates go."""
    configured = getattr(settings, "TANHUA_DOC_TEMPLATE_DIR", None)
    if configured:
        return Path(configured)
    return Path(getattr(settings, "VAR_DIR", Path("var"))) / "doc_templates"


def default_path(name):
    _check_name(name)
    return DEFAULT_DIR / f"{name}.docx"


def template_path(name):
    """The file in use for ``name``: the replacement if there is one, else the default."""
    _check_name(name)
    override = override_dir() / f"{name}.docx"
    return override if override.is_file() else default_path(name)


def is_overridden(name):
    return template_path(name) != default_path(name)


def _check_name(name):
    if name not in TEMPLATES:
        raise DocumentTemplateError(f"没有名为 {name} 的文书模板")


def _lines(value):
    if value is None or isinstance(value, Undefined):
        return []
    return [line.strip() for line in str(value).splitlines() if line.strip()]


class _HeadingNumbers:
    """``{{ heading_no() }}``: 一、 then 二、 … in document order, fresh for each rendering."""

    def __init__(self):
        self.count = 0

    def __call__(self):
        self.count += 1
        return item_no(0, self.count)


def _item_no(n):
    """``{{ item_no(loop.index) }}``: (一) (二) … for the items under a 一、 heading."""
    return item_no(1, int(n))


def _where(exc):
    """The text of the paragraph where Jinja stopped: docxtpl puts each paragraph on a line of its own."""
    lineno, source = getattr(exc, "lineno", None), getattr(exc, "source", None)
    if not lineno or not source:
        return ""
    lines = source.splitlines()
    text = re.sub(r"<[^>]+>", "", lines[lineno - 1]).strip() if 0 < lineno <= len(lines) else ""
    return f"(出错处在“{text[:60]}”一段)" if text else ""


def _render(source, filename, context):
    environment = Environment(autoescape=True)
    environment.filters["lines"] = _lines
    context = {**context, "heading_no": _HeadingNumbers(), "item_no": _item_no}
    try:
        template = DocxTemplate(source)
        template.render(context, jinja_env=environment, autoescape=True)
        out = io.BytesIO()
        template.save(out)
    except TemplateError as exc:
        raise DocumentTemplateError(f"文书模板 {filename} 有误:{exc.message or exc}{_where(exc)}") from exc
    except Exception as exc:  # not a .docx, a damaged zip, XML docxtpl cannot parse ...
        raise DocumentTemplateError(
            f"文书模板 {filename} 有误:无法作为 Word 文档(.docx)读取或生成({type(exc).__name__}: {exc})") from exc
    out.seek(0)
    return out


def render(name, context):
    """The document ``name`` filled in with ``context``, as a BytesIO at position 0."""
    path = template_path(name)
    return _render(str(path), path.name, context)


def check(name, data):
    """Try an uploaded replacement for ``name`` (bytes) before it is put in place; raises DocumentTemplateError."""
    _check_name(name)
    _render(io.BytesIO(data), f"{name}.docx", {})


def to_pdf(docx_bytes):
    """The PDF of a .docx (bytes or a file-like object), by LibreOffice in headless mode."""
    if hasattr(docx_bytes, "getvalue"):
        docx_bytes = docx_bytes.getvalue()
    binary = shutil.which("soffice") or shutil.which("libreoffice")
    if not binary:
        raise DocumentTemplateError(
            "未安装 LibreOffice,无法生成 PDF。请安装(如 apt-get install libreoffice-writer-nogui fonts-noto-cjk)"
            "或下载 Word 文档。")
    with tempfile.TemporaryDirectory(prefix="tanhua-pdf-") as tmp:
        tmp = Path(tmp)
        source = tmp / "document.docx"
        source.write_bytes(docx_bytes)
        command = [
            binary, f"-env:UserInstallation={(tmp / 'profile').as_uri()}",  # a profile of its own: no lock clashes
            "--headless", "--norestore", "--convert-to", "pdf", "--outdir", str(tmp), str(source),
        ]
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=PDF_TIMEOUT, check=False)
        except subprocess.TimeoutExpired as exc:
            raise DocumentTemplateError(f"LibreOffice 生成 PDF 超时({PDF_TIMEOUT}秒)") from exc
        except OSError as exc:
            raise DocumentTemplateError(f"无法运行 LibreOffice:{exc}") from exc
        pdf = tmp / "document.pdf"
        if result.returncode != 0 or not pdf.is_file():
            detail = (result.stderr or result.stdout or "").strip()[-500:]
            raise DocumentTemplateError(f"LibreOffice 生成 PDF 失败(返回码 {result.returncode}):{detail}")
        return pdf.read_bytes()


def notice_contact(talk, sender=None):
    """Whom the subject calls with questions: ``(name, phone)``, either may be "".

    The programme's 联系人 and 联系电话; where the programme names none, the person who sends the
    notice (``sender``, else whoever recorded it as sent), with the phone of their cadre record.
    """
    programme = talk.programme
    sender = sender or getattr(talk, "notified_by", None)
    cadre = getattr(sender, "cadre", None) if sender is not None else None
    name = programme.contact_name or (sender.full_name if sender is not None and not programme.contact_phone else "")
    phone = programme.contact_phone or (cadre.phone if cadre is not None and not programme.contact_name else "")
    return name, phone


def notice_context(talk, issued=None, sender=None):
    """The notice's context from a talk (see the module docstring for its shape)."""
    local = timezone.localtime(talk.starts_at)
    programme = talk.programme
    report_text = ""
    if talk.report_kind in REPORT_TEXT and talk.report_due:
        report_text = REPORT_TEXT[talk.report_kind].format(due=cn_date(talk.report_due))
    contact_name, contact_phone = notice_contact(talk, sender)
    return {
        "addressee": f"{talk.cadre.name}同志" if talk.cadre else f"{talk.unit.name}主要负责同志",
        # Issued by the commission that runs the programme, never by a bare place name (清河市).
        "issuer": commission_for(programme.unit),
        # The programme's name may already say the unit's place (城厢区勤廉半月谈): said once.
        "programme": join_names(programme.unit.name, programme.name),
        "contact_name": contact_name,
        "contact_phone": contact_phone,
        "kind": talk.get_kind_display(),
        "date_cn": cn_date(local.date()),
        "weekday": "一二三四五六日"[local.weekday()],
        "time": f"{local:%H:%M}",
        "place": talk.place or "另行通知的地点",
        "lead": talk.lead_name or "",
        "agenda": [{"title": s.get("title", ""), "minutes": s.get("minutes", "")} for s in talk.agenda or []],
        "report_text": report_text,
        "issued_cn": cn_date(issued or timezone.localdate()),
    }


def notice(talk, sender=None):
    """谈话通知书: to the subject, with time, place, who talks, the agenda, what to hand in and whom to call."""
    return render("notice", notice_context(talk, sender=sender))
