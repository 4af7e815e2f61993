"""Write one draw's record, with everything needed to recompute it, to a JSON file."""

import json

from django.core.management.base import BaseCommand, CommandError

from tanhua.talks.models import Draw
from tanhua.talks.services import DrawError, export_record


class Command(BaseCommand):
    help = "导出一次随机抽取的完整记录(JSON),可用 verify-draw 或 tools/verify_draw.py 校验"

    def add_arguments(self, parser):
        parser.add_argument("id", type=int, help="抽取记录编号(见 list-draws)")
        parser.add_argument("file", help="输出文件,如 draw.json")

    def handle(self, *args, **options):
        frozen = Draw.objects.filter(pk=options["id"]).first()
        if frozen is None:
            raise CommandError(f"没有编号为 {options['id']} 的抽取记录(用 tanhua list-draws 查看)")
        try:
            record = export_record(frozen)
        except DrawError as exc:
            raise CommandError(exc.message) from None
        with open(options["file"], "w", encoding="utf-8") as out:
            json.dump(record, out, ensure_ascii=False, indent=2)
            out.write("\n")
        self.stdout.write(f"已导出抽取记录 {frozen.pk} 到 {options['file']}")
