"""Template filters for how Chinese offices write things."""

import datetime

from django import template

from tanhua.dates import cn_date, cn_datetime

register = template.Library()


@register.filter
def cndate(value):
    """2025年3月1日 (a datetime with its time: 2025年3月1日 09:30)"""
    if isinstance(value, datetime.datetime):
        return cn_datetime(value)
    return cn_date(value)


@register.filter
def cnmonth(value):
    """2025年3月, for dates the roster keeps to the month."""
    if not value:
        return ""
    if value.day == 1:
        return f"{value.year}年{value.month}月"
    return cndate(value)


@register.filter
def years_in_post(cadre, today):
    return cadre.years_in_post(today)


@register.filter
def joinname(outer, inner):
    """A unit before a title, saying each place once: 清河市城厢区 + 城厢区勤廉半月谈."""
    from tanhua.registry.names import join_names

    return join_names(str(outer or ""), str(inner or ""))
