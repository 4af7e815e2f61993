"""Programmes, rounds, the draw and its public page, talks, the subject's own view, the calendar.

Permissions: talks.view to see; talks.add to run programmes (create rounds, designate,
freeze, draw, send notices); a group member takes part in a draw (commit, reveal) with talks.change on a
round in their scope, and only in their own input slot.
"""

import calendar
import datetime
import io
import json
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from tanhua.accounts.scope import get_in_scope_or_404, scope_queryset, user_scope
from tanhua.audit.services import record

from . import doccontext, documents, records, selectors, services
from . import draw as algorithm
from .forms import (
    CalendarForm,
    CommitForm,
    DesignationForm,
    OutlineTemplateForm,
    PreparationForm,
    ProgrammeForm,
    RecordForm,
    ReportForm,
    RevealForm,
    RoundForm,
    TargetedTalkForm,
)
from .models import (
    Draw,
    DrawInput,
    Kind,
    OutlineTemplate,
    Programme,
    RecordEntry,
    Round,
    Talk,
    TalkRecord,
    TalkReport,
)
from .outline import flags as outline_flags
from .presets import preset

PAGE_SIZE = 50
ENTRY_ROWS_BLANK = 8
ENTRY_ROWS_MAX = 200
POOL_SHOWN = 300
VERIFIER = Path(algorithm.__file__)


def _programmes(user):
    return scope_queryset(Programme.objects.select_related("unit"), user)


def _round(request, pk, *, lock_perm=None):
    if lock_perm and not request.user.has_perm(lock_perm):
        raise PermissionDenied
    return get_in_scope_or_404(Round.objects.select_related("programme__unit"), request.user, pk=pk)


def _step(request, round_, action, *args, success, **kwargs):
    """Run one step of the protocol; its refusal becomes a message on the round's page."""
    try:
        action(request.user, *args, request=request, **kwargs)
    except services.DrawError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect("talks:round", pk=round_.pk)


# --- Programmes --------------------------------------------------------------------------------


@permission_required("talks.view", raise_exception=True)
def programme_list(request):
    programmes = list(_programmes(request.user).order_by("unit__path", "name"))
    rounds = {}
    for round_ in Round.objects.filter(programme__in=programmes).order_by("programme_id", "-date"):
        rounds.setdefault(round_.programme_id, []).append(round_)
    for programme in programmes:
        programme.recent = rounds.get(programme.pk, [])[:3]
        programme.round_count = len(rounds.get(programme.pk, []))
    return render(request, "talks/programmes.html", {"programmes": programmes})


