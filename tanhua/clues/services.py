"""Registering, reading, disposing of and closing clues; written inquiries.

Every change is recorded in the clue's own history (``ClueEvent``: what offices read) and in
the audit log (what auditors check). Reading a clue's content is a sensitive read; reading the
reporter's identity needs the 查看举报人身份 permission and is audited on its own. Audit
summaries never contain the content or the reporter.
"""

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from tanhua.accounts.scope import get_in_scope_or_404
from tanhua.audit.services import diff, record
from tanhua.dates import check_happened, cn_date
from tanhua.files import UploadRefused, store_upload
from tanhua.workdays import add_workdays

from . import duplicates
from .models import Attachment, Clue, ClueEvent, Disposition, Inquiry

REPORTER_PERMISSION = "clues.reporter"
# Attachments: evidence as offices receive it. Anything else is refused.
ATTACHMENT_TYPES = {".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx", ".txt", ".mp3", ".wav", ".zip"}
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024


class ClueError(ValueError):
    """A request that cannot be carried out; the message says why, in Chinese."""


def number_for(unit, year, seq):
    return f"{unit.code}-{year}-{seq:04d}"


def _facts(clue):
    # What the audit log keeps of a clue: never the content or the reporter.
    return {
        "number": clue.number,
        "source": str(clue.source),
        "received_on": clue.received_on.isoformat(),
        "unit": clue.unit.name,
        "cadre": clue.cadre.name if clue.cadre_id else "",
        "category": str(clue.category),
        "summary": clue.summary,
        "due_on": clue.due_on.isoformat(),
        "handling_unit": clue.handling_unit.name if clue.handling_unit_id else "",
        "handler": clue.handler.username if clue.handler_id else "",
        "anonymous": clue.reporter_anonymous,
    }


def default_due(received_on):
    return received_on + datetime.timedelta(days=settings.TANHUA_CLUE_TIME_LIMIT_DAYS)


def register_clue(user, *, source, received_on, unit, category, summary, content, cadre=None, due_on=None,
                  reporter_anonymous=False, reporter_name="", reporter_contact="", handling_unit=None, handler=None,
                  request=None, via="form"):
    """Register a clue and number it: ``<unit code>-<year>-<seq>``, counted per unit and year.

    The unit and cadre must lie in ``user``'s scope (forms and the API check it first; this is
    the last line). Numbers are allocated under the unique constraint and retried on a clash,
    so two clerks registering at once both get a number.
    """
    check_happened(received_on, "受理日期")
    if cadre is not None:
        # A clue about a cadre belongs to the cadre's own unit, whatever unit the report named.
        unit = cadre.unit
    for attempt in range(5):
        try:
            with transaction.atomic():
                clue = _insert(user, source=source, received_on=received_on, unit=unit, category=category,
                               summary=summary, content=content, cadre=cadre, due_on=due_on,
                               reporter_anonymous=reporter_anonymous, reporter_name=reporter_name,
                               reporter_contact=reporter_contact, handling_unit=handling_unit, handler=handler)
                ClueEvent.objects.create(clue=clue, user=user, action="登记", note=f"来源:{clue.source}")
                record("create", request=request, user=user, target=clue, summary={**_facts(clue), "via": via})
            break
        except IntegrityError:
            if attempt == 4:
                raise
    # The same matter may have arrived already through another channel.
    duplicates.suggest(clue)
    return clue


def _insert(user, *, source, received_on, unit, category, summary, content, cadre, due_on, reporter_anonymous,
            reporter_name, reporter_contact, handling_unit, handler):
    year = received_on.year
    last = Clue.objects.filter(unit=unit, year=year).order_by("-seq").values_list("seq", flat=True).first() or 0
    clue = Clue(
        number=number_for(unit, year, last + 1), year=year, seq=last + 1, source=source, received_on=received_on,
        unit=unit, cadre=cadre, category=category, summary=summary.strip(), content=content.strip(),
        reporter_anonymous=reporter_anonymous, handling_unit=handling_unit, handler=handler,
        due_on=due_on or default_due(received_on), created_by=user if user and user.pk else None,
    )
    if not reporter_anonymous:
        clue.seal_reporter(reporter_name.strip(), reporter_contact.strip())
    clue.save()
    return clue


def read_clue(user, pk, *, request=None):
    """The clue with its content, for ``user``; a sensitive read, so it is audited."""
    clue = get_in_scope_or_404(
        Clue.objects.select_related("source__parent", "category__parent", "unit", "cadre", "handling_unit", "handler"),
        user, pk=pk,
    )
    record("view", request=request, user=user, target=clue, summary={"field": "content"})
    return clue


