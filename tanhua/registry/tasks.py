"""Background work for the roster: web imports of large files run in the task worker."""

from django.core.cache import cache
from django.utils import timezone
from django_tasks import task

from .models import ImportJob
from .roster import import_roster

PROGRESS_TTL = 24 * 3600


def progress_key(job_id):
    return f"import-progress:{job_id}"


def get_progress(job_id):
    """``(done, total)`` rows of the running step, or ``None``."""
    return cache.get(progress_key(job_id))


def _run(job, dry_run):
    def progress(done, total):
        # The import runs in one transaction that other connections cannot see into, so
        # progress goes to the cache, not to the job row.
        cache.set(progress_key(job.pk), (done, total), PROGRESS_TTL)

    result = import_roster(job.path, user=job.user, dry_run=dry_run, progress=progress)
    data = result.as_dict()
    data["samples"] = result.samples
    return result, data


def _failed(job, exc):
    job.status = ImportJob.Status.FAILED
    job.result = {"errors": [{"row": 0, "column": "", "message": f"处理文件时发生系统错误:{exc}"}]}
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "result", "finished_at"])


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
    return job


@task()
def validate_roster_job(job_id):
    run_job(job_id, dry_run=True)


@task()
def import_roster_job(job_id):
    run_job(job_id, dry_run=False)
