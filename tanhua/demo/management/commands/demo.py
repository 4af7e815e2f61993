from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from tanhua.demo.city import DEMO_PASSWORD, DemoError, demo_logins, load_demo
from tanhua.talks.models import Draw

KIND_ORDER = ["市", "市直部门", "县区", "其他", "镇街", "国有企业", "学校", "医院"]
KIND_LABELS = {"其他": "县区部门"}


class Command(BaseCommand):
    help = "在空数据库中生成演示数据:虚构的清河市的单位、干部名册和各角色的演示账号。"

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026, help="随机种子,同一种子生成相同的数据(默认2026)")
        parser.add_argument("--force", action="store_true", help="先删除已有的问题线索、单位、干部、任职经历和单位标签,并重置演示账号")
        parser.add_argument("--logins", action="store_true", help="只列出演示账号,不生成数据")

    def handle(self, *args, seed, force, logins, **options):
        if logins:
            self._logins(demo_logins())
            return
        try:
            summary = load_demo(seed, force=force, stdout=self.stdout)
        except DemoError as exc:
            raise CommandError(str(exc)) from None
        by_kind = summary["units_by_kind"]
        kinds = "、".join(f"{KIND_LABELS.get(k, k)}{by_kind[k]}个" for k in KIND_ORDER if by_kind.get(k))
        self.stdout.write(self.style.SUCCESS(f"已生成演示数据:{summary['city']}(随机种子 {summary['seed']})"))
        self.stdout.write(f"  单位 {summary['units']} 个({kinds})")
        self.stdout.write(
            f"  干部 {summary['cadres']} 名(其中一把手 {summary['unit_heads']} 名),任职经历 {summary['post_histories']} 条"
        )
        self.stdout.write(
            f"  问题线索 {summary['clues']} 件(未办结 {summary['open']} 件),函询 {summary['inquiries']} 件,"
            f"疑似重复 {summary['duplicates']} 对"
        )
        self.stdout.write(
            f"  谈话活动 {summary['programmes']} 项,批次 {summary['rounds']} 批(已抽取 {summary['draws']} 批),"
            f"谈话 {summary['talks']} 次,整改事项 {summary['items']} 项(未销号 {summary['items_open']} 项)"
        )
        self._logins(summary["users"])

    def _logins(self, users):
        self.stdout.write(f"登录账号(密码均为 {DEMO_PASSWORD},仅供演示,正式使用前请删除或修改):")
        for user in users:
            self.stdout.write(f"  {user['username']:<12}{user['full_name']:<6}\t{user['scope']}")
        published = Draw.objects.exclude(public_token="").select_related("round__programme").order_by("pk")
        if published:
            self.stdout.write("已发布的抽取公示(任何人无需登录即可打开,在网址前加上本系统的地址):")
            for frozen in published:
                self.stdout.write(f"  {frozen.round}:{reverse('public:draw', args=[frozen.public_token])}")