@permission_required("talks.add", raise_exception=True)
def programme_add(request):
    # Started from a kind: the settings the reports describe for it (presets.py).
    kind = request.GET.get("kind")
    initial = {}
    if kind in Kind.values:
        initial = preset(kind)
        initial["agenda_text"] = "\n".join(f"{s['title']}|{s['minutes']}" for s in initial.pop("agenda"))
        initial["unit"] = request.user.unit_id
    form = ProgrammeForm(request.POST or None, actor=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        members, agenda = data.pop("members_text"), data.pop("agenda_text")
        programme = services.create_programme(request.user, members=members, agenda=agenda, request=request, **data)
        messages.success(request, f"已创建谈话活动“{programme.name}”。")
        return redirect("talks:programme", pk=programme.pk)
    return render(request, "talks/programme_form.html", {"form": form, "kinds": Kind.choices})


@permission_required("talks.add", raise_exception=True)
def programme_edit(request, pk):
    programme = get_in_scope_or_404(Programme.objects.all(), request.user, pk=pk)
    form = ProgrammeForm(request.POST or None, instance=programme, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        members, agenda = data.pop("members_text"), data.pop("agenda_text")
        try:
            services.update_programme(request.user, programme, members=members, agenda=agenda, request=request,
                                      **data)
        except services.DrawError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "已保存活动设置;已冻结或已抽取的批次仍按当时记录的规则。")
            return redirect("talks:programme", pk=programme.pk)
    return render(request, "talks/programme_form.html", {"form": form, "programme": programme})


@permission_required("talks.view", raise_exception=True)
def programme_detail(request, pk):
    programme = get_in_scope_or_404(Programme.objects.select_related("unit", "head_lead", "other_lead"),
                                    request.user, pk=pk)
    rounds = programme.rounds.select_related("draw").order_by("-date", "-number")
    targeted = programme.talks.filter(round=None).select_related("cadre", "unit").order_by("-starts_at")[:50]
    form = RoundForm(programme=programme, initial={
        "date": services.next_round_date(programme), "random_count": programme.random_count,
        "members": [m.user_id for m in programme.members.all() if m.user_id],
    })
    return render(request, "talks/programme.html", {
        "programme": programme, "rounds": rounds, "members": programme.members.select_related("user"),
        "round_form": form, "targeted": targeted,
    })


@permission_required("talks.add", raise_exception=True)
def round_add(request, pk):
    programme = get_in_scope_or_404(Programme.objects.all(), request.user, pk=pk)
    form = RoundForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        round_ = services.create_round(
            request.user, programme, date=data["date"], start_time=data["start_time"], place=data["place"],
            random_count=data["random_count"], public_labels=data["public_labels"], member_users=data["members"],
            note=data["note"], request=request)
        messages.success(request, f"已创建第{round_.number}批。请在冻结名单之前录入指定对象,并请小组成员登记承诺值。")
        return redirect("talks:round", pk=round_.pk)
    return render(request, "talks/round_form.html", {"programme": programme, "form": form})


@permission_required("talks.add", raise_exception=True)
def targeted_add(request, pk):
    """A talk with a named cadre, outside any round: 提醒, 诫勉, 任前 … talks."""
    programme = get_in_scope_or_404(Programme.objects.all(), request.user, pk=pk)
    form = TargetedTalkForm(request.POST or None, actor=request.user, programme=programme)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            talk = services.targeted_talk(request.user, programme, cadre=data["cadre"], starts_at=data["starts_at"],
                                          place=data["place"], reason=data["reason"], request=request)
        except services.DrawError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已安排与{talk.subject_name}的{talk.get_kind_display()}。")
            return redirect("talks:talk", pk=talk.pk)
    return render(request, "talks/targeted_form.html", {"programme": programme, "form": form})


# --- Rounds and the draw -----------------------------------------------------------------------


@permission_required("talks.view", raise_exception=True)
def round_detail(request, pk):
    round_ = _round(request, pk)
    frozen = Draw.objects.filter(round=round_).first()
    designations = list(round_.designations.select_related("cadre__unit", "unit").prefetch_related("clues"))
    # Suggestions only while a designation can still be made.
    can_designate = (round_.status == Round.Status.DRAFT and request.user.has_perm("talks.add")
                     and len(designations) < round_.programme.designated_count)
    slots = list(round_.inputs.select_related("member", "entered_by"))
    mine = [s for s in slots if s.member_id == request.user.pk]
    pool = []
    if frozen is not None:
        selected = set(frozen.selected or [])
        weights = frozen.weights or [None] * len(frozen.pool)
        pool = [{"id": c, "label": frozen.labels.get(str(c), c), "weight": w, "p": p, "selected": c in selected}
                for c, w, p in list(zip(frozen.pool, weights, frozen.probabilities, strict=True))[:POOL_SHOWN]]
    return render(request, "talks/round.html", {
        "round": round_, "programme": round_.programme, "draw": frozen, "slots": slots, "mine": mine,
        "pool": pool, "pool_hidden": max(0, len(frozen.pool) - POOL_SHOWN) if frozen else 0,
        "designations": designations,
        "talks": round_.talks.select_related("cadre", "unit", "lead").order_by("starts_at"),
        "designation_form": DesignationForm(actor=request.user, programme=round_.programme,
                                            initial=_designation_fill(request.GET)),
        "suggestions": selectors.designation_suggestions(request.user, round_) if can_designate else [],
        "suggest_months": selectors.SUGGEST_CLOSED_MONTHS,
        "public_url": request.build_absolute_uri(reverse("public:draw", args=[frozen.public_token]))
        if frozen is not None and frozen.public_token else "",
        "commit_form": CommitForm(), "reveal_form": RevealForm(),
        "ready": all(s.value for s in slots if s.kind != DrawInput.Kind.SERVER),
        "can_run": request.user.has_perm("talks.add"),
        "conflicts": list(services.conflicted(round_.programme).values()) if round_.status == Round.Status.DRAFT else [],
    })


def _designation_fill(params):
    # A suggestion's link fills the form (GET, nothing saved): the office reads it and submits.
    fields = {"cadre_text": 40, "unit": 12, "reason": 300, "clue_numbers": 300}
    return {name: params[name][:size] for name, size in fields.items() if params.get(name)}


@require_POST
def designate(request, pk):
    round_ = _round(request, pk, lock_perm="talks.add")
    form = DesignationForm(request.POST, actor=request.user, programme=round_.programme)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}:{';'.join(errors)}" if label else ";".join(errors))
        return redirect("talks:round", pk=round_.pk)
    data = form.cleaned_data
    return _step(request, round_, services.designate, round_, cadre=data["cadre"], unit=data["unit"],
                 reason=data["reason"], clues=data["clues"], success="已指定谈话对象,不参加本批随机抽取。")


