from tanhua.registry.roster import import_roster

from ._importcmd import ImportCommand


class Command(ImportCommand):
    help = "导入干部名册(按身份证号新增或更新;有任何错误则不写入)"

    def handle(self, *args, **options):
        result = import_roster(options["file"], dry_run=options["dry_run"])
        self.report(result, options)
