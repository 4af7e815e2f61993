"""The plain contexts the document templates are rendered with (see documents.py for the names)."""

import datetime

from django.utils import timezone

from tanhua.dates import cn_date
from tanhua.registry.names import join_names

from .models import ReportKind
from .outline import renumber


def _subject(talk):
    return {"subject": talk.subject_name, "unit": talk.unit.name, "post": talk.subject_post,
            "unit_post": join_names(talk.unit.name, talk.subject_post),
            "kind": talk.get_kind_display(), "lead": talk.lead_name}


def _local(talk):
    return timezone.localtime(talk.starts_at)


def outline(talk, rows_flags, prepared_by):
    flags = rows_flags
    problems = [{"n": n, "source": str(c.source), "received_cn": cn_date(c.received_on),
                 "category": str(c.category), "summary": c.summary}
                for n, c in enumerate(talk.problems.select_related("source", "category").order_by("received_on"), 1)]
    saved = talk.outline_saved_at and timezone.localtime(talk.outline_saved_at).date()
    return {**_subject(talk), "date_cn": cn_date(_local(talk).date()), "flags": flags, "problems": problems,
            "outline": renumber(talk.outline, top=1), "prepared_by": prepared_by, "prepared_cn": cn_date(saved) if saved else ""}


def report(talk, report):
    half_month = talk.report_kind == ReportKind.HALF_MONTH
    days = []
    for row in report.days:
        day = datetime.date.fromisoformat(row["date"])
        days.append({"date_cn": f"{day.month}月{day.day}日", "weekday": "一二三四五六日"[day.weekday()],
                     "work": row["work"]})
    period = ""
    if days:
        first, last = (datetime.date.fromisoformat(report.days[i]["date"]) for i in (0, -1))
        period = f"{cn_date(first)}至{last.month}月{last.day}日"
    return {**_subject(talk), "kind_label": talk.get_report_kind_display().split("(")[0], "half_month": half_month,
            "period": period, "days": days, "after_hours": report.after_hours, "integrity": report.integrity,
            "text": report.text, "submitted_cn": cn_date(timezone.localtime(report.submitted_at).date()),
            "late": report.late}


def record(talk, record):
    entries = list(record.entries.all())
    by_kind = {}
    for entry in entries:
        by_kind.setdefault(entry.kind, []).append(entry.text)
    influence = ""
    if record.influence_months:
        influence = (f"影响期{record.influence_months}个月,自{cn_date(record.held_on)}"
                     f"至{cn_date(record.influence_end)}")
    if record.confirmed_at:
        confirmed = f"谈话对象已于{cn_date(timezone.localtime(record.confirmed_at).date())}确认({record.get_confirmed_how_display()})"
    else:
        confirmed = "谈话对象尚未确认"
    return {**_subject(talk), "lead": record.lead_name, "date_cn": cn_date(record.held_on),
            "start": f"{record.start_time:%H:%M}", "end": f"{record.end_time:%H:%M}", "place": record.place,
            "present": [str(m) for m in record.present.all()], "recorder": record.recorder_name,
            "agenda": record.agenda, "entries": [{"kind_label": e.get_kind_display(), "text": e.text} for e in entries],
            "problems": by_kind.get("problem", []), "requirements": by_kind.get("requirement", []),
            "disclosures": by_kind.get("disclosure", []), "influence": influence,
            "appointment": f"拟任职务:{record.appointment}" if record.appointment else "", "confirmation": confirmed}


def _slot(round_, talk):
    """09:00 on the round's day; 12月11日 09:00 for a talk the day's end moved to a later day."""
    local = timezone.localtime(talk.starts_at)
    return f"{local:%H:%M}" if local.date() == round_.date else f"{local.month}月{local.day}日 {local:%H:%M}"


def round_list(round_, talks, drawn):
    return {"title": f"{round_.programme.name}第{round_.number}批谈话安排", "programme": round_.programme.name,
            "date_cn": cn_date(round_.date), "place": round_.place,
            "rows": [{"n": n, "time": _slot(round_, t), "subject": t.subject_name,
                      "unit": t.unit.name, "post": t.subject_post, "origin": t.get_origin_display(),
                      "lead": t.lead_name} for n, t in enumerate(talks, 1)],
            "note": f"随机抽取记录哈希 {drawn.record_hash}" if drawn is not None and drawn.record_hash else ""}
