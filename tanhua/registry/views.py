import io
import tempfile

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from tanhua.accounts.scope import get_in_scope_or_404, scope_queryset, visible_units
from tanhua.accounts.security import client_address
from tanhua.audit.services import record
from tanhua.dates import cn_date

from . import selectors, services
from .forms import UnitForm, UploadForm
from .models import Cadre, ExportJob, ImportJob, PostHistory, Unit
from .roster import export_roster, write_template
from .tasks import get_progress

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@permission_required("registry.view", raise_exception=True)
def roster(request):
    form, unit, cadres = selectors.filtered_roster(request.user, request.GET)
    cadres = cadres.select_related("unit", "rank").order_by("unit_path", "-rank_order", "id")
    page = Paginator(cadres, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "registry/roster.html",
        {
            "form": form,
            "current_unit": unit,
            "tree": selectors.unit_tree(request.user, unit),
            "page": page,
            "today": timezone.localdate(),
        },
    )


@permission_required("registry.view", raise_exception=True)
def cadre_detail(request, pk):
    cadre = get_in_scope_or_404(Cadre.objects.select_related("unit", "rank"), request.user, pk=pk)
    # The profile shows the ID number, birth date and phone: personal information, so each read is logged.
    record("view", request=request, target=cadre)
    posts = PostHistory.objects.filter(cadre=cadre).select_related("rank").order_by("-start", "-id")
    return render(
        request,
        "registry/cadre_detail.html",
        {
            "cadre": cadre,
            "posts": posts,
            # Units above the user's own are not theirs to see, not even by name.
            "ancestors": scope_queryset(Unit.objects.get_ancestors(cadre.unit), request.user),
            "years_in_post": cadre.years_in_post(timezone.localdate()),
        },
    )


@permission_required("registry.export", raise_exception=True)
def export(request):
    _form, unit, cadres = selectors.filtered_roster(request.user, request.GET)
    title = f"{unit.name if unit else '干部'}名册({cn_date(timezone.localdate())}导出)"
    count = cadres.count()
    if count > settings.TANHUA_BACKGROUND_EXPORT_ROWS:
        # Tens of thousands of rows take minutes to write: the worker does it, the page waits.
        # Queuing it writes (a job, a task), so a GET only offers it; the button POSTs.
        running = services.running_export(request.user, request.GET)
        if running is None and request.method != "POST":
            return render(request, "registry/export_start.html", {"title": title, "count": count})
        job = running or services.start_export(request.user, request.GET, title, count,
                                               address=client_address(request))
        return redirect("registry:export_job", pk=job.pk)
    # Written to a temporary file rather than memory; FileResponse closes it when sent.
    out = tempfile.TemporaryFile()  # noqa: SIM115
    rows = export_roster(cadres, out, title=title)
    record("export", request=request, object_type="registry.cadre", object_repr=title[:200],
           summary={"filters": request.GET.dict(), "rows": rows, "title": title})
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=_export_filename(), content_type=XLSX)


def _export_filename(when=None):
    return f"干部名册_{timezone.localtime(when):%Y%m%d}.xlsx"


@permission_required("registry.export", raise_exception=True)
def export_job(request, pk):
    job = _own(ExportJob, request, pk)
    return _job_page(
        request,
        job,
        running=job.status == ExportJob.Status.RUNNING,
        progress_key=f"export:{job.pk}",
        label=f"正在生成“{job.title}”",
        template="registry/export_job.html",
    )


@permission_required("registry.export", raise_exception=True)
def export_download(request, pk):
    job = _own(ExportJob, request, pk)
    if job.status != ExportJob.Status.DONE or job.expired or not job.path.exists():
        raise Http404("文件不存在、尚未生成或已过期")
    record("download", request=request, target=job, summary={"rows": job.rows, "title": job.title})
    # FileResponse closes the file when the response is done.
    return FileResponse(
        open(job.path, "rb"),
        as_attachment=True,
        filename=_export_filename(job.finished_at),
        content_type=XLSX,
    )


@permission_required("registry.add", raise_exception=True)
def template(request):
    out = io.BytesIO()
    write_template(out)
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename="干部名册导入模板.xlsx", content_type=XLSX)


def _may_import(view):
    # An import creates and changes cadres.
    return permission_required(["registry.add", "registry.change"], raise_exception=True)(view)


