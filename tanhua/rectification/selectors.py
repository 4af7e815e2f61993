"""Ledger queries: one ledger per unit (一单位一台账), with lights and rates, through the scope."""

from django.db.models import Count, Q

from tanhua.accounts.scope import scope_queryset
from tanhua.timelimits import LIGHT_RANKS, light_rank

from .models import Item

LIGHTS = {"red": "逾期", "yellow": "过半", "green": "正常", "done": "已销号"}


def with_light(qs, today):
    return qs.annotate(light_rank=light_rank(Q(status=Item.Status.CLOSED), today))


def ledger(user, params, today):
    """(items, unit) for the ledger page's filters: unit (with the units below), status, light, text."""
    from tanhua.registry.models import Unit

    qs = with_light(scope_queryset(Item.objects.all(), user), today)
    unit = None
    if str(params.get("unit", "")).isdigit():
        unit = scope_queryset(Unit.objects.all(), user).filter(pk=params["unit"]).first()
        if unit is not None:
            qs = qs.filter(unit.subtree_q("unit_path"))
    if params.get("status") in Item.Status.values:
        qs = qs.filter(status=params["status"])
    light = LIGHT_RANKS.get(params.get("light"))
    if light is not None:
        qs = qs.filter(light_rank=light)
    q = (params.get("q") or "").strip()[:60]
    if q:
        qs = qs.filter(Q(problem__contains=q) | Q(measures__contains=q) | Q(owner_name__contains=q))
    return qs.select_related("unit", "talk").annotate(evidence_count=Count("evidence", distinct=True),
                                                      follow_up_count=Count("follow_ups", distinct=True,
                                                                            filter=Q(follow_ups__done_on__isnull=False))
                                                      ).order_by("light_rank", "due_on", "id"), unit


def unit_rates(user, today, units=None):
    """Per unit: items, closed, overdue and the closure rate ("件件有回应、条条有落实")."""
    qs = scope_queryset(Item.objects.all(), user)
    if units is not None:
        qs = qs.filter(unit__in=units)
    rows = qs.values("unit_id", "unit__name").annotate(
        total=Count("id"), closed=Count("id", filter=Q(status=Item.Status.CLOSED)),
        overdue=Count("id", filter=~Q(status=Item.Status.CLOSED) & Q(due_on__lt=today))).order_by("unit__path")
    for row in rows:
        row["rate"] = round(100 * row["closed"] / row["total"], 1) if row["total"] else 0.0
    return list(rows)
