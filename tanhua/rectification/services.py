"""Rectification: items from talks, meetings and problem lists until each is verified and closed.

Status: 待整改 → 整改中 (progress reported) → 待核实 (sign-off asked) → 已销号 (verified by the
responsible leader), or 退回 (sent back with a reason) → 整改中 again. Overdue is the time
limit passed while open (a red light), escalated by a decision: flagged to the leader,
then 责令限期整改 with a new time limit, then handed over for disciplinary or organisational
handling. Every step is in the item's history and the audit log. "谁谈话谁负责": the talker is the
responsible leader by default and owns the follow-up visits.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from tanhua.audit.services import record as audit
from tanhua.dates import cn_date, happened_error
from tanhua.files import UploadRefused, store_upload
from tanhua.talks.models import Talk

from .models import Evidence, FollowUp, Item, ItemEvent

EVIDENCE_TYPES = {".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx", ".ofd", ".txt", ".zip"}
EVIDENCE_MAX_BYTES = 20 * 1024 * 1024
FOLLOW_UP_BEFORE_DAYS = 14
FOLLOW_UP_AFTER_DAYS = 30


class RectificationError(ValidationError):
    """A step that cannot be taken now; the message says why, in Chinese."""


def _event(item, user, action, note=""):
    return ItemEvent.objects.create(item=item, user=user, action=action, note=note)


def _name(user):
    return (user.full_name or user.username) if user else ""


def owner_for(talk):
    """The subject's own login, if they have one: they report progress themselves."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(cadre=talk.cadre, is_active=True).first() if talk.cadre_id else None


def create_item(actor, *, unit, problem, origin, measures="", owner=None, owner_name="", leader=None, leader_name="",
                due_on=None, talk=None, meeting=None, clue=None, start_on=None, request=None):
    start_on = start_on or timezone.localdate()
    if not problem.strip():
        raise RectificationError("请填写问题。")
    if not (owner or owner_name.strip()):
        raise RectificationError("请指定责任人。")
    if not (leader or leader_name.strip()):
        raise RectificationError("请指定责任领导。")
    if due_on is None or due_on <= start_on:
        raise RectificationError("整改时限应晚于开始日期。")
    with transaction.atomic():
        item = Item.objects.create(
            unit=unit, origin=origin, talk=talk, meeting=meeting, clue=clue, problem=problem.strip(),
            measures=measures.strip(), owner=owner, owner_name=owner_name.strip() or _name(owner), leader=leader,
            leader_name=leader_name.strip() or _name(leader), start_on=start_on, due_on=due_on, created_by=actor)
        _event(item, actor, "建立整改事项", f"时限 {cn_date(due_on)}")
        # Follow-up visits by the responsible leader: one before the time limit (another after closing).
        FollowUp.objects.create(item=item, by=leader, planned_on=max(start_on, due_on - datetime.timedelta(
            days=FOLLOW_UP_BEFORE_DAYS)))
        audit("create", request=request, user=actor, target=item,
              summary={"problem": item.problem[:100], "owner": item.owner_name, "leader": item.leader_name,
                       "due_on": due_on, "origin": item.get_origin_display()})
    return item


def items_from_talk(actor, talk, entries, *, request=None):
    """One item per chosen problem or requirement of the talk's record (the page lets each be edited)."""
    days = talk.programme.rectification_days
    start = talk.record.held_on if hasattr(talk, "record") else timezone.localdate()
    owner = owner_for(talk)
    made = []
    with transaction.atomic():
        for problem, measures in entries:
            made.append(create_item(
                actor, unit=talk.unit, origin=Item.Origin.TALK, talk=talk, problem=problem, measures=measures,
                owner=owner, owner_name=talk.subject_name if owner is None else "", leader=talk.lead,
                leader_name=talk.lead_name, start_on=start, due_on=start + datetime.timedelta(days=days),
                request=request))
    return made


def _lock(item):
    return Item.objects.select_for_update().get(pk=item.pk)


def _owner_only(actor, item):
    if item.owner_id != actor.pk:
        raise RectificationError("只有责任人本人可以报告整改进展。")


def save_evidence(actor, item, uploaded, event):
    try:
        stored, name = store_upload(uploaded, settings.RECTIFICATION_FILE_DIR, allowed=EVIDENCE_TYPES,
                                    max_bytes=EVIDENCE_MAX_BYTES, default_name="证明材料")
    except UploadRefused as exc:
        raise RectificationError(str(exc)) from None
    return Evidence.objects.create(item=item, event=event, original_name=name, stored_name=stored,
                                   size=uploaded.size, uploaded_by=actor)


