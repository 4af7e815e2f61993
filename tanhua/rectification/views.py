"""The ledger, items and their steps, evidence, follow-up visits, meetings, notifications.

Permissions: rectification.view to see (in scope; 仅本人 = the items one owns or leads),
rectification.add to create items, rectification.change to take part (report, verify,
escalate, visit; each step also checks who may take it: a visit, services.check_record_follow_up), rectification.export for the ledger.
"""

import datetime
import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from tanhua.accounts.middleware import gate
from tanhua.accounts.scope import get_in_scope_or_404, scope_queryset, visible_units
from tanhua.audit.services import record
from tanhua.clues.models import Clue
from tanhua.dates import cn_date
from tanhua.talks.models import RecordEntry, Talk

from . import selectors, services
from .exports import export_ledger
from .forms import EscalateForm, FollowUpCorrectionForm, FollowUpForm, ItemForm, MeetingForm, ProgressForm
from .models import Evidence, FollowUp, Item, Meeting, Notification

PAGE_SIZE = 50


def _item(request, pk, perm="rectification.view"):
    if not request.user.has_perm(perm):
        raise PermissionDenied
    return get_in_scope_or_404(Item.objects.select_related("unit", "talk", "owner", "leader"), request.user, pk=pk)


def _step(request, item, action, *args, success, **kwargs):
    try:
        action(request.user, item, *args, request=request, **kwargs)
    except services.RectificationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, success)
    return redirect("rectification:item", pk=item.pk)


@permission_required("rectification.view", raise_exception=True)
def ledger(request):
    from django.core.paginator import Paginator

    today = timezone.localdate()
    items, unit = selectors.ledger(request.user, request.GET, today)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    units = [unit] if unit else None
    return render(request, "rectification/ledger.html", {
        "page": page, "current_unit": unit, "today": today, "statuses": Item.Status.choices,
        "units": visible_units(request.user).order_by("path"), "rates": selectors.unit_rates(request.user, today, units),
    })


@permission_required("rectification.export", raise_exception=True)
def ledger_export(request):
    today = timezone.localdate()
    items, unit = selectors.ledger(request.user, request.GET, today)
    title = f"{unit.name if unit else ''}整改台账({cn_date(today)})"
    out = tempfile.TemporaryFile()  # noqa: SIM115  (FileResponse closes it)
    count = export_ledger(items, out, title=title)
    record("export", request=request, object_type="rectification.item", object_repr=title[:200],
           summary={"rows": count, "filters": {k: v for k, v in request.GET.items() if k != "page"}})
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=f"整改台账_{unit.name if unit else '全部'}.xlsx",
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def item_detail(request, pk):
    item = _item(request, pk)
    today = timezone.localdate()
    follow_ups = list(item.follow_ups.select_related("by", "recorded_by", "corrects").prefetch_related("corrections"))
    for visit in follow_ups:
        visit.item = item
        # The forms are shown only to whom the service would let record or correct (never the subject).
        visit.may_record = not visit.done_on and services.may_record_follow_up(request.user, visit)
        visit.may_correct = bool(visit.done_on) and services.may_record_follow_up(request.user, visit, correction=True)
    return render(request, "rectification/item.html", {
        "item": item, "light": item.light(today), "today": today,
        "events": item.events.select_related("user").prefetch_related("evidence"),
        "follow_ups": follow_ups, "progress_form": ProgressForm(),
        "escalate_form": EscalateForm(), "follow_up_form": FollowUpForm(initial={"done_on": today}),
        "is_owner": item.owner_id == request.user.pk, "is_leader": item.leader_id == request.user.pk,
    })


@require_POST
def report(request, pk):
    item = _item(request, pk, "rectification.change")
    form = ProgressForm(request.POST, request.FILES)
    form.is_valid()
    return _step(request, item, services.report_progress, text=form.cleaned_data.get("text", ""),
                 files=request.FILES.getlist("files"), ask_sign_off=bool(form.cleaned_data.get("sign_off")),
                 success="已报告整改进展。")


@require_POST
def verify(request, pk):
    item = _item(request, pk, "rectification.change")
    accept = request.POST.get("decision") == "accept"
    return _step(request, item, services.verify, accept=accept, reason=request.POST.get("reason", ""),
                 success="已核实销号。" if accept else "已退回,责任人将看到退回理由。")


