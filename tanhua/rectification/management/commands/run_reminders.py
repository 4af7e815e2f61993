"""Send the reminders that are due; cron or a systemd timer runs it daily (idempotent)."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from tanhua.rectification import reminders


class Command(BaseCommand):
    help = "发送到期的整改提醒和回访提醒(站内通知);可重复运行,不会重复发送"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按这一天计算(YYYY-MM-DD,默认今天),用于补发或核对")

    def handle(self, *args, date=None, **options):
        today = None
        if date:
            try:
                today = datetime.date.fromisoformat(date)
            except ValueError:
                raise CommandError(f"日期格式应为 YYYY-MM-DD:{date}") from None
        sent = reminders.run(today)
        self.stdout.write(f"已发送 {sent} 条提醒。")
