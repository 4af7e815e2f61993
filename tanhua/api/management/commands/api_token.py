from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tanhua.accounts.models import User
from tanhua.api.models import ApiToken
from tanhua.audit.services import record
from tanhua.dates import cn_date, cn_datetime


class Command(BaseCommand):
    help = "为用户创建接口令牌并打印(只显示这一次);令牌以该用户的角色和范围访问接口。"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="用途,如“12345热线推送”")
        parser.add_argument("--list", action="store_true", help="列出该用户的令牌")
        parser.add_argument("--revoke", metavar="PREFIX", help="吊销前缀为 PREFIX 的令牌")

    def handle(self, *args, username, name, list, revoke, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户 {username} 不存在")
        if list:
            for token in user.api_tokens.order_by("id"):
                state = f"已吊销({cn_date(token.revoked_at)})" if token.revoked_at else "有效"
                used = cn_datetime(token.last_used_at) or "未使用"
                self.stdout.write(f"{token.prefix}…\t{token.name}\t{state}\t最近使用:{used}")
            return
        if revoke:
            count = user.api_tokens.filter(prefix__startswith=revoke, revoked_at__isnull=True).update(
                revoked_at=timezone.now())
            if not count:
                raise CommandError(f"没有前缀为 {revoke} 的有效令牌")
            record("grant", user=None, target=user, summary={"api_token": "revoked", "prefix": revoke})
            self.stdout.write(f"已吊销 {count} 个令牌")
            return
        if not user.is_active:
            raise CommandError(f"用户 {username} 已停用")
        token, key = ApiToken.issue(user, name)
        record("grant", user=None, target=user, summary={"api_token": "created", "prefix": token.prefix,
                                                        "name": name})
        self.stdout.write(key)
