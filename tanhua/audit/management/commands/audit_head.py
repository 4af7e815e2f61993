import json

from django.core.management.base import BaseCommand

from tanhua.audit import chain
from tanhua.audit.models import AuditEntry


class Command(BaseCommand):
    help = "输出审计日志最新一条的序号和哈希,记在数据库之外,日后用 verify-audit --anchor 校验"

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="以一个 JSON 对象输出")

    def handle(self, *args, **options):
        entry = AuditEntry.objects.order_by("-seq").only("seq", "hash", "time").first()
        if entry is None:
            # Stdout keeps its format (seq 0, the genesis hash); the note goes to stderr.
            self.stderr.write("审计日志为空:还没有任何记录。")
            seq, hash_, time = 0, chain.GENESIS, None
        else:
            seq, hash_, time = entry.seq, entry.hash, chain.format_time(entry.time)
        if options["json"]:
            self.stdout.write(json.dumps({"seq": seq, "hash": hash_, "time": time}))
        else:
            self.stdout.write(f"{seq} {hash_}")
