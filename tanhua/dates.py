"""Dates as people read them, and the one rule for the dates of things that happened.

Every entry point (form, API, importer, service) that takes the date of something that has
happened (a clue received, a talk held, a visit made, a meeting held, a day of work reported)
checks it here, so the limits are the same everywhere: never after today (the office's
local date), and never before what it follows (a record not before its talk).
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone


def today():
    """The office's date (``TIME_ZONE``), not the server's UTC date."""
    return timezone.localdate()


def cn_date(value):
    """2025年3月1日: how a date is written wherever a person reads it."""
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return f"{value.year}年{value.month}月{value.day}日"
    return f"{value.year}年{value.month}月{value.day}日"


def cn_datetime(value):
    """2025年3月1日 09:30"""
    if not value:
        return ""
    value = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{value.year}年{value.month}月{value.day}日 {value:%H:%M}"


def happened_error(value, label, *, not_before=None, not_before_what="", on=None):
    """Why ``value`` cannot be the date of something that happened, or None.

    ``label`` names the field (受理日期); ``not_before`` is the earliest possible date and
    ``not_before_what`` says what it is (谈话日期), for the message.
    """
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    on = on or today()
    if value > on:
        return f"{label}({cn_date(value)})晚于今天({cn_date(on)}):尚未发生的事不能登记。"
    if not_before is not None and value < not_before:
        return f"{label}({cn_date(value)})早于{not_before_what or '起始日期'}({cn_date(not_before)})。"
    return None


def check_happened(value, label, **kwargs):
    """Raise a ValidationError with :func:`happened_error`'s message."""
    message = happened_error(value, label, **kwargs)
    if message:
        raise ValidationError(message, code="date_not_happened")
