"""Queries for the audit log viewer and its export."""

import datetime

from django import forms
from django.utils import timezone

from .models import ACTIONS, AuditEntry, Result


class AuditFilterForm(forms.Form):
    """The viewer's filter bar; every field optional."""

    user = forms.CharField(label="用户", required=False, max_length=150)
    action = forms.ChoiceField(label="操作", required=False, choices=[("", "全部")] + list(ACTIONS.items()))
    object_type = forms.CharField(label="对象类型", required=False, max_length=100)
    object_id = forms.CharField(label="对象编号", required=False, max_length=64)
    start = forms.DateField(label="起始日期", required=False, input_formats=["%Y-%m-%d"])
    end = forms.DateField(label="截止日期", required=False, input_formats=["%Y-%m-%d"])
    result = forms.ChoiceField(label="结果", required=False, choices=[("", "全部"), *Result.choices])


def filtered_entries(params):
    """The entries matching the filter parameters (a QueryDict or dict), newest first.

    ``user`` matches part of the user name; ``start`` and ``end`` (YYYY-MM-DD) are whole
    days in the project's time zone, both included. A parameter with a bad value (a
    hand-edited URL) is dropped; the valid ones still apply.
    """
    form = AuditFilterForm(params)
    form.is_valid()
    data = form.cleaned_data
    entries = AuditEntry.objects.select_related("user").order_by("-seq")
    if data.get("user"):
        entries = entries.filter(username__icontains=data["user"].strip())
    for name in ("action", "object_type", "object_id", "result"):
        if data.get(name):
            entries = entries.filter(**{name: data[name].strip()})
    if data.get("start"):
        entries = entries.filter(time__gte=_day_start(data["start"]))
    if data.get("end"):
        entries = entries.filter(time__lt=_day_start(data["end"] + datetime.timedelta(days=1)))
    return entries


def _day_start(day):
    # Days are Beijing days whatever time zone a request has activated.
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_default_timezone())
