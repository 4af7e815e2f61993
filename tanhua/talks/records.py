"""A talk from preparation to its confirmed record: the business rules.

Status: 已安排 → 已通知 → 已准备 (outline final) → 已谈话 (record written) → 记录已确认 → 已办结
(when its rectification is finished, a later feature). Every step is in the talk's history
(``TalkEvent``) and the audit log; reading a record is an audited sensitive read.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tanhua.audit.services import record as audit
from tanhua.clues import selectors as clue_selectors
from tanhua.dates import cn_date, happened_error
from tanhua.timelimits import add_months

from . import outline
from .models import (
    STATUS_ORDER,
    Kind,
    OutlineTemplate,
    RecordEntry,
    ReportKind,
    Talk,
    TalkEvent,
    TalkRecord,
    TalkReport,
)

HALF_MONTH_DAYS = 15
# A post taken up within this many months counts as changed in the recent term change (换届).
TERM_CHANGE_MONTHS = 12


class TalkError(ValidationError):
    """A step that cannot be taken now; the message says why, in Chinese."""


def event(talk, user, action, detail=""):
    TalkEvent.objects.create(talk=talk, user=user, action=action, detail=detail[:300])


def advance(talk, status):
    """Move the talk on to ``status``; never back."""
    if STATUS_ORDER.index(status) > STATUS_ORDER.index(talk.status):
        talk.status = status
        talk.save(update_fields=["status"])


def influence_end(held_on, months):
    """The last day of an admonishment's influence period: six months from 12 June ends 11 December."""
    return add_months(held_on, months) - datetime.timedelta(days=1)


# --- Preparation -------------------------------------------------------------------------------


def subject_of(talk, today=None):
    today = today or timezone.localdate()
    cadre, unit = talk.cadre, talk.unit
    years = None
    if cadre is not None and cadre.post_since:
        years = (today - cadre.post_since).days / 365.25
    return outline.Subject(
        name=talk.subject_name, unit_name=unit.name, unit_kind=unit.kind,
        unit_tags=frozenset(unit.tags.values_list("name", flat=True)),
        is_unit_head=bool(cadre and cadre.is_unit_head), is_party_gov_head=bool(cadre and cadre.is_party_gov_head),
        programme_kind=talk.kind, subject_type=talk.programme.subject_type, years_in_post=years,
        post_changed_recently=bool(cadre and cadre.post_since
                                   and cadre.post_since >= add_months(today, -TERM_CHANGE_MONTHS)),
        sensitive_post=cadre.sensitive_post if cadre else "",
    )


def takes_part(user, talk):
    """The talk's lead talker, or a member of its talk group with a login."""
    return bool(user.pk) and (talk.lead_id == user.pk or talk.members.filter(user=user).exists())


def problem_rows(user, talk, *, request=None):
    """The subject's open problems: the cadre's own, then those about the unit alone, as the
    problem list shows them (one row per group).

    The office reads them within its scope. Whoever leads or sits in the talk reads them because
    of the talk, whatever their own scope, from the time it is scheduled until its rectification
    closes (谁谈话谁负责: nobody talks blind); each such read is audited, with the clues read.
    """
    granted = talk.status != Talk.Status.CLOSED and takes_part(user, talk)
    rows = (clue_selectors.problem_list(user, cadre=talk.cadre, within_scope=not granted) if talk.cadre else [])
    seen = {c.pk for row in rows for c in row["clues"]}
    rows += [row for row in clue_selectors.problem_list(user, unit=talk.unit, unit_alone=True,
                                                        within_scope=not granted)
             if row["first"].pk not in seen]
    # The problems taken into this talk stay on its list after they are closed.
    chosen = set(talk.problems.values_list("pk", flat=True)) - {c.pk for row in rows for c in row["clues"]}
    if chosen:
        kept = {"cadre": talk.cadre} if talk.cadre else {"unit": talk.unit, "unit_alone": True}
        rows += [row for row in clue_selectors.problem_list(user, include_closed=True, within_scope=not granted, **kept)
                 if any(c.pk in chosen for c in row["clues"])]
    if granted and rows:
        audit("view", request=request, user=user, target=talk,
              summary={"problem_list": [c.number for row in rows for c in row["clues"]], "as": "谈话人"})
    return rows


def templates():
    return [t.as_template() for t in OutlineTemplate.objects.filter(active=True)]


def draft_outline(user, talk, chosen):
    """A first outline from the chosen problems and the templates that fit the subject."""
    problems = [(str(c.source), cn_date(c.received_on), c.summary)
                for c in chosen]
    return outline.draft(subject_of(talk), problems, templates())