def reveal_reporter(user, clue, *, request=None):
    """The reporter's name and contact, for the 信访室 only; each look is audited."""
    if not user.has_perm(REPORTER_PERMISSION):
        record("view", request=request, user=user, target=clue, summary={"field": "reporter"}, result="denied")
        raise PermissionDenied
    record("view", request=request, user=user, target=clue, summary={"field": "reporter"})
    return {"name": clue.reporter_name(), "contact": clue.reporter_contact(), "anonymous": clue.reporter_anonymous}


@transaction.atomic
def update_clue(user, clue, *, request=None, **fields):
    """Change a clue's registration details (not its disposition)."""
    clue = Clue.objects.select_for_update().get(pk=clue.pk)
    before = _facts(clue)
    for name, value in fields.items():
        setattr(clue, name, value)
    clue.save()
    changes = diff(before, _facts(clue))
    if changes:
        ClueEvent.objects.create(clue=clue, user=user, action="修改登记信息",
                                 note="、".join(Clue._meta.get_field(k).verbose_name if k in {
                                     f.name for f in Clue._meta.fields} else k for k in changes))
        record("update", request=request, user=user, target=clue, summary=changes)
    return clue


@transaction.atomic
def dispose(user, clue, disposition, reason, *, request=None):
    """Decide how a clue is handled: who decided, when and why.

    予以了结 closes the clue; 拟立案/移送 closes it here (the case goes on elsewhere); the other
    three keep it open. A shelved clue (暂存待查) can be disposed of again when more is known.
    """
    clue = Clue.objects.select_for_update().get(pk=clue.pk)
    if clue.status == Clue.Status.CLOSED:
        raise ClueError("该线索已办结,不能再处置。")
    if not reason.strip():
        raise ClueError("请写明处置理由。")
    if clue.disposition == Disposition.INQUIRY and disposition != Disposition.INQUIRY and hasattr(clue, "inquiry") \
            and clue.inquiry.issued_at and not clue.inquiry.reviewed_at:
        raise ClueError("函询尚未审核完毕,不能改变处置方式。")
    before = {"disposition": clue.get_disposition_display(), "status": clue.get_status_display()}
    now = timezone.now()
    clue.disposition = disposition
    clue.disposition_reason = reason.strip()
    clue.disposed_by = user
    clue.disposed_at = now
    if disposition in (Disposition.CLOSE, Disposition.CASE):
        clue.status = Clue.Status.CLOSED
        clue.closed_at = now
    else:
        clue.status = Clue.Status.HANDLING
    clue.save()
    ClueEvent.objects.create(clue=clue, user=user, time=now, action=f"处置:{clue.get_disposition_display()}",
                             note=clue.disposition_reason)
    after = {"disposition": clue.get_disposition_display(), "status": clue.get_status_display()}
    record("update", request=request, user=user, target=clue, summary={**diff(before, after), "reason": reason.strip()})
    return clue


@transaction.atomic
def close(user, clue, *, outcome_form, outcome, request=None):
    """办结: the outcome, classified by the four forms (none when nothing was found)."""
    clue = Clue.objects.select_for_update().get(pk=clue.pk)
    if clue.status == Clue.Status.CLOSED and clue.outcome:
        raise ClueError("该线索已办结。")
    if not clue.disposition:
        raise ClueError("请先确定处置方式。")
    if not outcome.strip():
        raise ClueError("请填写办理结果。")
    clue.status = Clue.Status.CLOSED
    clue.outcome_form = outcome_form or None
    clue.outcome = outcome.strip()
    clue.closed_at = timezone.now()
    clue.save()
    label = clue.get_outcome_form_display() if clue.outcome_form else "未作处理"
    ClueEvent.objects.create(clue=clue, user=user, action=f"办结({label})", note=clue.outcome)
    record("update", request=request, user=user, target=clue,
           summary={"status": ["处置中", "已办结"], "outcome_form": label})
    return clue


def add_attachment(user, clue, uploaded, *, request=None):
    try:
        stored, name = store_upload(uploaded, settings.CLUE_FILE_DIR, allowed=ATTACHMENT_TYPES,
                                    max_bytes=ATTACHMENT_MAX_BYTES)
    except UploadRefused as exc:
        raise ClueError(str(exc)) from None
    with transaction.atomic():
        attachment = Attachment.objects.create(clue=clue, original_name=name, stored_name=stored,
                                               size=uploaded.size, uploaded_by=user)
        ClueEvent.objects.create(clue=clue, user=user, action="上传附件", note=attachment.original_name)
        record("create", request=request, user=user, target=clue,
               summary={"attachment": attachment.original_name, "size": attachment.size})
    return attachment


# --- Written inquiries (函询) -------------------------------------------------------------

