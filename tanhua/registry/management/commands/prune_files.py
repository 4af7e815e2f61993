import datetime

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from tanhua.registry.models import ExportJob, ImportJob


class Command(BaseCommand):
    help = "删除过期的导出文件和无人确认的上传文件(可由 cron 每天运行)"

    def handle(self, *args, **options):
        cutoff = timezone.now() - datetime.timedelta(hours=settings.TANHUA_EXPORT_TTL_HOURS)
        exports = 0
        for job in ExportJob.objects.filter(created_at__lt=cutoff):
            if job.expired and job.path.exists():
                job.path.unlink()
                exports += 1
        uploads = 0
        # Previews nobody confirmed or cancelled: the file is all that is left of them.
        for job in ImportJob.objects.filter(status=ImportJob.Status.VALIDATED, created_at__lt=cutoff):
            if job.path.exists():
                job.discard_file()
                uploads += 1
            ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.CANCELLED)
        self.stdout.write(f"已删除过期导出文件 {exports} 个、未确认的上传文件 {uploads} 个")