@require_POST
def escalate(request, pk):
    item = _item(request, pk, "rectification.change")
    if not request.user.has_perm("rectification.add") and item.leader_id != request.user.pk:
        raise PermissionDenied
    form = EscalateForm(request.POST)
    form.is_valid()
    return _step(request, item, services.escalate, reason=form.cleaned_data.get("reason", ""),
                 new_due_on=form.cleaned_data.get("new_due_on"), success="已升级督办。")


def _visit(request, pk, visit):
    item = _item(request, pk, "rectification.change")
    target = FollowUp.objects.filter(item=item, pk=visit).select_related("item__talk").first()
    if target is None:
        raise Http404("不存在或无权查看")
    return item, target


@require_POST
def follow_up(request, pk, visit):
    item, target = _visit(request, pk, visit)
    form = FollowUpForm(request.POST)
    try:
        services.check_record_follow_up(request.user, target)  # refused before the form is looked at
        if not form.is_valid():
            raise services.RectificationError("请填写回访日期、方式和情况。")
        data = form.cleaned_data
        reopened = services.record_follow_up(request.user, target, done_on=data["done_on"], way=data["way"],
                                             findings=data["findings"], recurred=data["recurred"], request=request)
    except services.RectificationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, "回访已记录" + (",问题反弹,事项已重新整改。" if reopened else "。"))
    return redirect("rectification:item", pk=item.pk)


@require_POST
def follow_up_correct(request, pk, visit):
    """更正 a recorded visit: a new entry pointing back to it; the recorded one stays as it was."""
    item, target = _visit(request, pk, visit)
    form = FollowUpCorrectionForm(request.POST)
    try:
        services.check_record_follow_up(request.user, target, correction=True)
        if not form.is_valid():
            raise services.RectificationError("请填写更正理由、回访日期、方式和情况。")
        data = form.cleaned_data
        _correction, reopened = services.correct_follow_up(
            request.user, target, reason=data["reason"], done_on=data["done_on"], way=data["way"],
            findings=data["findings"], recurred=data["recurred"], request=request)
    except services.RectificationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, "回访已更正" + (",问题反弹,事项已重新整改。" if reopened else "。"))
    return redirect("rectification:item", pk=item.pk)


