from django.core.management.base import BaseCommand, CommandError

from tanhua.demo.bench import load_bench
from tanhua.demo.city import DemoError


class Command(BaseCommand):
    help = "生成用于性能测试的大规模模拟名册(约每60名干部一个单位,3-4级单位树),可选生成问题线索。"

    def add_arguments(self, parser):
        parser.add_argument("--cadres", type=int, required=True, help="干部人数,如 100000")
        parser.add_argument("--clues", type=int, default=0, help="同时生成的问题线索条数,如 1000000(默认0)")
        parser.add_argument("--seed", type=int, default=1, help="随机种子(默认1)")
        parser.add_argument("--batch-size", type=int, default=5000, help="每批写入条数(默认5000)")
        parser.add_argument("--force", action="store_true",
                            help="先删除已有的问题线索、单位、干部、任职经历、单位标签和演示账号")

    def handle(self, *args, cadres, clues, seed, batch_size, force, **options):
        if cadres < 1:
            raise CommandError("--cadres 必须是正整数")
        if clues < 0:
            raise CommandError("--clues 不能是负数")
        try:
            result = load_bench(cadres, seed, clues=clues, force=force, batch_size=batch_size, stdout=self.stdout)
        except DemoError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(
            f"已生成 {result['units']} 个单位、{result['cadres']} 名干部、{result['post_histories']} 条任职经历、"
            f"{result['clues']} 条问题线索,用时 {result['seconds']} 秒(单位 {result['unit_seconds']} 秒,"
            f"干部 {result['cadre_seconds']} 秒,线索 {result['clue_seconds']} 秒,整理与统计 {result['analyze_seconds']} 秒)"
        ))
