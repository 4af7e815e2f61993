"""List the draws (随机抽取记录) with their hashes; --json for machines."""

import json

from django.core.management.base import BaseCommand

from tanhua.talks.models import Draw


class Command(BaseCommand):
    help = "列出随机抽取记录(--json 输出 JSON 数组)"

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="输出 JSON 数组,每项含 id")

    def handle(self, *args, **options):
        draws = Draw.objects.select_related("round__programme__unit").order_by("programme_id", "seq", "pk")
        rows = [{
            "id": d.pk, "programme": d.programme.name, "unit": d.programme.unit.name, "round": d.round.number,
            "date": d.round.date.isoformat(), "status": "drawn" if d.drawn_at else "frozen", "seq": d.seq,
            "pool": len(d.pool), "pool_hash": d.pool_hash, "selected": d.selected, "record_hash": d.record_hash or None,
        } for d in draws]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False))
            return
        if not rows:
            self.stdout.write("还没有随机抽取记录。")
        for r in rows:
            state = f"记录哈希 {r['record_hash'][:16]}…" if r["record_hash"] else "名单已冻结,尚未抽取"
            self.stdout.write(f"{r['id']:>5}  {r['unit']} {r['programme']} 第{r['round']}批 {r['date']}  "
                              f"候选 {r['pool']} 人  {state}")