def report_progress(actor, item, *, text, files=(), ask_sign_off=False, request=None):
    """The responsible person's progress, with evidence; optionally asking for sign-off (销号)."""
    with transaction.atomic():
        item = _lock(item)
        _owner_only(actor, item)
        if item.status in (Item.Status.CLOSED, Item.Status.AWAITING):
            raise RectificationError(f"事项{item.get_status_display()},不能报告进展。")
        if not text.strip():
            raise RectificationError("请填写整改进展。")
        if ask_sign_off and not (files or item.evidence.exists()):
            raise RectificationError("申请销号须附整改证明材料。")
        event = _event(item, actor, "申请销号" if ask_sign_off else "报告进展", text.strip())
        stored = [save_evidence(actor, item, f, event) for f in files]
        item.status = Item.Status.AWAITING if ask_sign_off else Item.Status.IN_PROGRESS
        item.save(update_fields=["status"])
        audit("update", request=request, user=actor, target=item,
              summary={"progress": text.strip()[:200], "evidence": [e.original_name for e in stored],
                       "status": item.get_status_display()})
    return item


def verify(actor, item, *, accept, reason="", request=None, now=None):
    """The responsible leader closes the item (销号) or sends it back with a reason (退回)."""
    now = now or timezone.now()
    with transaction.atomic():
        item = _lock(item)
        if item.leader_id != actor.pk:
            raise RectificationError("只有责任领导可以核实销号或退回。")
        if item.status != Item.Status.AWAITING:
            raise RectificationError("责任人尚未申请销号。")
        if not accept and not reason.strip():
            raise RectificationError("退回须说明理由。")
        if accept:
            item.status, item.closed_at = Item.Status.CLOSED, now
            _event(item, actor, "核实销号", reason.strip())
            FollowUp.objects.create(item=item, by=item.leader,
                                    planned_on=timezone.localtime(now).date() + datetime.timedelta(
                                        days=FOLLOW_UP_AFTER_DAYS))
        else:
            item.status = Item.Status.RETURNED
            _event(item, actor, "退回", reason.strip())
        item.save(update_fields=["status", "closed_at"])
        audit("update", request=request, user=actor, target=item,
              summary={"verified": "销号" if accept else "退回", "reason": reason.strip()[:200]})
        if accept and item.talk_id:
            close_talk_if_done(item.talk_id)
    return item


def close_talk_if_done(talk_id):
    """A talk is closed when its record is confirmed and all its rectification is closed."""
    talk = Talk.objects.get(pk=talk_id)
    open_items = Item.objects.filter(talk_id=talk_id).exclude(status=Item.Status.CLOSED).exists()
    if talk.status == Talk.Status.CONFIRMED and not open_items:
        talk.status = Talk.Status.CLOSED
        talk.save(update_fields=["status"])


def escalate(actor, item, *, reason, new_due_on=None, today=None, request=None):
    """One step up: 逾期提醒 → 责令限期整改 (with a new time limit) → 移交纪律处分/组织处理."""
    today = today or timezone.localdate()
    with transaction.atomic():
        item = _lock(item)
        if item.status == Item.Status.CLOSED:
            raise RectificationError("事项已销号。")
        if today <= item.due_on:
            raise RectificationError("事项尚未逾期,不能升级督办。")
        if item.escalation >= Item.Escalation.HANDLING:
            raise RectificationError("已移交纪律处分/组织处理。")
        if not reason.strip():
            raise RectificationError("请说明升级督办的理由。")
        step = item.escalation + 1
        if step == Item.Escalation.ORDER:
            overdue = (today - item.due_on).days
            if overdue < settings.TANHUA_ESCALATE_AFTER_DAYS:
                raise RectificationError(f"逾期 {overdue} 天,满 {settings.TANHUA_ESCALATE_AFTER_DAYS} 天后方可责令限期整改。")
            if new_due_on is None or new_due_on <= today:
                raise RectificationError("责令限期整改须规定新的整改时限。")
            item.due_on = new_due_on
        item.escalation = step
        item.save()
        label = Item.Escalation(step).label
        _event(item, actor, label, reason.strip() + (f";新时限 {cn_date(new_due_on)}" if new_due_on else ""))
        audit("update", request=request, user=actor, target=item,
              summary={"escalation": label, "reason": reason.strip()[:200], "new_due_on": new_due_on})
    return item


def _is_subject(actor, item):
    """The item's responsible person: its owner, or the talk's subject by their cadre record."""
    if item.owner_id and item.owner_id == actor.pk:
        return True
    return bool(actor.cadre_id and item.talk_id and item.talk.cadre_id == actor.cadre_id)


