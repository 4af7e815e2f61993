import json
import re
import sys

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from tanhua.audit.services import verify_chain


def parse_anchor(value):
    """``SEQ:HASH`` as printed by ``audit_head`` (a space also separates them)."""
    match = re.fullmatch(r"\s*(\d+)\s*[:\s]\s*([0-9a-fA-F]{64})\s*", value or "")
    if not match or int(match[1]) < 1:
        raise CommandError(f"锚点格式应为 序号:哈希(如 120:{'0' * 8}…,哈希为 64 位十六进制),收到“{value}”。")
    return int(match[1]), match[2].lower()


class Command(BaseCommand):
    help = "校验审计日志的哈希链:任何一条被修改、删除或插入都会指出(有问题时退出码为 1)"

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="以一个 JSON 对象输出结果")
        parser.add_argument(
            "--anchor", metavar="SEQ:HASH",
            help="此前用 audit-head 记在数据库之外的序号和哈希:校验该条仍在且未变",
        )

    def handle(self, *args, **options):
        anchor = parse_anchor(options["anchor"]) if options["anchor"] else None
        try:
            result = verify_chain(anchor=anchor)
        except ImproperlyConfigured as exc:  # an entry in sm3 on a Python without it
            raise CommandError(str(exc)) from None
        if options["json"]:
            self.stdout.write(json.dumps({
                "ok": result.ok,
                "entries": result.count,
                "head": {"seq": result.head_seq, "hash": result.head_hash} if result.head else None,
                "problem": result.problem.as_dict() if result.problem else None,
                "algorithm": settings.TANHUA_AUDIT_HASH,  # what new entries use
                "algorithms": sorted(result.algorithms),
            }, ensure_ascii=False))
        elif result.ok:
            head = f",最新 第{result.head_seq}条 {result.head_hash}" if result.head else ""
            self.stdout.write(f"审计日志完整:共 {result.count} 条{head}")
        else:
            self.stderr.write(f"审计日志校验失败:{result.problem.message}")
            self.stderr.write(f"(现有 {result.count} 条记录)")
        if not result.ok:
            sys.exit(1)