@require_POST
def designation_delete(request, pk, designation):
    round_ = _round(request, pk, lock_perm="talks.add")
    item = get_object_or_404(round_.designations, pk=designation)
    return _step(request, round_, services.remove_designation, item, success="已撤销指定。")


@require_POST
def freeze(request, pk):
    round_ = _round(request, pk, lock_perm="talks.add")
    return _step(request, round_, services.freeze, round_,
                 success="候选名单已冻结,名单哈希和系统随机值的哈希已记录。请公布各项输入后抽取。")


@require_POST
def draw_now(request, pk):
    round_ = _round(request, pk, lock_perm="talks.add")
    return _step(request, round_, services.perform_draw, round_, success="抽取完成,谈话已安排。")


def _slot(request, pk, slot):
    round_ = _round(request, pk, lock_perm="talks.change")
    return round_, get_object_or_404(round_.inputs, pk=slot)


@require_POST
def commit(request, pk, slot):
    round_, item = _slot(request, pk, slot)
    form = CommitForm(request.POST)
    form.is_valid()
    return _step(request, round_, services.commit, item, value=form.cleaned_data.get("value", ""),
                 digest=form.cleaned_data.get("digest", ""), success="承诺哈希已登记。请牢记您的秘密值,冻结后原样公布。")


@require_POST
def reveal(request, pk, slot):
    round_, item = _slot(request, pk, slot)
    form = RevealForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请输入公布值。")
        return redirect("talks:round", pk=round_.pk)
    action = services.enter_public if item.kind == DrawInput.Kind.PUBLIC else services.reveal
    if item.kind == DrawInput.Kind.PUBLIC and not request.user.has_perm("talks.add"):
        raise PermissionDenied
    return _step(request, round_, action, item, form.cleaned_data["value"], success=f"已录入:{item.label}。")


@permission_required("talks.view", raise_exception=True)
def draw_page(request, pk):
    """The draw as group members and observers see it, with how to check it themselves."""
    frozen = get_in_scope_or_404(Draw.objects.select_related("round__programme__unit"), request.user, pk=pk)
    chain = list(Draw.objects.filter(programme_id=frozen.programme_id, seq__isnull=False)
                 .select_related("round").order_by("seq"))
    selected = [{"id": c, "label": frozen.labels.get(str(c), c)} for c in frozen.selected or []]
    return render(request, "talks/draw.html", {
        "draw": frozen, "round": frozen.round, "programme": frozen.programme, "chain": chain, "selected": selected,
        "inputs": frozen.round.inputs.all(), "designations": frozen.round.designations.select_related("cadre", "unit"),
    })


