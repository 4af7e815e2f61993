import io
import tempfile

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from tanhua.accounts.scope import get_in_scope_or_404, visible_units

from . import selectors, services
from .forms import RosterFilterForm, UploadForm
from .models import Cadre, ImportJob, PostHistory, Unit
from .roster import export_roster, write_template
from .tasks import get_progress

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filtered_roster(request):
    form = RosterFilterForm(request.GET)
    # A field with a bad value (a hand-edited URL) is dropped; the valid ones still apply.
    form.is_valid()
    data = form.cleaned_data
    unit = None
    if data.get("unit"):
        unit = visible_units(request.user).filter(pk=data["unit"]).first()
    cadres = selectors.roster_queryset(
        request.user,
        unit=unit,
        subtree=data.get("subtree", True),
        rank=data.get("rank"),
        min_level=data.get("min_level"),
        unit_head=True if data.get("unit_head") else None,
        party_gov_head=True if data.get("party_gov_head") else None,
        min_years=data.get("min_years"),
        sensitive=data.get("sensitive"),
        status=data.get("status"),
        q=data.get("q"),
    )
    return form, unit, cadres


def roster(request):
    form, unit, cadres = _filtered_roster(request)
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


def cadre_detail(request, pk):
    cadre = get_in_scope_or_404(Cadre.objects.select_related("unit", "rank"), request.user, pk=pk)
    posts = PostHistory.objects.filter(cadre=cadre).select_related("rank").order_by("-start", "-id")
    return render(
        request,
        "registry/cadre_detail.html",
        {
            "cadre": cadre,
            "posts": posts,
            "ancestors": Unit.objects.get_ancestors(cadre.unit),
            "years_in_post": cadre.years_in_post(timezone.localdate()),
        },
    )


def export(request):
    _form, unit, cadres = _filtered_roster(request)
    title = f"{unit.name if unit else '干部'}名册({timezone.localdate():%Y年%m月%d日}导出)"
    # Written to a temporary file rather than memory: large exports stay bounded.
    out = tempfile.TemporaryFile()
    export_roster(cadres, out, title=title)
    out.seek(0)
    filename = f"干部名册_{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(out, as_attachment=True, filename=filename, content_type=XLSX)


def template(request):
    out = io.BytesIO()
    write_template(out)
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename="干部名册导入模板.xlsx", content_type=XLSX)


def import_upload(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.create_import_job(request.user, form.cleaned_data["file"])
        except services.UploadError as exc:
            form.add_error("file", str(exc))
        else:
            services.start_validation(job)
            return redirect("registry:import_job", pk=job.pk)
    jobs = ImportJob.objects.filter(user=request.user)[:10]
    return render(request, "registry/import.html", {"form": form, "jobs": jobs})


def _own_job(request, pk):
    # Jobs belong to whoever uploaded them; anyone else gets a 404.
    try:
        return ImportJob.objects.get(pk=pk, user=request.user)
    except ImportJob.DoesNotExist:
        raise Http404("不存在或无权查看") from None


def import_job(request, pk):
    job = _own_job(request, pk)
    running = job.status in (ImportJob.Status.VALIDATING, ImportJob.Status.IMPORTING)
    progress = get_progress(job.pk) if running else None
    context = {"job": job, "running": running, "progress": progress}
    if progress and progress[1]:
        context["percent"] = min(100, int(progress[0] * 100 / progress[1]))
    if request.headers.get("HX-Request"):
        if not running:
            response = HttpResponse()
            response["HX-Refresh"] = "true"
            return response
        return render(request, "registry/_import_progress.html", context)
    report = job.result or job.preview or {}
    context["report"] = report
    context["errors"] = report.get("errors", [])[:1000]
    context["more_errors"] = max(0, len(report.get("errors", [])) - 1000)
    return render(request, "registry/import_job.html", context)


@require_POST
def import_confirm(request, pk):
    job = _own_job(request, pk)
    if request.POST.get("action") == "cancel":
        ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.VALIDATED).update(
            status=ImportJob.Status.CANCELLED
        )
        messages.info(request, "已取消本次导入,没有写入任何数据。")
        return redirect("registry:import")
    if not services.confirm_import(job):
        messages.error(request, "该文件当前不能导入(可能已导入或校验未通过)。")
    return redirect(reverse("registry:import_job", args=[job.pk]))
