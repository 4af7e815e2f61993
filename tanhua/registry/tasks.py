"""Background work for the roster: web imports of large files run in the task worker."""

from urllib.parse import urlencode

from django.core.cache import cache
from django.http import QueryDict
from django.utils import timezone
from django_tasks import task

from tanhua.audit.services import record

from .models import ExportJob, ImportJob
from .roster import export_roster, import_roster
from .selectors import filtered_roster

PROGRESS_TTL = 24 * 3600


def set_progress(key, done, total):
    # Imports run in one transaction that other connections cannot see into, so progress
    # goes to the cache, not to the job row.
    cache.set(f"job-progress:{key}", (done, total), PROGRESS_TTL)


def get_progress(key):
    """``(done, total)`` rows of the running job ``key`` ("import:7", "export:3"), or ``None``."""
    return cache.get(f"job-progress:{key}")


def _run(job, dry_run):
    def progress(done, total):
        set_progress(f"import:{job.pk}", done, total)

    result = import_roster(
        job.path, user=job.user, dry_run=dry_run, progress=progress, address=job.address, name=job.original_name
    )
    data = result.as_dict()
    data["samples"] = result.samples
    return result, data


def _failed(job, exc):
    job.status = ImportJob.Status.FAILED
    job.result = {"errors": [{"row": 0, "column": "", "message": f"处理文件时发生系统错误:{exc}"}]}
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "result", "finished_at"])
    job.discard_file()


def run_job(job_id, *, dry_run):
    """Validate (``dry_run``) or import a job's file and record the outcome on the job."""
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    try:
        result, data = _run(job, dry_run=dry_run)
    except Exception as exc:
        _failed(job, exc)
        raise
    if dry_run:
        job.preview = data
        job.status = ImportJob.Status.VALIDATED if result.ok else ImportJob.Status.INVALID
    else:
        job.result = data
        job.status = ImportJob.Status.DONE if result.ok else ImportJob.Status.FAILED
        job.finished_at = timezone.now()
    job.save(update_fields=["preview", "result", "status", "finished_at"])
    if job.status in ImportJob.FINISHED:
        job.discard_file()
    return job


@task()
def validate_roster_job(job_id):
    run_job(job_id, dry_run=True)


@task()
def import_roster_job(job_id):
    run_job(job_id, dry_run=False)


@task()
def export_roster_job(job_id):
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    try:
        # The job's user and filters decide the rows, exactly as on the page.
        _form, _unit, cadres = filtered_roster(job.user, QueryDict(urlencode(job.params)))
        job.path.parent.mkdir(parents=True, exist_ok=True)
        job.rows = export_roster(
            cadres, job.path, title=job.title, progress=lambda done, total: set_progress(f"export:{job.pk}", done, total)
        )
        job.status = ExportJob.Status.DONE
    except Exception as exc:
        job.status, job.error = ExportJob.Status.FAILED, str(exc)[:500]
        raise
    finally:
        job.finished_at = timezone.now()
        job.save(update_fields=["rows", "status", "error", "finished_at"])
        record(
            "export", user=job.user, address=job.address, target=job,
            summary={"filters": job.params, "rows": job.rows, "title": job.title},
            result="success" if job.status == ExportJob.Status.DONE else "failure",
        )
