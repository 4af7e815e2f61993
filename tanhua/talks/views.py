"""Programmes, rounds, the draw and its public page, talks, the subject's own view, the calendar.

Permissions: talks.view to see; talks.add to run programmes (create rounds, designate,
freeze, draw); a group member takes part in a draw (commit, reveal) with talks.change on a
round in their scope, and only in their own input slot.
"""

import calendar
import datetime
import json
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from tanhua.accounts.scope import get_in_scope_or_404, scope_queryset
from tanhua.audit.services import record

from . import documents, services
from . import draw as algorithm
from .forms import CalendarForm, CommitForm, DesignationForm, ProgrammeForm, RevealForm, RoundForm
from .models import Draw, DrawInput, Kind, Programme, Round, Talk
from .presets import preset

PAGE_SIZE = 50
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
        services.update_programme(request.user, programme, members=members, agenda=agenda, request=request, **data)
        messages.success(request, "已保存活动设置;已冻结或已抽取的批次仍按当时记录的规则。")
        return redirect("talks:programme", pk=programme.pk)
    return render(request, "talks/programme_form.html", {"form": form, "programme": programme})


@permission_required("talks.view", raise_exception=True)
def programme_detail(request, pk):
    programme = get_in_scope_or_404(Programme.objects.select_related("unit", "head_lead", "other_lead"),
                                    request.user, pk=pk)
    rounds = programme.rounds.select_related("draw").order_by("-date", "-number")
    form = RoundForm(programme=programme, initial={
        "date": services.next_round_date(programme), "random_count": programme.random_count,
        "members": [m.user_id for m in programme.members.all() if m.user_id],
    })
    return render(request, "talks/programme.html", {
        "programme": programme, "rounds": rounds, "members": programme.members.select_related("user"),
        "round_form": form,
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


# --- Rounds and the draw -----------------------------------------------------------------------


@permission_required("talks.view", raise_exception=True)
def round_detail(request, pk):
    round_ = _round(request, pk)
    frozen = Draw.objects.filter(round=round_).first()
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
        "designations": round_.designations.select_related("cadre__unit", "unit").prefetch_related("clues"),
        "talks": round_.talks.select_related("cadre", "unit", "lead").order_by("starts_at"),
        "designation_form": DesignationForm(actor=request.user, programme=round_.programme),
        "commit_form": CommitForm(), "reveal_form": RevealForm(),
        "ready": all(s.value for s in slots if s.kind != DrawInput.Kind.SERVER),
        "can_run": request.user.has_perm("talks.add"),
    })


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


# --- Talks -------------------------------------------------------------------------------------


def _talks(user):
    return scope_queryset(Talk.objects.select_related("cadre", "unit", "programme", "round", "lead"), user)


@permission_required("talks.view", raise_exception=True)
def talk_list(request):
    page = Paginator(_talks(request.user).order_by("-starts_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "talks/talks.html", {"page": page})


@permission_required("talks.view", raise_exception=True)
def talk_detail(request, pk):
    talk = get_in_scope_or_404(_talks(request.user), request.user, pk=pk)
    return render(request, "talks/talk.html", {"talk": talk, "members": talk.members.all()})


@permission_required("talks.view", raise_exception=True)
def talk_notice(request, pk):
    talk = get_in_scope_or_404(_talks(request.user), request.user, pk=pk)
    out = documents.notice(talk)
    services.mark_notified(request.user, talk, request=request)
    record("export", request=request, target=talk, summary={"document": "谈话通知书"})
    return FileResponse(out, as_attachment=True, filename=f"谈话通知书_{talk.subject_name}.docx",
                        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")


def my_talks(request):
    """The subject's own view: their talks to come and past, what to hand in and by when."""
    cadre_id = request.user.cadre_id
    talks = (Talk.objects.filter(cadre_id=cadre_id).select_related("programme", "unit", "lead").order_by("-starts_at")
             if cadre_id else Talk.objects.none())
    now = timezone.now()
    return render(request, "talks/my_talks.html", {
        "upcoming": [t for t in talks if t.starts_at >= now][::-1], "past": [t for t in talks if t.starts_at < now],
    })


def my_talk(request, pk):
    if not request.user.cadre_id:
        raise Http404("不存在或无权查看")
    talk = get_object_or_404(Talk.objects.select_related("programme", "unit", "lead", "cadre"),
                             pk=pk, cadre_id=request.user.cadre_id)
    return render(request, "talks/my_talk.html", {"talk": talk})


def my_talk_notice(request, pk):
    if not request.user.cadre_id:
        raise Http404("不存在或无权查看")
    talk = get_object_or_404(Talk.objects.select_related("programme", "unit", "lead", "cadre"),
                             pk=pk, cadre_id=request.user.cadre_id)
    record("download", request=request, target=talk, summary={"document": "谈话通知书"})
    return FileResponse(documents.notice(talk), as_attachment=True, filename="谈话通知书.docx",
                        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")


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
