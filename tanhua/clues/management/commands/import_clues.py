from pathlib import Path

from django.core.management.base import CommandError

from tanhua.accounts.models import User
from tanhua.clues.importer import import_clues
from tanhua.registry.management.commands._importcmd import ImportCommand


class Command(ImportCommand):
    help = "批量导入问题线索(以指定用户的身份和范围登记;有任何错误则不写入)"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--user", required=True, help="以哪个用户的身份登记(决定可用的单位范围,记入审计日志)")

    def handle(self, *args, **options):
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"用户 {options['user']} 不存在或已停用")
        if not user.has_perm("clues.add"):
            raise CommandError(f"用户 {user.username} 没有登记问题线索的权限")
        path = Path(options["file"])
        result = import_clues(path, user, dry_run=options["dry_run"], name=path.name)
        self.report(result, options)
