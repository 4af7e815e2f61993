import getpass
import sys

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from tanhua.accounts.models import Role, User
from tanhua.audit.services import record
from tanhua.registry.models import Unit


class Command(BaseCommand):
    help = "创建用户(例如正式部署后的第一个系统管理员):tanhua create-user admin --role admin --full-name 张三"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--full-name", required=True, help="姓名")
        parser.add_argument("--role", action="append", required=True,
                            help="角色代码,可重复:admin staff petition leader organization cadre auditor")
        parser.add_argument("--unit", help="所属单位代码(数据范围为“全部”的角色可不填)")
        parser.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码(用于脚本)")

    def handle(self, *args, username, full_name, role, unit, password_stdin, **options):
        if User.objects.filter(username=username).exists():
            raise CommandError(f"用户名 {username} 已存在")
        roles = list(Role.objects.filter(code__in=role))
        missing = sorted(set(role) - {r.code for r in roles})
        if missing:
            known = "、".join(Role.objects.values_list("code", flat=True))
            raise CommandError(f"没有角色代码 {'、'.join(missing)}(现有:{known})")
        unit_obj = None
        if unit:
            unit_obj = Unit.objects.filter(code=unit).first()
            if unit_obj is None:
                raise CommandError(f"没有单位代码为 {unit} 的单位")
        if password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        else:
            password = getpass.getpass("密码:")
            if getpass.getpass("再次输入密码:") != password:
                raise CommandError("两次输入的密码不一致")
        try:
            password_validation.validate_password(password, User(username=username))
        except ValidationError as exc:
            raise CommandError("密码不符合要求:" + ";".join(exc.messages)) from None
        with transaction.atomic():
            user = User.objects.create_user(
                username, password=password, full_name=full_name, unit=unit_obj,
                # Chosen by the person at the keyboard, so not a temporary password.
                password_changed_at=timezone.now(),
            )
            user.roles.set(roles)
            record("create", user=None, target=user, summary={
                "username": username, "full_name": full_name, "unit": unit_obj.name if unit_obj else "",
                "roles": sorted(r.name for r in roles), "via": "command line",
            })
        self.stdout.write(self.style.SUCCESS(f"已创建用户 {username}(角色:{'、'.join(r.name for r in roles)})"))
