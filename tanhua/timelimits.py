"""Time limits as offices watch them: yellow once half the time is used, red when overdue.

Shared by clues and rectification items (both store ``warn_on``, the half-way date, so that
lists can sort by urgency in SQL), and month arithmetic for programmes and talks.
"""

import datetime

from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

LIGHT_RANKS = {"red": 0, "yellow": 1, "green": 2, "done": 3}


def half_way(start, due):
    return start + datetime.timedelta(days=max(0, (due - start).days) // 2)


def light(done, warn_on, due_on, today=None):
    """"done", "red", "yellow" or "green"."""
    if done:
        return "done"
    today = today or timezone.localdate()
    if today > due_on:
        return "red"
    return "yellow" if today >= warn_on else "green"


def light_rank(done_q, today):
    """The light as a sortable SQL expression (0 red … 3 done); ``done_q`` says which rows are done."""
    return Case(When(done_q, then=Value(3)), When(due_on__lt=today, then=Value(0)),
                When(warn_on__lte=today, then=Value(1)), default=Value(2), output_field=IntegerField())


def add_months(day, months):
    """The same day ``months`` later (or earlier), at the month's end where it is shorter."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)
