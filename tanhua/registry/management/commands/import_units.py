from tanhua.registry.units import import_units

from ._importcmd import ImportCommand


class Command(ImportCommand):
    help = "导入单位(列:单位代码、单位名称、上级单位代码、单位类别、标签;按单位代码新增或更新)"

    def handle(self, *args, **options):
        result = import_units(options["file"], dry_run=options["dry_run"])
        self.report(result, options)
