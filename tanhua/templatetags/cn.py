"""Template filters for how Chinese offices write things."""

import datetime

from django import template

register = template.Library()


@register.filter
def cndate(value):
    """2025年3月1日"""
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        from django.utils import timezone

        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{value.year}年{value.month}月{value.day}日 {value:%H:%M}"
    return f"{value.year}年{value.month}月{value.day}日"


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