def evidence(request, pk):
    """An evidence file: only through the permission and scope check, always as a download."""
    if not request.user.has_perm("rectification.view"):
        raise PermissionDenied
    stored = get_in_scope_or_404(Evidence.objects.select_related("item"), request.user, pk=pk)
    if not stored.path.is_file():
        raise Http404("文件已不存在")
    record("download", request=request, target=stored.item, summary={"evidence": stored.original_name})
    response = FileResponse(stored.path.open("rb"), as_attachment=True, filename=stored.original_name,
                            content_type="application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Creating items ----------------------------------------------------------------------------


@permission_required("rectification.add", raise_exception=True)
def from_talk(request, pk):
    """One item per problem pointed out and requirement raised in the record, each editable."""
    talk = get_in_scope_or_404(Talk.objects.select_related("unit", "programme", "lead"), request.user, pk=pk)
    entries = list(RecordEntry.objects.filter(record__talk=talk, kind__in=["problem", "requirement"]))
    if request.method == "POST":
        chosen = []
        for entry in entries:
            if request.POST.get(f"take-{entry.pk}"):
                chosen.append((request.POST.get(f"problem-{entry.pk}", entry.text)[:2000],
                               request.POST.get(f"measures-{entry.pk}", "")[:2000]))
        if not chosen:
            messages.error(request, "请至少勾选一条。")
        else:
            try:
                made = services.items_from_talk(request.user, talk, chosen, request=request)
            except services.RectificationError as exc:
                messages.error(request, exc.messages[0])
            else:
                messages.success(request, f"已建立 {len(made)} 项整改事项,责任领导为主谈人(谁谈话谁负责)。")
                return redirect("rectification:ledger")
    return render(request, "rectification/from_talk.html", {
        "talk": talk, "entries": entries, "days": talk.programme.rectification_days,
        "existing": talk.rectification_items.all()})


@permission_required("rectification.add", raise_exception=True)
def item_add(request):
    """An item straight from a problem list (?clue=ID) or typed in."""
    clue = None
    if str(request.GET.get("clue", "")).isdigit():
        clue = get_in_scope_or_404(Clue.objects.select_related("unit", "cadre"), request.user, pk=request.GET["clue"])
    today = timezone.localdate()
    initial = {"start_on": today, "due_on": today + datetime.timedelta(days=60)}
    if clue is not None:
        initial.update(unit=clue.unit_id, problem=clue.summary, owner_name=clue.cadre.name if clue.cadre else "")
    form = ItemForm(request.POST or None, actor=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = services.create_item(
                request.user, unit=data["unit"], origin=Item.Origin.PROBLEM, problem=data["problem"],
                measures=data["measures"], owner=data["owner"], owner_name=data["owner_name"], leader=data["leader"],
                leader_name=data["leader_name"], start_on=data["start_on"], due_on=data["due_on"], clue=clue,
                request=request)
        except services.RectificationError as exc:
            form.add_error(None, exc.messages[0])
        else:
            messages.success(request, "已建立整改事项。")
            return redirect("rectification:item", pk=item.pk)
    return render(request, "rectification/item_form.html", {"form": form, "clue": clue})


# --- Democratic life meetings -------------------------------------------------------------------


@permission_required("rectification.view", raise_exception=True)
def meetings(request):
    rows = scope_queryset(Meeting.objects.select_related("unit"), request.user)
    return render(request, "rectification/meetings.html", {"meetings": rows})


@permission_required("rectification.add", raise_exception=True)
def meeting_add(request):
    form = MeetingForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        meeting = form.save(commit=False)
        meeting.created_by = request.user
        meeting.save()
        form.save_m2m()
        record("create", request=request, target=meeting, summary={"unit": meeting.unit.name})
        return redirect("rectification:meeting", pk=meeting.pk)
    return render(request, "rectification/meeting_form.html", {"form": form})


@permission_required("rectification.view", raise_exception=True)
def meeting_detail(request, pk):
    meeting = get_in_scope_or_404(Meeting.objects.select_related("unit"), request.user, pk=pk)
    if request.method == "POST":
        if not request.user.has_perm("rectification.change"):
            raise PermissionDenied
        form = MeetingForm(request.POST, instance=meeting, actor=request.user)
        if form.is_valid():
            form.save()
            record("update", request=request, target=meeting, summary={"fields": sorted(form.changed_data)})
            messages.success(request, "已保存。")
            return redirect("rectification:meeting", pk=meeting.pk)
    else:
        form = MeetingForm(instance=meeting, actor=request.user)
    today = timezone.localdate()
    return render(request, "rectification/meeting.html", {
        "meeting": meeting, "form": form, "today": today,
        "items": selectors.with_light(meeting.items.select_related("unit"), today),
        "item_form": ItemForm(actor=request.user, initial={"unit": meeting.unit_id, "start_on": today,
                                                             "due_on": today + datetime.timedelta(days=60)}),
    })


@require_POST
def meeting_item(request, pk):
    if not request.user.has_perm("rectification.add"):
        raise PermissionDenied
    meeting = get_in_scope_or_404(Meeting.objects.all(), request.user, pk=pk)
    form = ItemForm(request.POST, actor=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.create_item(request.user, unit=data["unit"], origin=Item.Origin.MEETING, meeting=meeting,
                                 problem=data["problem"], measures=data["measures"], owner=data["owner"],
                                 owner_name=data["owner_name"], leader=data["leader"], leader_name=data["leader_name"],
                                 start_on=data["start_on"], due_on=data["due_on"], request=request)
        except services.RectificationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, "已建立整改事项。")
    else:
        messages.error(request, ";".join(e for errs in form.errors.values() for e in errs))
    return redirect("rectification:meeting", pk=meeting.pk)


# --- Notifications ------------------------------------------------------------------------------


def notifications(request):
    rows = Notification.objects.filter(user=request.user)[:200]
    return render(request, "rectification/notifications.html", {
        "rows": rows, "unread": Notification.objects.filter(user=request.user, read_at__isnull=True).count()})


@require_POST
def notifications_read(request):
    Notification.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
    return redirect("rectification:notifications")


def notifications_count(request):
    """The unread count for the menu, fetched by htmx after the page: pages do not pay for it."""
    if gate(request) is not None:
        return HttpResponse("")  # not past the second factor or the password change yet
    count = Notification.objects.filter(user=request.user, read_at__isnull=True).count()
    return HttpResponse(f'<span class="badge text-bg-danger">{count}</span>' if count else "")