@transaction.atomic
def issue_inquiry(user, clue, *, questions, letter_number="", request=None):
    """Send the inquiry letter: the cadre must answer within the configured working days."""
    clue = Clue.objects.select_for_update().get(pk=clue.pk)
    if clue.cadre_id is None:
        raise ClueError("函询须有明确的反映对象(干部)。")
    if clue.status == Clue.Status.CLOSED:
        raise ClueError("该线索已办结。")
    if Inquiry.objects.filter(clue=clue).exists():
        raise ClueError("该线索已发出函询。")
    if not questions.strip():
        raise ClueError("请写明需要说明的问题。")
    now = timezone.now()
    if clue.disposition != Disposition.INQUIRY:
        clue.disposition, clue.disposed_by, clue.disposed_at = Disposition.INQUIRY, user, now
        clue.disposition_reason = clue.disposition_reason or "发函询问"
    clue.status = Clue.Status.HANDLING
    clue.save()
    inquiry = Inquiry.objects.create(
        clue=clue, questions=questions.strip(), letter_number=letter_number.strip() or f"{clue.number}-函",
        issued_at=now, issued_by=user,
        reply_due=add_workdays(timezone.localdate(), settings.TANHUA_INQUIRY_REPLY_WORKDAYS),
    )
    ClueEvent.objects.create(clue=clue, user=user, time=now, action="发出函询",
                             note=f"{inquiry.letter_number},请于{cn_date(inquiry.reply_due)}前书面说明")
    record("create", request=request, user=user, target=inquiry,
           summary={"clue": clue.number, "letter_number": inquiry.letter_number,
                    "reply_due": inquiry.reply_due.isoformat()})
    return inquiry


@transaction.atomic
def reply_inquiry(user, inquiry, *, text, uploaded=None, request=None):
    """The cadre's written reply, through their own login."""
    inquiry = Inquiry.objects.select_for_update().select_related("clue").get(pk=inquiry.pk)
    if inquiry.clue.cadre_id is None or inquiry.clue.cadre_id != user.cadre_id:
        raise PermissionDenied
    if inquiry.replied_at:
        raise ClueError("您已提交书面说明,如需补充请联系承办人。")
    if not text.strip() and uploaded is None:
        raise ClueError("请填写书面说明或上传说明材料。")
    if uploaded is not None:
        suffix = ("." + uploaded.name.rsplit(".", 1)[-1].lower()) if "." in uploaded.name else ""
        if suffix not in {".pdf", ".doc", ".docx", ".jpg", ".jpeg", ".png"}:
            raise ClueError("说明材料请上传 PDF、Word 或图片文件。")
        if uploaded.size > ATTACHMENT_MAX_BYTES:
            raise ClueError("说明材料过大,上限为 20MB。")
        settings.CLUE_FILE_DIR.mkdir(parents=True, exist_ok=True)
        inquiry.reply_file = uuid.uuid4().hex
        inquiry.reply_file_name = uploaded.name[:200]
        with open(settings.CLUE_FILE_DIR / inquiry.reply_file, "wb") as out:
            out.writelines(uploaded.chunks())
    inquiry.reply = text.strip()
    inquiry.replied_at = timezone.now()
    inquiry.replied_by = user
    inquiry.save()
    late = inquiry.replied_at.date() > inquiry.reply_due
    ClueEvent.objects.create(clue=inquiry.clue, user=user, action="干部书面说明" + ("(逾期)" if late else ""))
    record("update", request=request, user=user, target=inquiry, summary={"reply": "submitted", "late": late})
    return inquiry


@transaction.atomic
def review_inquiry(user, inquiry, *, conclusion, note, follow_up, request=None):
    """Review the reply: 属实 / 部分属实 / 不属实 / 无法查实, and what follows."""
    inquiry = Inquiry.objects.select_for_update().select_related("clue").get(pk=inquiry.pk)
    if not inquiry.replied_at:
        raise ClueError("干部尚未提交书面说明。")
    if inquiry.reviewed_at:
        raise ClueError("该函询已审核。")
    if conclusion not in Inquiry.Conclusion.values:
        raise ClueError("请选择核查结论。")
    inquiry.conclusion, inquiry.review_note, inquiry.follow_up = conclusion, note.strip(), follow_up.strip()
    inquiry.reviewed_at, inquiry.reviewed_by = timezone.now(), user
    inquiry.save()
    ClueEvent.objects.create(clue=inquiry.clue, user=user, action=f"函询审核:{inquiry.get_conclusion_display()}",
                             note="\n".join(filter(None, [inquiry.review_note, inquiry.follow_up])))
    record("update", request=request, user=user, target=inquiry,
           summary={"conclusion": inquiry.get_conclusion_display(), "follow_up": inquiry.follow_up})
    return inquiry
