from django.core.management.base import BaseCommand, CommandError

from tanhua.registry.models import Cadre, Unit
from tanhua.registry.roster import export_roster


class Command(BaseCommand):
    help = "导出干部名册(与导入模板同样的列,可原样导回)"

    def add_arguments(self, parser):
        parser.add_argument("file", help="输出的 Excel 文件 (.xlsx)")
        parser.add_argument("--unit", help="只导出该单位代码及其下级单位的干部")
        parser.add_argument("--status", default="", help="只导出该状态的干部(在职/调离/退休),默认全部")

    def handle(self, *args, **options):
        cadres = Cadre.objects.all()
        title = "干部名册"
        if options["unit"]:
            unit = Unit.objects.filter(code=options["unit"]).first()
            if unit is None:
                raise CommandError(f"单位代码“{options['unit']}”不存在")
            cadres = cadres.filter(unit.subtree_q("unit_path"))
            title = f"{unit.name}干部名册"
        if options["status"]:
            cadres = cadres.filter(status=options["status"])
        count = export_roster(cadres, options["file"], title=title)
        self.stdout.write(f"已导出 {count} 名干部到 {options['file']}")
