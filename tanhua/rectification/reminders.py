"""Reminders: in-app notifications on a schedule, each sent once (``tanhua run-reminders``).

- the responsible person: N days before the time limit, on the day, and every M days while
  overdue (``TANHUA_REMIND_DAYS_BEFORE``, ``TANHUA_REMIND_OVERDUE_EVERY``);
- the responsible leader: when the item becomes overdue;
- the talker (the follow-up's visitor): when a follow-up visit is due.

Each notification has a key naming its occasion ("before:ITEM:DUE", "overdue:ITEM:DUE:K" …);
a unique constraint on (user, key) makes a second run, or two runs at once, send nothing twice.
A new time limit (a deadline order) gives new occasions.
"""

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from tanhua.dates import cn_date

from .models import FollowUp, Item, Notification


def due_notifications(today):
    """(user_id, key, text, url) for everything that should have been said by ``today``."""
    before = settings.TANHUA_REMIND_DAYS_BEFORE
    every = max(1, settings.TANHUA_REMIND_OVERDUE_EVERY)
    out = []
    items = (Item.objects.exclude(status=Item.Status.CLOSED).filter(due_on__lte=today + _days(before))
             .filter(Q(owner__isnull=False) | Q(leader__isnull=False)).only(
                 "id", "problem", "due_on", "owner_id", "leader_id", "status"))
    for item in items:
        url = reverse("rectification:item", args=[item.pk])
        what = f"整改事项“{item.problem[:30]}”"
        due = item.due_on
        if item.owner_id:
            if today < due:
                out.append((item.owner_id, f"before:{item.pk}:{due}", f"{what}将于{cn_date(due)}到期,请按时完成并报告。", url))
            elif today == due:
                out.append((item.owner_id, f"due:{item.pk}:{due}", f"{what}今天({cn_date(due)})到期。", url))
            else:
                k = (today - due).days // every
                out.append((item.owner_id, f"overdue:{item.pk}:{due}:{k}",
                            f"{what}已逾期 {(today - due).days} 天(时限{cn_date(due)}),请尽快整改并报告。", url))
        if item.leader_id and today > due:
            out.append((item.leader_id, f"leader-overdue:{item.pk}:{due}",
                        f"您负责督促的{what}已逾期(时限{cn_date(due)}),请督促整改,必要时升级督办。", url))
    for visit in FollowUp.objects.filter(done_on__isnull=True, planned_on__lte=today, by__isnull=False).select_related(
            "item"):
        out.append((visit.by_id, f"follow-up:{visit.pk}",
                    f"整改事项“{visit.item.problem[:30]}”的回访已到计划日期({cn_date(visit.planned_on)})。",
                    reverse("rectification:item", args=[visit.item_id])))
    return out


def _days(n):
    import datetime

    return datetime.timedelta(days=n)


def run(today=None, now=None):
    """Send what is due and not yet sent; returns how many were sent."""
    today = today or timezone.localdate()
    now = now or timezone.now()
    wanted = due_notifications(today)
    if not wanted:
        return 0
    keys = {(user, key) for user, key, _t, _u in wanted}
    sent = set(Notification.objects.filter(user_id__in={u for u, _ in keys}, key__in={k for _, k in keys})
               .values_list("user_id", "key"))
    new = [Notification(user_id=u, key=k, text=t, url=url, created_at=now)
           for u, k, t, url in wanted if (u, k) not in sent]
    # ignore_conflicts: a run at the same moment may have sent one since; the constraint keeps it once.
    Notification.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)
