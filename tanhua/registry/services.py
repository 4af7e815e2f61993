"""Roster import jobs started from the web UI."""

import uuid
import zipfile

from django.conf import settings
from django.db import transaction

from tanhua.audit.services import diff, record

from . import tasks
from .models import ExportJob, ImportJob, Unit
from .units import sync_cadre_paths

XLSX_MAGIC = b"PK\x03\x04"


class UploadError(ValueError):
    pass


def check_xlsx(uploaded):
    """Refuse an upload that is not a real, reasonably sized .xlsx workbook (UploadError)."""
    name = uploaded.name or ""
    if not name.lower().endswith(".xlsx"):
        raise UploadError(f"“{name}”不是.xlsx文件:请在Excel中“另存为”Excel工作簿(*.xlsx)后上传")
    if uploaded.size > settings.TANHUA_MAX_IMPORT_BYTES:
        limit = settings.TANHUA_MAX_IMPORT_BYTES // (1024 * 1024)
        raise UploadError(f"文件过大({uploaded.size // (1024 * 1024)}MB),上限为{limit}MB")
    head = uploaded.read(4)
    uploaded.seek(0)
    if head != XLSX_MAGIC:
        raise UploadError(f"“{name}”的内容不是Excel工作簿,可能是改了扩展名的其他文件")
    _check_unpacked_size(uploaded, name)


def create_import_job(user, uploaded, address=""):
    """Store an uploaded roster outside the web root and open a job for it."""
    check_xlsx(uploaded)
    name = uploaded.name or ""
    settings.UPLOAD_DIR.mkdir(parents=True, exist_ok=True)
    stored = f"{uuid.uuid4().hex}.xlsx"
    with open(settings.UPLOAD_DIR / stored, "wb") as out:
        out.writelines(uploaded.chunks())
    return ImportJob.objects.create(
        user=user, original_name=name[:200], stored_name=stored, size=uploaded.size, address=address
    )


def _check_unpacked_size(uploaded, name):
    # The reader unpacks the whole sheet in memory: refuse a file that unpacks to far more
    # than a real roster of the allowed size would (a "zip bomb").
    limit = settings.TANHUA_MAX_IMPORT_BYTES * 20
    try:
        with zipfile.ZipFile(uploaded) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise UploadError(f"“{name}”已损坏,无法作为Excel工作簿打开") from None
    finally:
        uploaded.seek(0)
    if unpacked > limit:
        raise UploadError(f"“{name}”解压后过大({unpacked // (1024 * 1024)}MB),上限为{limit // (1024 * 1024)}MB")


def runs_in_background(job):
    # Small files finish faster than a page reload; only large ones go to the worker.
    return job.size > settings.TANHUA_BACKGROUND_IMPORT_BYTES


def _run_or_enqueue(job, *, dry_run):
    if runs_in_background(job):
        task = tasks.validate_roster_job if dry_run else tasks.import_roster_job
        transaction.on_commit(lambda: task.enqueue(job.pk))
    else:
        tasks.run_job(job.pk, dry_run=dry_run)
    job.refresh_from_db()


def start_validation(job):
    """Check the job's file (the preview): at once if small, in the worker if large."""
    _run_or_enqueue(job, dry_run=True)
    return job


def confirm_import(job):
    """Import a validated job; returns False if the job cannot be imported (any more)."""
    updated = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.VALIDATED).update(
        status=ImportJob.Status.IMPORTING
    )
    if not updated:
        return False
    _run_or_enqueue(job, dry_run=False)
    return True


def running_export(user, params):
    """The user's export with these filters still being written, if any."""
    params = params.dict() if hasattr(params, "dict") else dict(params)
    return ExportJob.objects.filter(user=user, params=params, status=ExportJob.Status.RUNNING).first()


def start_export(user, params, title, rows, address=""):
    """Queue a large roster export; ``params`` are the roster page's filters.

    The same export still being written is reused rather than queued again (a reloaded
    page, or a link followed many times, must not pile up jobs).
    """
    running = running_export(user, params)
    if running:
        return running
    params = params.dict() if hasattr(params, "dict") else dict(params)
    job = ExportJob.objects.create(
        user=user, params=params, title=title[:200],
        rows=rows, stored_name=f"{uuid.uuid4().hex}.xlsx", address=address,
    )
    transaction.on_commit(lambda: tasks.export_roster_job.enqueue(job.pk))
    return job


# --- Unit administration ----------------------------------------------------------------

class UnitInUse(Exception):
    pass


def _unit_facts(unit):
    parent = Unit.objects.get_parent(unit)
    return {
        "code": unit.code,
        "name": unit.name,
        "short_name": unit.short_name,
        "kind": unit.get_kind_display(),
        "parent": parent.name if parent else "",
        "tags": sorted(tag.name for tag in unit.tags.all()),
    }


@transaction.atomic
def save_unit(form, *, request):
    """Create a unit or change one from a valid ``UnitForm``, moving it when its parent changed."""
    parent = form.cleaned_data.get("parent")
    fields = {name: form.cleaned_data[name] for name in ("code", "name", "short_name", "kind")}
    if form.instance.pk is None:
        unit = Unit.objects.add_child(parent, fields) if parent else Unit.objects.add_root(fields)
        unit.tags.set(form.cleaned_data["tags"])
        record("create", request=request, target=unit, summary=_unit_facts(unit))
        return unit
    unit = Unit.objects.get(pk=form.instance.pk)
    before = _unit_facts(unit)
    for name, value in fields.items():
        if name != "code":
            setattr(unit, name, value)
    unit.save()
    unit.tags.set(form.cleaned_data["tags"])
    current = Unit.objects.get_parent(unit)
    if (current.pk if current else None) != (parent.pk if parent else None):
        if parent is None:
            Unit.objects.move(unit, Unit.objects.get_last_root_node(), "last-sibling")
        else:
            Unit.objects.move(unit, parent, "last-child")
        unit.refresh_from_db()
        sync_cadre_paths(unit)
    changes = diff(before, _unit_facts(unit))
    if changes:
        record("update", request=request, target=unit, summary=changes)
    return unit


@transaction.atomic
def delete_unit(unit, *, request):
    """Delete an empty unit: no units below it, no cadres, no users."""
    if Unit.objects.get_children(unit).exists():
        raise UnitInUse("该单位还有下级单位,请先删除或移走下级单位。")
    if unit.cadres.exists():
        raise UnitInUse(f"该单位还有 {unit.cadres.count()} 名干部,请先调整他们的单位。")
    if unit.users.exists():
        raise UnitInUse("还有用户属于该单位,请先调整这些用户的单位。")
    record("delete", request=request, target=unit, summary=_unit_facts(unit))
    unit.delete()