@_may_import
def import_upload(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.create_import_job(request.user, form.cleaned_data["file"], client_address(request))
        except services.UploadError as exc:
            form.add_error("file", str(exc))
        else:
            services.start_validation(job)
            return redirect("registry:import_job", pk=job.pk)
    jobs = ImportJob.objects.filter(user=request.user)[:10]
    return render(request, "registry/import.html", {"form": form, "jobs": jobs})


@_may_import
def import_job(request, pk):
    job = _own(ImportJob, request, pk)
    report = job.result or job.preview or {}
    errors = report.get("errors", [])
    verb = "正在导入" if job.status == ImportJob.Status.IMPORTING else "正在校验"
    return _job_page(
        request,
        job,
        running=job.status in (ImportJob.Status.VALIDATING, ImportJob.Status.IMPORTING),
        progress_key=f"import:{job.pk}",
        label=f"{verb}“{job.original_name}”",
        template="registry/import_job.html",
        context={"report": report, "errors": errors[:1000], "more_errors": max(0, len(errors) - 1000)},
    )


@_may_import
@require_POST
def import_confirm(request, pk):
    job = _own(ImportJob, request, pk)
    if request.POST.get("action") == "cancel":
        if ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.VALIDATED).update(
            status=ImportJob.Status.CANCELLED
        ):
            job.discard_file()
        messages.info(request, "已取消本次导入,没有写入任何数据。")
        return redirect("registry:import")
    if not services.confirm_import(job):
        messages.error(request, "该文件当前不能导入(可能已导入或校验未通过)。")
    return redirect(reverse("registry:import_job", args=[job.pk]))


def _own(model, request, pk):
    # Jobs belong to whoever started them; anyone else gets a 404.
    try:
        return model.objects.get(pk=pk, user=request.user)
    except model.DoesNotExist:
        raise Http404("不存在或无权查看") from None


def _job_page(request, job, *, running, progress_key, label, template, context=None):
    """A background job's page; htmx polls its progress bar until the job finishes."""
    polling = bool(request.headers.get("HX-Request"))
    if polling and not running:
        return HttpResponse(headers={"HX-Refresh": "true"})
    progress = get_progress(progress_key) if running else None
    percent = min(100, int(progress[0] * 100 / progress[1])) if progress and progress[1] else 0
    context = {
        "job": job,
        "running": running,
        "progress": progress,
        "percent": percent,
        "label": label,
        "poll_url": request.path,
        **(context or {}),
    }
    return render(request, "registry/_progress.html" if polling else template, context)


# --- Unit administration ----------------------------------------------------------------

@permission_required("units.view", raise_exception=True)
def units(request):
    units = list(
        visible_units(request.user).order_by("path").annotate(cadre_count=Count("cadres")).prefetch_related("tags")
    )
    return render(request, "registry/units.html", {"units": units})


@permission_required("units.add", raise_exception=True)
def unit_add(request):
    initial = {}
    parent_id = request.GET.get("parent")
    if parent_id and parent_id.isdigit():
        initial["parent"] = visible_units(request.user).filter(pk=parent_id).first()
    form = UnitForm(request.POST or None, actor=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        unit = services.save_unit(form, request=request)
        messages.success(request, f"已设立单位 {unit.name}。")
        return redirect("registry:units")
    return render(request, "registry/unit_form.html", {"form": form})


@permission_required("units.change", raise_exception=True)
def unit_edit(request, pk):
    unit = get_in_scope_or_404(Unit.objects.all(), request.user, pk=pk)
    form = UnitForm(request.POST or None, instance=unit, actor=request.user)
    if request.method == "POST" and form.is_valid():
        services.save_unit(form, request=request)
        messages.success(request, f"已保存单位 {unit.name}。")
        return redirect("registry:units")
    return render(request, "registry/unit_form.html", {"form": form, "unit": unit})


@permission_required("units.delete", raise_exception=True)
@require_POST
def unit_delete(request, pk):
    unit = get_in_scope_or_404(Unit.objects.all(), request.user, pk=pk)
    try:
        services.delete_unit(unit, request=request)
        messages.success(request, f"已删除单位 {unit.name}。")
    except services.UnitInUse as e:
        messages.error(request, str(e))
    return redirect("registry:units")