def save_preparation(actor, talk, *, chosen, text, final=False, request=None):
    if STATUS_ORDER.index(talk.status) >= STATUS_ORDER.index(Talk.Status.HELD):
        raise TalkError("谈话已进行,提纲不能再修改。")
    if final and not text.strip():
        raise TalkError("提纲为空,不能定稿。")
    with transaction.atomic():
        talk.problems.set(chosen)
        talk.outline, talk.outline_final = text.strip(), final
        talk.outline_saved_at, talk.outline_saved_by = timezone.now(), actor
        talk.save(update_fields=["outline", "outline_final", "outline_saved_at", "outline_saved_by"])
        if final:
            advance(talk, Talk.Status.PREPARED)
        event(talk, actor, "提纲定稿" if final else "保存提纲", f"选用问题 {len(chosen)} 条")
        audit("update", request=request, user=actor, target=talk,
              summary={"outline": "定稿" if final else "草稿", "problems": [c.number for c in chosen]})


# --- The subject's report ----------------------------------------------------------------------


def report_days(talk):
    """The fifteen days the half-month report covers: the half month before its due date."""
    end = talk.report_due or timezone.localtime(talk.starts_at).date()
    return [end - datetime.timedelta(days=HALF_MONTH_DAYS - n) for n in range(HALF_MONTH_DAYS)]


def submit_report(actor, talk, *, days=(), after_hours=(), integrity=(), text="", request=None, now=None):
    """The subject's report through their own login; late if after the due date."""
    now = now or timezone.now()
    if talk.cadre_id is None or actor.cadre_id != talk.cadre_id:
        raise TalkError("只能由谈话对象本人提交汇报。")
    if talk.report_kind == ReportKind.NONE:
        raise TalkError("本次谈话不需要书面汇报。")
    if STATUS_ORDER.index(talk.status) >= STATUS_ORDER.index(Talk.Status.HELD):
        raise TalkError("谈话已进行,不能再提交汇报。")
    errors = []
    if talk.report_kind == ReportKind.HALF_MONTH:
        expected = report_days(talk)
        by_day = {d: (w or "").strip() for d, w in days}
        today = timezone.localtime(now).date()
        if set(by_day) != set(expected):
            errors.append("每日工作应为汇报期内的 15 天,每天一行。")
        else:
            # Days still to come are left empty (the report can be completed later, before the talk).
            errors += [happened_error(d, f"{d.month}月{d.day}日的工作", on=today) for d in expected
                       if by_day[d] and d > today]
            errors += [f"{d.month}月{d.day}日:请填写当天的工作安排(休息日可写“休息”)" for d in expected
                       if not by_day[d] and d <= today]
        after_hours = [t.strip() for t in after_hours if t.strip()]
        integrity = [t.strip() for t in integrity if t.strip()]
        if not after_hours:
            errors.append("8小时以外的业余生活:至少填写一条。")
        if not integrity:
            errors.append("廉洁自律情况:至少填写一条。")
        text = ""
    elif not text.strip():
        errors.append("请填写汇报内容。")
    if errors:
        raise TalkError(errors)
    late = bool(talk.report_due and timezone.localtime(now).date() > talk.report_due)
    with transaction.atomic():
        TalkReport.objects.update_or_create(talk=talk, defaults={
            "days": [{"date": d.isoformat(), "work": by_day[d]} for d in report_days(talk)]
            if talk.report_kind == ReportKind.HALF_MONTH else [],
            "after_hours": list(after_hours), "integrity": list(integrity), "text": text.strip(),
            "submitted_at": now, "submitted_by": actor, "late": late,
        })
        event(talk, actor, "提交本人汇报", "逾期提交" if late else "")
        audit("create", request=request, user=actor, target=talk, summary={"report": talk.get_report_kind_display(),
                                                                          "late": late})


def unreported_days(report):
    """The days of a half-month report still empty (handed in before they came)."""
    return [datetime.date.fromisoformat(row["date"]) for row in report.days or [] if not row.get("work")]


def report_state(talk, today=None):
    """("submitted" | "late" | "partial" | "missing" | "waiting" | "none", text) for the preparer."""
    today = today or timezone.localdate()
    if talk.report_kind == ReportKind.NONE:
        return "none", "不需要书面汇报"
    report = getattr(talk, "report", None)
    if report is not None:
        text = f"{cn_date(report.submitted_at)}提交" + ("(逾期)" if report.late else "")
        # Handed in early: the days still to come then are owed before the talk.
        owed = unreported_days(report)
        if owed:
            return "partial", f"{text},{cn_date(owed[0])}起 {len(owed)} 天尚待补报"
        return ("late" if report.late else "submitted"), text
    if talk.report_due and today > talk.report_due:
        return "missing", f"已过提交截止日({cn_date(talk.report_due)}),尚未提交"
    return "waiting", "尚未提交"