def check_record_follow_up(actor, follow_up, *, correction=False):
    """Who may record a visit (or correct a recorded one), for every entry point: the planned visitor
    or the office (rectification.add, the item in their scope: the caller's lookup), never the subject.

    A recorded visit is final: a mistake is put right by a correction, a new visit pointing back.
    """
    item = follow_up.item
    if _is_subject(actor, item):
        raise RectificationError("整改责任人不能记录对本人事项的回访。")
    if follow_up.by_id != actor.pk and not actor.has_perm("rectification.add"):
        raise RectificationError("只有计划的回访人或纪委工作人员可以记录回访。")
    if correction:
        if not follow_up.done_on:
            raise RectificationError("这次回访尚未记录,无需更正。")
        if follow_up.corrections.exists():
            raise RectificationError("这次回访已经更正过,请更正最新的一条。")
    elif follow_up.done_on:
        raise RectificationError("这次回访已经记录,不能修改;如有错误请“更正”(另记一条)。")


def may_record_follow_up(actor, follow_up, *, correction=False):
    try:
        check_record_follow_up(actor, follow_up, correction=correction)
    except RectificationError:
        return False
    return True


def _visit_facts(item, done_on, findings):
    if not findings.strip():
        raise RectificationError("请填写回访情况。")
    if done_on is None:
        raise RectificationError("请填写回访日期。")
    message = happened_error(done_on, "回访日期", not_before=item.start_on, not_before_what="整改开始日期")
    if message:
        raise RectificationError(message)


def record_follow_up(actor, follow_up, *, done_on, way, findings, recurred, request=None, now=None):
    """A visit: if the problem came back, the item is reopened. The visitor (``by``) stays who was
    planned to visit (the office may write down the leader's visit); the writer is ``recorded_by``."""
    with transaction.atomic():
        item = _lock(follow_up.item)
        # Locked and read again: two posts at once cannot both record the same visit.
        follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
        follow_up.item = item
        check_record_follow_up(actor, follow_up)
        _visit_facts(item, done_on, findings)
        follow_up.done_on, follow_up.way, follow_up.findings, follow_up.recurred = done_on, way, findings.strip(), recurred
        follow_up.by = follow_up.by or actor
        follow_up.recorded_by, follow_up.recorded_at = actor, now or timezone.now()
        follow_up.save()
        _event(item, actor, "回访", f"{follow_up.get_way_display()}:{findings.strip()}" + (";问题反弹" if recurred else ""))
        reopened = _reopen_if_recurred(actor, item, recurred, done_on)
        audit("update", request=request, user=actor, target=item,
              summary={"follow_up": follow_up.pk, "way": follow_up.get_way_display(), "done_on": done_on,
                       "by": _name(follow_up.by), "recurred": recurred})
    return reopened


def correct_follow_up(actor, follow_up, *, reason, done_on, way, findings, recurred, request=None, now=None):
    """更正: a recorded visit stays as it was; the correction is a new visit pointing back to it."""
    if not reason.strip():
        raise RectificationError("请说明更正的理由。")
    with transaction.atomic():
        item = _lock(follow_up.item)
        follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
        follow_up.item = item
        check_record_follow_up(actor, follow_up, correction=True)
        _visit_facts(item, done_on, findings)
        correction = FollowUp.objects.create(
            item=item, planned_on=follow_up.planned_on, by=follow_up.by or actor, done_on=done_on, way=way,
            findings=findings.strip(), recurred=recurred, recorded_by=actor, recorded_at=now or timezone.now(),
            corrects=follow_up)
        _event(item, actor, "更正回访", f"更正{cn_date(follow_up.done_on)}的回访({reason.strip()}):"
               f"{correction.get_way_display()}:{findings.strip()}" + (";问题反弹" if recurred else ""))
        reopened = _reopen_if_recurred(actor, item, recurred, done_on)
        audit("update", request=request, user=actor, target=item,
              summary={"follow_up": correction.pk, "corrects": follow_up.pk, "reason": reason.strip()[:200],
                       "way": correction.get_way_display(), "done_on": done_on, "recurred": recurred})
    return correction, reopened


def _reopen_if_recurred(actor, item, recurred, done_on):
    if not (recurred and item.status == Item.Status.CLOSED):
        return None
    item.status, item.closed_at = Item.Status.IN_PROGRESS, None
    item.due_on = max(item.due_on, done_on) + datetime.timedelta(days=30)
    item.save()
    _event(item, actor, "问题反弹,重新整改", f"新时限 {cn_date(item.due_on)}")
    if item.talk_id:
        Talk.objects.filter(pk=item.talk_id, status=Talk.Status.CLOSED).update(status=Talk.Status.CONFIRMED)
    return item
