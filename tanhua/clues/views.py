import io
import tempfile
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from tanhua.accounts.scope import get_in_scope_or_404, scope_queryset, user_scope, visible_units
from tanhua.audit.services import diff, record
from tanhua.dates import cn_date
from tanhua.registry.models import Cadre, Unit
from tanhua.registry.services import UploadError, check_xlsx

from . import duplicates, letters, selectors, services
from .exports import export_problem_list
from .forms import CloseForm, ClueForm, DisposeForm, InquiryForm, ReplyForm, ReviewForm
from .importer import import_clues, write_template
from .models import Attachment, Category, Clue, Inquiry, Source

PAGE_SIZE = 50
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@permission_required("clues.view", raise_exception=True)
def clue_list(request):
    form, unit, clues = selectors.filtered_clues(request.user, request.GET)
    clues = clues.select_related("source__parent", "category__parent", "unit", "cadre")
    page = Paginator(clues, PAGE_SIZE).get_page(request.GET.get("page"))
    year = timezone.localdate().year
    return render(request, "clues/list.html", {
        "year": year, "forms": selectors.form_counts(request.user, year),
        "form": form, "current_unit": unit, "page": page, "today": timezone.localdate(),
        "sources": Source.objects.filter(parent=None), "categories": Category.objects.filter(parent=None),
    })