# --- The record --------------------------------------------------------------------------------


def day_has_come(talk, today=None):
    """The talk's day is today or past: from then on its record can be written."""
    return timezone.localtime(talk.starts_at).date() <= (today or timezone.localdate())


def save_record(actor, talk, *, held_on, start_time, end_time, place, lead_name, present, recorder_name, entries,
                influence_months=None, appointment="", request=None):
    """Write or correct the record; the talk is then held. Confirmed records are final."""
    record = getattr(talk, "record", None)
    if record is not None and record.confirmed_at:
        raise TalkError("谈话记录已经本人确认,不能再修改。")
    errors = []
    talk_day = timezone.localtime(talk.starts_at).date()
    date_error = happened_error(held_on, "谈话日期", not_before=talk_day, not_before_what="安排的谈话日期")
    if date_error:
        errors.append(date_error)
    if end_time <= start_time:
        errors.append("结束时间应晚于开始时间。")
    entries = [(kind, text.strip()) for kind, text in entries if text and text.strip()]
    if not entries:
        errors.append("请至少记录一条谈话内容。")
    if talk.kind == Kind.ADMONISHMENT and not influence_months:
        errors.append("诫勉谈话须填写影响期(月)。")
    if talk.kind == Kind.PRE_APPOINTMENT and not appointment.strip():
        errors.append("任前谈话须填写拟任职务。")
    if errors:
        raise TalkError(errors)
    minutes = (datetime.datetime.combine(held_on, end_time) - datetime.datetime.combine(held_on, start_time)).seconds // 60
    with transaction.atomic():
        record, created = TalkRecord.objects.update_or_create(talk=talk, defaults={
            "held_on": held_on, "start_time": start_time, "end_time": end_time, "place": place,
            "lead_name": lead_name, "recorder": actor, "recorder_name": recorder_name, "agenda": talk.agenda,
            "influence_months": influence_months if talk.kind == Kind.ADMONISHMENT else None,
            "influence_end": influence_end(held_on, influence_months) if talk.kind == Kind.ADMONISHMENT else None,
            "appointment": appointment.strip() if talk.kind == Kind.PRE_APPOINTMENT else "",
        })
        record.present.set(present)
        record.entries.all().delete()
        RecordEntry.objects.bulk_create(RecordEntry(record=record, position=n, kind=kind, text=text)
                                        for n, (kind, text) in enumerate(entries, 1))
        advance(talk, Talk.Status.HELD)
        event(talk, actor, "填写谈话记录" if created else "修改谈话记录", f"{len(entries)} 条,{minutes} 分钟")
        audit("create" if created else "update", request=request, user=actor, target=talk,
              summary={"record": len(entries), "held_on": held_on, "minutes": minutes})
    return record


def confirm_record(actor, talk, *, how, request=None):
    """The subject's confirmation: online by the subject, or a paper signature noted by staff."""
    record = getattr(talk, "record", None)
    if record is None:
        raise TalkError("还没有谈话记录。")
    if record.confirmed_at:
        raise TalkError("谈话记录已经确认。")
    if how == TalkRecord.Confirmation.ONLINE and (talk.cadre_id is None or actor.cadre_id != talk.cadre_id):
        raise TalkError("只有谈话对象本人可以在系统中确认。")
    # A confirmation is never dated before the talk it confirms.
    date_error = happened_error(record.held_on, "谈话记录的谈话日期")
    if date_error:
        raise TalkError(date_error + "请先更正谈话记录。")
    with transaction.atomic():
        record.confirmed_at, record.confirmed_how = timezone.now(), how
        record.save(update_fields=["confirmed_at", "confirmed_how"])
        advance(talk, Talk.Status.CONFIRMED)
        event(talk, actor, "确认谈话记录", record.get_confirmed_how_display())
        audit("update", request=request, user=actor, target=talk, summary={"confirmed": record.get_confirmed_how_display()})


def read_record(actor, talk, *, request=None):
    """The record, its entries loaded; every read is audited as sensitive."""
    record = TalkRecord.objects.filter(talk=talk).prefetch_related("entries", "present").first()
    if record is not None:
        audit("view", request=request, user=actor, target=talk, summary={"record": True})
    return record


def may_open_record(user, talk):
    """The talk group, the lead talker, staff with the talk in scope (checked by the caller),
    and the subject once the record is written."""
    if talk.cadre_id and user.cadre_id == talk.cadre_id:
        return STATUS_ORDER.index(talk.status) >= STATUS_ORDER.index(Talk.Status.HELD)
    return True

