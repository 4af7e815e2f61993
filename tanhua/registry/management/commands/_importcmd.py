"""Shared output for the import commands: a Chinese summary, or exactly one JSON object."""

import json
import sys

from django.core.management.base import BaseCommand


class ImportCommand(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("file", help="Excel 文件 (.xlsx)")
        parser.add_argument("--dry-run", action="store_true", help="只校验,不写入")
        parser.add_argument("--json", action="store_true", help="以一个 JSON 对象输出结果")

    def report(self, result, options):
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
        else:
            for error in result.errors:
                where = f"第{error['row']}行" + (f"“{error['column']}”" if error["column"] else "")
                self.stderr.write(f"{where}:{error['message']}")
            verb = "校验" if options["dry_run"] else "导入"
            if result.errors:
                self.stderr.write(f"{verb}失败:共 {len(result.errors)} 处错误,没有写入任何数据。")
            else:
                note = "(仅校验,未写入)" if options["dry_run"] else ""
                self.stdout.write(
                    f"{verb}完成{note}:数据 {result.rows} 行,新增 {result.created},"
                    f"更新 {result.updated},无变化 {result.unchanged}。"
                )
        if result.errors:
            sys.exit(1)