@permission_required("talks.view", raise_exception=True)
def draw_record(request, pk):
    frozen = get_in_scope_or_404(Draw.objects.select_related("round__programme"), request.user, pk=pk)
    try:
        body = services.export_record(frozen)
    except services.DrawError as exc:
        raise Http404(exc.message) from None
    record("download", request=request, target=frozen, summary={"record_hash": frozen.record_hash})
    response = HttpResponse(json.dumps(body, ensure_ascii=False, indent=2), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="draw-{frozen.pk}.json"'
    return response


@permission_required("talks.view", raise_exception=True)
def verifier(request):
    """The standalone verifier (standard library only), for anyone to run on an exported record."""
    return FileResponse(VERIFIER.open("rb"), as_attachment=True, filename="verify_draw.py",
                        content_type="text/x-python; charset=utf-8")


def _office_draw(request, pk):
    if not request.user.has_perm("talks.add"):
        raise PermissionDenied
    return get_in_scope_or_404(Draw.objects.select_related("round"), request.user, pk=pk)


@require_POST
def draw_publish(request, pk):
    """Publish the draw's public link (公示): anyone with the link may open it without a login."""
    frozen = _office_draw(request, pk)
    return _step(request, frozen.round, services.publish_draw, frozen,
                 success="已发布公示链接。任何人持此链接无需登录即可查看本次抽取并下载记录自行校验。")


@require_POST
def draw_withdraw(request, pk):
    frozen = _office_draw(request, pk)
    return _step(request, frozen.round, services.withdraw_publication, frozen,
                 success="已撤回公示链接,原链接已失效。")


# --- Talks -------------------------------------------------------------------------------------


def _talks(user):
    return scope_queryset(Talk.objects.select_related("cadre", "unit", "programme", "round", "lead"), user)


@permission_required("talks.view", raise_exception=True)
def talk_list(request):
    page = Paginator(_talks(request.user).order_by("-starts_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "talks/talks.html", {"page": page})


def _talk(request, pk, *, perm="talks.view"):
    if not request.user.has_perm(perm):
        raise PermissionDenied
    return get_in_scope_or_404(_talks(request.user), request.user, pk=pk)


class _SubjectRedirect(Exception):
    pass


def _office_talk(request, pk, *, perm="talks.view"):
    """A talk for the office and the group; its subject is sent to their own view instead."""
    talk = _talk(request, pk, perm=perm)
    if talk.cadre_id and talk.cadre_id == request.user.cadre_id:
        raise _SubjectRedirect(talk.pk)
    return talk


def subject_redirect(view):
    """The subject of a talk never sees its preparation or writes its record."""
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except _SubjectRedirect as exc:
            return redirect("talks:my_talk", pk=exc.args[0])
    wrapped.__name__, wrapped.__doc__ = view.__name__, view.__doc__
    return wrapped


def _docx(out, filename, request=None):
    """The document as .docx, or as PDF with ?format=pdf where LibreOffice is installed."""
    if request is not None and request.GET.get("format") == "pdf":
        try:
            pdf = documents.to_pdf(out)
        except documents.DocumentTemplateError as exc:
            return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
        return FileResponse(io.BytesIO(pdf), as_attachment=True, filename=filename.rsplit(".", 1)[0] + ".pdf",
                            content_type="application/pdf")
    return FileResponse(out, as_attachment=True, filename=filename,
                        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")


@subject_redirect
def talk_detail(request, pk):
    """The talk's page for the office and the group: preparation, the report, the record."""
    talk = _office_talk(request, pk)
    rows = records.problem_rows(request.user, talk, request=request)
    chosen = set(talk.problems.values_list("pk", flat=True))
    form = PreparationForm(rows=rows, initial={"chosen": list(chosen), "outline": talk.outline})
    record = records.read_record(request.user, talk, request=request)
    state, state_text = records.report_state(talk)
    return render(request, "talks/talk.html", {
        "talk": talk, "members": talk.members.all(), "rows": rows, "chosen": chosen, "form": form,
        "flags": outline_flags(records.subject_of(talk)), "record": record, "report_state": state,
        "report_text": state_text, "report": getattr(talk, "report", None),
        "events": talk.events.select_related("user"),
        "talk_day_come": records.day_has_come(talk),
        "editable": records.STATUS_ORDER.index(talk.status)
        < records.STATUS_ORDER.index(Talk.Status.HELD),
    })


@require_POST
@subject_redirect
def talk_prepare(request, pk):
    talk = _office_talk(request, pk, perm="talks.change")
    rows = records.problem_rows(request.user, talk, request=request)
    form = PreparationForm(request.POST, rows=rows)
    if not form.is_valid():
        messages.error(request, "提交的内容有误:" + ";".join(e for errs in form.errors.values() for e in errs))
        return redirect("talks:talk", pk=talk.pk)
    by_pk = {r["first"].pk: r for r in rows}
    # A chosen row brings every clue of its group.
    chosen = [c for pk_ in form.cleaned_data["chosen"] for c in by_pk[pk_]["clues"]]
    text, action = form.cleaned_data["outline"], form.cleaned_data["action"]
    if action == "draft":
        text = records.draft_outline(request.user, talk, [by_pk[pk_]["first"] for pk_ in form.cleaned_data["chosen"]])
    try:
        records.save_preparation(request.user, talk, chosen=chosen, text=text, final=action == "final",
                                 request=request)
    except records.TalkError as exc:
        messages.error(request, ";".join(exc.messages))
    else:
        messages.success(request, {"draft": "已按选用的问题和适用的提纲模板生成草稿,请修改后定稿。",
                                   "save": "提纲已保存。", "final": "提纲已定稿。"}[action])
    return redirect("talks:talk", pk=talk.pk)


@subject_redirect
def talk_record(request, pk):
    """Write or correct the record (the group's recorder)."""
    talk = _office_talk(request, pk, perm="talks.change")
    record = getattr(talk, "record", None)
    if not records.day_has_come(talk):
        messages.error(request, "谈话尚未进行:谈话之日起才能填写谈话记录。")
        return redirect("talks:talk", pk=talk.pk)
    if record is not None and record.confirmed_at:
        messages.error(request, "谈话记录已经本人确认,不能再修改。")
        return redirect("talks:talk", pk=talk.pk)
    local = timezone.localtime(talk.starts_at)
    initial = {"held_on": local.date(), "start_time": local.time(), "place": talk.place, "lead_name": talk.lead_name,
               "end_time": (local + datetime.timedelta(minutes=talk.minutes)).time(),
               "recorder_name": request.user.full_name or request.user.username,
               "present": list(talk.members.all()), "influence_months": 6 if talk.kind == "admonishment" else None}
    if record is not None:
        initial.update(held_on=record.held_on, start_time=record.start_time, end_time=record.end_time,
                       place=record.place, lead_name=record.lead_name, recorder_name=record.recorder_name,
                       present=list(record.present.all()), influence_months=record.influence_months,
                       appointment=record.appointment)
    form = RecordForm(request.POST or None, talk=talk, initial=initial)
    entries = [(e.kind, e.text) for e in record.entries.all()] if record else []
    if request.method == "POST":
        entries = [(request.POST.get(f"entry-{n}-kind", ""), request.POST.get(f"entry-{n}-text", ""))
                   for n in range(ENTRY_ROWS_MAX)]
        entries = [(k, t) for k, t in entries if k in RecordEntry.Kind.values and t.strip()]
        if form.is_valid():
            data = form.cleaned_data
            try:
                records.save_record(request.user, talk, held_on=data["held_on"], start_time=data["start_time"],
                                    end_time=data["end_time"], place=data["place"], lead_name=data["lead_name"],
                                    present=data["present"], recorder_name=data["recorder_name"], entries=entries,
                                    influence_months=data["influence_months"], appointment=data["appointment"],
                                    request=request)
            except records.TalkError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, "谈话记录已保存,请谈话对象确认。")
                return redirect("talks:talk", pk=talk.pk)
    rows = [{"n": n, "kind": k, "text": t} for n, (k, t) in enumerate(entries)]
    rows += [{"n": n, "kind": "", "text": ""} for n in range(len(rows), len(rows) + ENTRY_ROWS_BLANK)]
    return render(request, "talks/record_form.html", {"talk": talk, "form": form, "rows": rows[:ENTRY_ROWS_MAX],
                                                      "kinds": RecordEntry.Kind.choices})


@require_POST
@subject_redirect
def talk_confirm_paper(request, pk):
    talk = _office_talk(request, pk, perm="talks.change")
    try:
        records.confirm_record(request.user, talk, how=TalkRecord.Confirmation.PAPER, request=request)
    except records.TalkError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, "已登记:谈话对象在纸质记录上签字确认。")
    return redirect("talks:talk", pk=talk.pk)


@subject_redirect
def talk_outline_doc(request, pk):
    talk = _office_talk(request, pk)
    saver = talk.outline_saved_by
    context = doccontext.outline(talk, outline_flags(records.subject_of(talk)),
                                 (saver.full_name or saver.username) if saver else "")
    record("export", request=request, target=talk, summary={"document": "谈话提纲"})
    return _docx(documents.render("outline", context), f"谈话提纲_{talk.subject_name}.docx", request)


@subject_redirect
def talk_report_doc(request, pk):
    talk = _office_talk(request, pk)
    report = TalkReport.objects.filter(talk=talk).first()
    if report is None:
        raise Http404("谈话对象尚未提交汇报")
    record("download", request=request, target=talk, summary={"document": "本人汇报"})
    return _docx(documents.render("report", doccontext.report(talk, report)), f"本人汇报_{talk.subject_name}.docx",
                 request)


def talk_record_doc(request, pk):
    talk = _talk(request, pk)
    if not records.may_open_record(request.user, talk):
        raise Http404("不存在或无权查看")
    talk_record_ = records.read_record(request.user, talk, request=request)
    if talk_record_ is None:
        raise Http404("还没有谈话记录")
    return _docx(documents.render("record", doccontext.record(talk, talk_record_)), f"谈话记录_{talk.subject_name}.docx",
                 request)


@permission_required("talks.view", raise_exception=True)
def round_list_doc(request, pk):
    round_ = _round(request, pk)
    talks = list(round_.talks.select_related("cadre", "unit").order_by("starts_at"))
    context = doccontext.round_list(round_, talks, Draw.objects.filter(round=round_).first())
    record("export", request=request, target=round_, summary={"document": "谈话安排表", "talks": len(talks)})
    return _docx(documents.render("round_list", context), f"谈话安排_{round_.programme.name}第{round_.number}批.docx",
                 request)


def talk_notice(request, pk):
    """The notice as a document: downloading it changes nothing (sending is ``talk_send_notice``)."""
    talk = _talk(request, pk)
    # Printed by the office before it records the sending: the one printing it is the contact.
    out = documents.notice(talk, sender=request.user if request.user.has_perm("talks.add") else None)
    record("export", request=request, target=talk, summary={"document": "谈话通知书"})
    return _docx(out, f"谈话通知书_{talk.subject_name}.docx", request)


@require_POST
@subject_redirect
def talk_send_notice(request, pk):
    """发出通知: the office (talks.add) records that the notice went out, by whom and when."""
    talk = _office_talk(request, pk, perm="talks.add")
    try:
        services.send_notice(request.user, talk, request=request)
    except services.DrawError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已记录谈话通知发出。")
    return redirect("talks:talk", pk=talk.pk)


@require_POST
def round_send_notices(request, pk):
    """批量发出通知 for every talk of the round not yet notified."""
    round_ = _round(request, pk, lock_perm="talks.add")
    sent = services.send_round_notices(request.user, round_, request=request)
    if sent:
        messages.success(request, f"已记录 {sent} 份谈话通知发出。")
    else:
        messages.info(request, "本批次没有待发出的谈话通知。")
    return redirect("talks:round", pk=round_.pk)


def my_talks(request):
    """The subject's own view: their talks to come and past, what to hand in and by when."""
    cadre_id = request.user.cadre_id
    talks = (Talk.objects.filter(cadre_id=cadre_id).select_related("programme", "unit", "lead").order_by("-starts_at")
             if cadre_id else Talk.objects.none())
    now = timezone.now()
    return render(request, "talks/my_talks.html", {
        "upcoming": [t for t in talks if t.starts_at >= now][::-1], "past": [t for t in talks if t.starts_at < now],
    })


def _my_talk(request, pk):
    if not request.user.cadre_id:
        raise Http404("不存在或无权查看")
    return get_object_or_404(Talk.objects.select_related("programme", "unit", "lead", "cadre"),
                             pk=pk, cadre_id=request.user.cadre_id)


def my_talk(request, pk):
    """The subject's talk: when and where, the report to hand in, the record to confirm."""
    talk = _my_talk(request, pk)
    report = TalkReport.objects.filter(talk=talk).first()
    form = None
    if talk.report_kind != "none" and records.STATUS_ORDER.index(talk.status) < records.STATUS_ORDER.index("held"):
        initial = {}
        if report is not None:
            initial = {f"day_{n}": row["work"] for n, row in enumerate(report.days)}
            initial.update(after_hours="\n".join(report.after_hours), integrity="\n".join(report.integrity),
                           text=report.text)
        form = ReportForm(days=records.report_days(talk) if talk.report_kind == "half_month" else [], initial=initial)
    talk_record_ = records.read_record(request.user, talk, request=request) if records.may_open_record(
        request.user, talk) else None
    return render(request, "talks/my_talk.html", {"talk": talk, "report": report, "form": form,
                                                  "owed": records.unreported_days(report) if report else [],
                                                  "record": talk_record_, "today": timezone.localdate(),
                                                  # How the subject was chosen, when the office published it.
                                                  "public_token": selectors.round_public_token(talk.round_id)})


@require_POST
def my_talk_report(request, pk):
    talk = _my_talk(request, pk)
    form = ReportForm(request.POST, days=records.report_days(talk) if talk.report_kind == "half_month" else [])
    if not form.is_valid():
        messages.error(request, "提交的内容有误:" + ";".join(e for errs in form.errors.values() for e in errs))
        return redirect("talks:my_talk", pk=talk.pk)
    data = form.cleaned_data
    try:
        records.submit_report(request.user, talk, days=form.cleaned_days(), after_hours=form.lines(data["after_hours"]),
                              integrity=form.lines(data["integrity"]), text=data["text"], request=request)
    except records.TalkError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, "汇报已提交。谈话前仍可修改后重新提交。")
    return redirect("talks:my_talk", pk=talk.pk)


@require_POST
def my_talk_confirm(request, pk):
    talk = _my_talk(request, pk)
    try:
        records.confirm_record(request.user, talk, how=TalkRecord.Confirmation.ONLINE, request=request)
    except records.TalkError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, "您已确认谈话记录。")
    return redirect("talks:my_talk", pk=talk.pk)


