"""Verify an exported draw record: recompute it, and compare it with what the system stored."""

import json

from django.core.management.base import BaseCommand, CommandError

from tanhua.talks.services import verify_against_database


class Command(BaseCommand):
    help = "校验导出的随机抽取记录:重新计算名单哈希、种子和抽中名单,并与系统保存的记录及抽取链比对"

    def add_arguments(self, parser):
        parser.add_argument("file", help="抽取记录 JSON 文件")

    def handle(self, *args, **options):
        try:
            with open(options["file"], encoding="utf-8") as f:
                record = json.load(f)
        except (OSError, ValueError) as exc:
            raise CommandError(f"无法读取抽取记录 {options['file']}:{exc}") from None
        if not isinstance(record, dict):
            raise CommandError(f"{options['file']} 不是抽取记录(应为一个 JSON 对象)")
        problems = verify_against_database(record)
        if problems:
            raise CommandError("校验不通过:\n" + "\n".join(f"  - {p}" for p in problems))
        self.stdout.write(f"校验通过:抽取记录 {record['id']} 与系统保存的一致,候选 {len(record['pool'])} 人,"
                          f"抽中 {len(record['selected'])} 人,抽取链衔接一致。")
