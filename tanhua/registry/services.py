"""Roster import jobs started from the web UI."""

import uuid
import zipfile

from django.conf import settings
from django.db import transaction

from . import tasks
from .models import ExportJob, ImportJob

XLSX_MAGIC = b"PK\x03\x04"


class UploadError(ValueError):
    pass


def create_import_job(user, uploaded):
    """Store an uploaded roster outside the web root and open a job for it."""
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
    settings.UPLOAD_DIR.mkdir(parents=True, exist_ok=True)
    stored = f"{uuid.uuid4().hex}.xlsx"
    with open(settings.UPLOAD_DIR / stored, "wb") as out:
        out.writelines(uploaded.chunks())
    return ImportJob.objects.create(user=user, original_name=name[:200], stored_name=stored, size=uploaded.size)


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


def start_export(user, params, title, rows):
    """Queue a large roster export; ``params`` are the roster page's filters.

    The same export still being written is reused rather than queued again (a reloaded
    page, or a link followed many times, must not pile up jobs).
    """
    params = params.dict() if hasattr(params, "dict") else dict(params)
    running = ExportJob.objects.filter(user=user, params=params, status=ExportJob.Status.RUNNING).first()
    if running:
        return running
    job = ExportJob.objects.create(
        user=user, params=params, title=title[:200],
        rows=rows, stored_name=f"{uuid.uuid4().hex}.xlsx",
    )
    transaction.on_commit(lambda: tasks.export_roster_job.enqueue(job.pk))
    return job