@permission_required("clues.add", raise_exception=True)
def clue_add(request):
    form = ClueForm(request.POST or None, actor=request.user, initial={"received_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        clue = services.register_clue(
            request.user, source=data["source"], received_on=data["received_on"], unit=data["unit"],
            cadre=data["cadre"], category=data["category"], summary=data["summary"], content=data["content"],
            reporter_anonymous=data["reporter_anonymous"], reporter_name=data["reporter_name"],
            reporter_contact=data["reporter_contact"], due_on=data["due_on"], handling_unit=data["handling_unit"],
            handler=data["handler"], request=request,
        )
        messages.success(request, f"已登记线索 {clue.number}。")
        return redirect("clues:detail", pk=clue.pk)
    return render(request, "clues/form.html", {"form": form})


@permission_required("clues.view", raise_exception=True)
def clue_detail(request, pk):
    clue = services.read_clue(request.user, pk, request=request)
    inquiry = Inquiry.objects.filter(clue=clue).first()
    visible = scope_queryset(Clue.objects.all(), request.user)
    group = (visible.filter(group_id=clue.group_id).exclude(pk=clue.pk).select_related("source__parent")
             .order_by("received_on") if clue.group_id else [])
    suggestions = duplicates.pending_for(request.user).filter(Q(first=clue) | Q(second=clue))
    return render(request, "clues/detail.html", {
        "group": group, "suggestions": suggestions,
        "clue": clue, "inquiry": inquiry, "events": clue.events.select_related("user"),
        "attachments": clue.attachments.all(), "light": clue.light(),
        "dispose_form": DisposeForm(initial={"disposition": clue.disposition or ""}), "close_form": CloseForm(),
        "inquiry_form": InquiryForm(), "review_form": ReviewForm(),
        "may_see_reporter": request.user.has_perm(services.REPORTER_PERMISSION),
    })


def _clue(request, pk):
    return get_in_scope_or_404(Clue.objects.select_related("unit", "cadre"), request.user, pk=pk)


@permission_required("clues.view", raise_exception=True)
@require_POST
def reporter(request, pk):
    """Shows the reporter's identity (信访室 only), each time audited."""
    clue = _clue(request, pk)
    identity = services.reveal_reporter(request.user, clue, request=request)
    return render(request, "clues/_reporter.html", {"identity": identity, "clue": clue})


def _done(request, clue, action):
    try:
        action()
    except services.ClueError as e:
        messages.error(request, str(e))
    return redirect("clues:detail", pk=clue.pk)


@permission_required("clues.change", raise_exception=True)
@require_POST
def dispose(request, pk):
    clue = _clue(request, pk)
    form = DisposeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择处置方式并写明理由。")
        return redirect("clues:detail", pk=clue.pk)
    return _done(request, clue, lambda: services.dispose(
        request.user, clue, form.cleaned_data["disposition"], form.cleaned_data["reason"], request=request))


@permission_required("clues.change", raise_exception=True)
@require_POST
def close(request, pk):
    clue = _clue(request, pk)
    form = CloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写办理结果。")
        return redirect("clues:detail", pk=clue.pk)
    return _done(request, clue, lambda: services.close(
        request.user, clue, outcome_form=form.cleaned_data["outcome_form"], outcome=form.cleaned_data["outcome"],
        request=request))


@permission_required("clues.change", raise_exception=True)
@require_POST
def attach(request, pk):
    clue = _clue(request, pk)
    uploaded = request.FILES.get("file")
    if uploaded is None:
        messages.error(request, "请选择要上传的文件。")
        return redirect("clues:detail", pk=clue.pk)
    return _done(request, clue, lambda: services.add_attachment(request.user, clue, uploaded, request=request))


@permission_required("clues.view", raise_exception=True)
def attachment(request, pk):
    item = get_in_scope_or_404(Attachment.objects.select_related("clue"), request.user, pk=pk)
    if not item.path.exists():
        raise Http404("文件不存在")
    record("download", request=request, target=item.clue, summary={"attachment": item.original_name})
    # Always a download with a neutral type: an uploaded file is never rendered or run by the browser.
    return FileResponse(open(item.path, "rb"), as_attachment=True, filename=item.original_name,
                        content_type="application/octet-stream")


@permission_required("clues.change", raise_exception=True)
@require_POST
def inquiry_issue(request, pk):
    clue = _clue(request, pk)
    form = InquiryForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请写明需要说明的问题。")
        return redirect("clues:detail", pk=clue.pk)
    return _done(request, clue, lambda: services.issue_inquiry(
        request.user, clue, questions=form.cleaned_data["questions"],
        letter_number=form.cleaned_data["letter_number"], request=request))


def _inquiry(request, pk):
    return get_in_scope_or_404(Inquiry.objects.select_related("clue__cadre", "clue__unit"), request.user, pk=pk)


@permission_required("clues.view", raise_exception=True)
def inquiry_letter(request, pk):
    inquiry = _inquiry(request, pk)
    record("download", request=request, target=inquiry, summary={"document": "函询通知书"})
    return FileResponse(letters.inquiry_letter(inquiry), as_attachment=True,
                        filename=f"函询通知书_{inquiry.clue.number}.docx", content_type=DOCX)


@permission_required("clues.change", raise_exception=True)
@require_POST
def inquiry_review(request, pk):
    inquiry = _inquiry(request, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择核查结论并填写审核意见。")
        return redirect("clues:detail", pk=inquiry.clue_id)
    return _done(request, inquiry.clue, lambda: services.review_inquiry(
        request.user, inquiry, conclusion=form.cleaned_data["conclusion"], note=form.cleaned_data["note"],
        follow_up=form.cleaned_data["follow_up"], request=request))


@permission_required("clues.view", raise_exception=True)
def inquiry_reply_file(request, pk):
    inquiry = _inquiry(request, pk)
    return _reply_file(request, inquiry)


def _reply_file(request, inquiry):
    path = settings.CLUE_FILE_DIR / inquiry.reply_file if inquiry.reply_file else None
    if path is None or not path.exists():
        raise Http404("文件不存在")
    record("download", request=request, target=inquiry, summary={"document": "书面说明材料"})
    return FileResponse(open(path, "rb"), as_attachment=True, filename=inquiry.reply_file_name,
                        content_type="application/octet-stream")


# --- The cadre's side: written inquiries addressed to them ---------------------------------

def _own_inquiries(request):
    user = request.user
    if not user.cadre_id:
        return Inquiry.objects.none()
    return Inquiry.objects.filter(clue__cadre_id=user.cadre_id, issued_at__isnull=False).select_related("clue")


def my_inquiries(request):
    return render(request, "clues/my_inquiries.html", {"inquiries": _own_inquiries(request).order_by("-issued_at"),
                                                       "today": timezone.localdate()})


def my_inquiry(request, pk):
    """The letter's questions and the reply form; the clue's content and reporter stay hidden."""
    inquiry = _own_inquiries(request).filter(pk=pk).first()
    if inquiry is None:
        raise Http404("不存在或无权查看")
    form = ReplyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reply_inquiry(request.user, inquiry, text=form.cleaned_data["text"],
                                   uploaded=form.cleaned_data["file"], request=request)
        except services.ClueError as e:
            form.add_error(None, str(e))
        except PermissionDenied:
            raise Http404("不存在或无权查看") from None
        else:
            messages.success(request, "书面说明已提交。")
            return redirect("clues:my_inquiries")
    return render(request, "clues/my_inquiry.html", {"inquiry": inquiry, "form": form,
                                                     "today": timezone.localdate()})


def my_inquiry_letter(request, pk):
    inquiry = _own_inquiries(request).filter(pk=pk).first()
    if inquiry is None:
        raise Http404("不存在或无权查看")
    return FileResponse(letters.inquiry_letter(inquiry), as_attachment=True,
                        filename=f"函询通知书_{inquiry.letter_number}.docx", content_type=DOCX)




# --- Batch import ----------------------------------------------------------------------------

def _import_path(token):
    if not token or not token.isalnum():
        return None
    return settings.UPLOAD_DIR / f"clues-{token}.xlsx"


@permission_required("clues.add", raise_exception=True)
def import_upload(request):
    """Upload a clue ledger: every row is checked first and shown; nothing is written yet."""
    context = {}
    if request.method == "POST" and request.FILES.get("file"):
        uploaded = request.FILES["file"]
        try:
            check_xlsx(uploaded)
        except UploadError as exc:
            context["upload_error"] = str(exc)
        else:
            token = uuid.uuid4().hex
            path = _import_path(token)
            settings.UPLOAD_DIR.mkdir(parents=True, exist_ok=True)
            with open(path, "wb") as out:
                out.writelines(uploaded.chunks())
            result = import_clues(path, request.user, dry_run=True, name=uploaded.name)
            if result.ok:
                request.session["clue_import"] = {"token": token, "name": uploaded.name[:200]}
            else:
                path.unlink(missing_ok=True)
            context.update(result=result, name=uploaded.name, errors=result.errors[:1000],
                           more_errors=max(0, len(result.errors) - 1000))
    return render(request, "clues/import.html", context)


@permission_required("clues.add", raise_exception=True)
@require_POST
def import_confirm(request):
    pending = request.session.pop("clue_import", None)
    path = _import_path(pending and pending.get("token"))
    if path is None or not path.exists() or request.POST.get("token") != pending["token"]:
        messages.error(request, "没有待确认的导入,或已经导入过,请重新上传。")
        return redirect("clues:import")
    try:
        if request.POST.get("action") == "cancel":
            messages.info(request, "已取消本次导入,没有写入任何数据。")
            return redirect("clues:import")
        result = import_clues(path, request.user, request=request, name=pending["name"])
    finally:
        path.unlink(missing_ok=True)
    if result.ok:
        messages.success(request, f"已导入 {result.created} 条问题线索。")
        return redirect("clues:list")
    # The data changed between the preview and the confirmation (a unit moved, a cadre left).
    messages.error(request, "导入时发现错误,没有写入任何数据:" + ";".join(
        f"第{e['row']}行{e['column']}:{e['message']}" for e in result.errors[:5]))
    return redirect("clues:import")


@permission_required("clues.add", raise_exception=True)
def import_template(request):
    out = io.BytesIO()
    write_template(out)
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename="问题线索导入模板.xlsx",
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


# --- The same matter through several channels ------------------------------------------------

@permission_required("clues.change", raise_exception=True)
def duplicate_list(request):
    page = Paginator(duplicates.pending_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "clues/duplicates.html", {"page": page})


def _suggestion(request, pk):
    suggestion = duplicates.visible_to(request.user).filter(pk=pk).first()
    if suggestion is None:
        raise Http404("不存在或无权查看")
    return suggestion


def _already(request, message):
    messages.info(request, message)
    return _back(request, "clues:duplicates")


def _back(request, default):
    target = request.POST.get("next", "")
    return redirect(target if target.startswith("/clues/") else default)


@permission_required("clues.change", raise_exception=True)
@require_POST
def duplicate_confirm(request, pk):
    suggestion = _suggestion(request, pk)
    try:
        duplicates.confirm(request.user, suggestion, request=request)
    except duplicates.AlreadyReviewed as exc:
        return _already(request, exc.message)
    messages.success(request, f"已确认 {suggestion.first.number} 与 {suggestion.second.number} 为同一事项。")
    return _back(request, "clues:duplicates")


@permission_required("clues.change", raise_exception=True)
@require_POST
def duplicate_reject(request, pk):
    suggestion = _suggestion(request, pk)
    try:
        duplicates.reject(request.user, suggestion, request=request)
    except duplicates.AlreadyReviewed as exc:
        return _already(request, exc.message)
    messages.info(request, f"已标记 {suggestion.first.number} 与 {suggestion.second.number} 不是同一事项。")
    return _back(request, "clues:duplicates")


@permission_required("clues.change", raise_exception=True)
@require_POST
def leave_group(request, pk):
    clue = _clue(request, pk)
    duplicates.leave_group(request.user, clue, request=request)
    return redirect("clues:detail", pk=clue.pk)


# --- Problem lists (问题清单) ------------------------------------------------------------------

def _problem_subject(request):
    unit = cadre = None
    if request.GET.get("cadre", "").isdigit():
        cadre = get_in_scope_or_404(Cadre.objects.select_related("unit"), request.user, pk=request.GET["cadre"])
    elif request.GET.get("unit", "").isdigit():
        unit = get_in_scope_or_404(Unit.objects.all(), request.user, pk=request.GET["unit"])
    return unit, cadre


@permission_required("clues.view", raise_exception=True)
def problems(request):
    unit, cadre = _problem_subject(request)
    rows = selectors.problem_list(request.user, unit=unit, cadre=cadre) if (unit or cadre) else None
    return render(request, "clues/problems.html", {
        "unit": unit, "cadre": cadre, "rows": rows, "units": visible_units(request.user).order_by("path"),
        "today": timezone.localdate(),
    })


@permission_required("clues.export", raise_exception=True)
def problems_export(request):
    unit, cadre = _problem_subject(request)
    if unit is None and cadre is None:
        raise Http404("请选择单位或干部")
    rows = selectors.problem_list(request.user, unit=unit, cadre=cadre)
    subject = cadre.name if cadre else unit.name
    title = f"{subject}问题清单({cn_date(timezone.localdate())})"
    out = tempfile.TemporaryFile()  # noqa: SIM115  (FileResponse closes it)
    export_problem_list(rows, out, title=title)
    record("export", request=request, object_type="clues.clue", object_repr=title[:200],
           summary={"problem_list": subject, "rows": len(rows)})
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=f"问题清单_{subject}.xlsx",
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


# --- Managed vocabularies ----------------------------------------------------------------------

VOCABULARIES = {"sources": (Source, "线索来源"), "categories": (Category, "问题类别")}


def _vocabulary_admin(request):
    # Sources and categories are shared by every unit: shaped by a 全部-scope administrator.
    if not request.user.has_perm("accounts.change") or not user_scope(request.user).everything:
        raise PermissionDenied


def vocabularies(request):
    _vocabulary_admin(request)
    lists = []
    for kind, (model, label) in VOCABULARIES.items():
        entries = list(model.objects.select_related("parent").annotate(uses=Count("clues")))
        parents = [e for e in entries if e.parent_id is None]
        for parent in parents:
            parent.subentries = [e for e in entries if e.parent_id == parent.pk]
        lists.append({"kind": kind, "label": label, "entries": parents})
    return render(request, "clues/vocabularies.html", {"lists": lists})


@require_POST
def vocabulary_save(request, kind):
    _vocabulary_admin(request)
    if kind not in VOCABULARIES:
        raise Http404
    model, label = VOCABULARIES[kind]
    name = request.POST.get("name", "").strip()
    pk = request.POST.get("pk", "")
    if pk.isdigit():
        entry = get_object_or_404(model, pk=pk)
        before = {"name": entry.name, "active": entry.active}
        if name:
            entry.name = name[:40]
        if "active" in request.POST:
            entry.active = request.POST["active"] == "1"
        entry.save()
        record("update", request=request, target=entry,
               summary=diff(before, {"name": entry.name, "active": entry.active}))
        messages.success(request, f"已保存{label}“{entry}”。")
    elif name:
        parent_id = request.POST.get("parent", "")
        parent = get_object_or_404(model, pk=parent_id, parent=None) if parent_id.isdigit() else None
        if model.objects.filter(parent=parent, name=name).exists():
            messages.error(request, f"{label}“{name}”已经存在。")
        else:
            last = model.objects.filter(parent=parent).order_by("-order").values_list("order", flat=True).first() or 0
            entry = model.objects.create(name=name[:40], parent=parent, order=last + 1)
            record("create", request=request, target=entry, summary={"name": str(entry)})
            messages.success(request, f"已新增{label}“{entry}”。")
    return redirect("clues:vocabularies")