def my_talk_notice(request, pk):
    talk = _my_talk(request, pk)
    record("download", request=request, target=talk, summary={"document": "谈话通知书"})
    return _docx(documents.notice(talk), "谈话通知书.docx")


# --- Document templates: an administrator replaces them in Word -----------------------------------

MAX_TEMPLATE_BYTES = 5 * 1024 * 1024


def _document_admin(request):
    # One set of templates for the whole installation: a 全部-scope administrator's.
    if not request.user.has_perm("accounts.change") or not user_scope(request.user).everything:
        raise PermissionDenied


def doc_templates(request):
    _document_admin(request)
    rows = [{"name": name, "label": label, "overridden": documents.is_overridden(name)}
            for name, label in documents.template_names()]
    return render(request, "talks/doc_templates.html", {"rows": rows, "max_mb": MAX_TEMPLATE_BYTES // 1024 // 1024})


def doc_template_download(request, name):
    _document_admin(request)
    try:
        path = documents.template_path(name)
    except documents.DocumentTemplateError:
        raise Http404("没有这个文书模板") from None
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"{name}.docx",
                        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")


@require_POST
def doc_template_upload(request, name):
    _document_admin(request)
    if name not in dict(documents.template_names()):
        raise Http404("没有这个文书模板")
    upload = request.FILES.get("file")
    if upload is None or not upload.name.lower().endswith(".docx"):
        messages.error(request, "请选择 Word 文档(.docx)。")
    elif upload.size > MAX_TEMPLATE_BYTES:
        messages.error(request, f"模板文件过大(最大 {MAX_TEMPLATE_BYTES // 1024 // 1024} MB)。")
    else:
        data = upload.read()
        try:
            documents.check(name, data)  # a broken template never replaces a working one
        except documents.DocumentTemplateError as exc:
            messages.error(request, str(exc))
        else:
            target = documents.override_dir()
            target.mkdir(parents=True, exist_ok=True)
            (target / f"{name}.docx").write_bytes(data)
            record("update", request=request, object_type="talks.doctemplate", object_id=name,
                   object_repr=f"文书模板 {name}.docx", summary={"bytes": len(data), "file": upload.name[:100]})
            messages.success(request, f"已替换文书模板 {name}.docx。")
    return redirect("talks:doc_templates")


@require_POST
def doc_template_reset(request, name):
    _document_admin(request)
    if name not in dict(documents.template_names()):
        raise Http404("没有这个文书模板")
    if documents.is_overridden(name):
        documents.template_path(name).unlink()
        record("delete", request=request, object_type="talks.doctemplate", object_id=name,
               object_repr=f"文书模板 {name}.docx", summary={"restored": "默认模板"})
        messages.success(request, f"已恢复默认模板 {name}.docx。")
    return redirect("talks:doc_templates")


# --- Outline templates (managed data) -----------------------------------------------------------


def _template_admin(request):
    scope = user_scope(request.user)
    # Shared by every unit: shaped by the commission's own staff at the top of the tree.
    if not request.user.has_perm("talks.add") or not (scope.everything or scope.whole_tree):
        raise PermissionDenied


def outline_templates(request):
    _template_admin(request)
    return render(request, "talks/outline_templates.html", {"templates": OutlineTemplate.objects.all()})


def outline_template_edit(request, pk=None):
    _template_admin(request)
    template = get_object_or_404(OutlineTemplate, pk=pk) if pk else None
    form = OutlineTemplateForm(request.POST or None, instance=template)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save()
            record("create" if template is None else "update", request=request, target=saved,
                   summary={"title": saved.title})
        messages.success(request, f"已保存提纲模板“{saved.title}”。")
        return redirect("talks:outline_templates")
    return render(request, "talks/outline_template_form.html", {"form": form, "template": template})


@permission_required("talks.view", raise_exception=True)
def talk_calendar(request):
    """A month of rounds and talks in the user's scope."""
    first = CalendarForm(request.GET).month_start()
    days_in_month = calendar.monthrange(first.year, first.month)[1]
    last = first.replace(day=days_in_month)
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))
    end = start + datetime.timedelta(days=days_in_month)
    by_day = {}
    for talk in _talks(request.user).filter(starts_at__gte=start, starts_at__lt=end).order_by("starts_at"):
        by_day.setdefault(timezone.localtime(talk.starts_at).date(), {"talks": [], "rounds": []})["talks"].append(talk)
    rounds = scope_queryset(Round.objects.select_related("programme"), request.user).filter(
        date__gte=first, date__lte=last).exclude(status=Round.Status.CANCELLED)
    for round_ in rounds:
        by_day.setdefault(round_.date, {"talks": [], "rounds": []})["rounds"].append(round_)
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month):
        weeks.append([{"day": d, "in_month": d.month == first.month, **by_day.get(d, {"talks": [], "rounds": []})}
                      for d in week])
    previous = (first - datetime.timedelta(days=1)).replace(day=1)
    following = last + datetime.timedelta(days=1)
    return render(request, "talks/calendar.html", {
        "first": first, "weeks": weeks, "previous": f"{previous:%Y-%m}", "following": f"{following:%Y-%m}",
        "today": timezone.localdate(),
    })
