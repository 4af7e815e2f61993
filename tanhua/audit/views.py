import json
import tempfile

from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import render
from django.utils import timezone

from tanhua.dates import cn_date

from .exports import export_entries
from .models import ACTIONS, AuditEntry
from .selectors import AuditFilterForm, filtered_entries
from .services import head, record

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Larger exports are refused with a message: narrow the filter (a month of a busy office fits).
EXPORT_LIMIT = 200_000


@permission_required("audit.view", raise_exception=True)
def entries(request):
    form = AuditFilterForm(request.GET or None)
    qs = filtered_entries(request.GET)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for entry in page:
        entry.summary_text = json.dumps(entry.summary, ensure_ascii=False) if entry.summary else ""
    return render(request, "audit/entries.html", {
        "form": form, "page": page, "actions": ACTIONS, "head": head(), "total": AuditEntry.objects.count(),
    })


@permission_required("audit.export", raise_exception=True)
def export(request):
    qs = filtered_entries(request.GET)
    out = tempfile.TemporaryFile()  # noqa: SIM115  (FileResponse closes it)
    title = f"审计日志({cn_date(timezone.localdate())}导出)"
    rows = export_entries(qs[:EXPORT_LIMIT], out, title=title)
    # The export itself is an audited event, recorded after the rows were read.
    record("export", request=request, object_type="audit.auditentry", object_repr=title,
           summary={"filters": request.GET.dict(), "rows": rows})
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=f"审计日志_{timezone.localdate():%Y%m%d}.xlsx",
                        content_type=XLSX)
