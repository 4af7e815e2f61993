"""Queries for the roster pages and exports, always through the user's scope."""

import datetime

from django.db.models import Q

from tanhua.accounts.scope import scope_queryset
from tanhua.i18n import to_simplified

from .models import Cadre, CadreStatus, Unit


def years_ago(years, today=None):
    today = today or datetime.date.today()
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def roster_queryset(user, *, unit=None, subtree=True, rank=None, min_level=None, unit_head=None,
                    party_gov_head=None, min_years=None, sensitive=None, status=CadreStatus.ACTIVE, q=None,
                    today=None):
    """The cadres ``user`` may see, filtered as the roster page's filter bar asks."""
    qs = scope_queryset(Cadre.objects.all(), user)
    if unit is not None:
        qs = qs.filter(unit.subtree_q("unit_path")) if subtree else qs.filter(unit=unit)
    if rank:
        qs = qs.filter(rank=rank)
    if min_level:
        qs = qs.filter(rank__level__gte=min_level)
    if unit_head is not None:
        qs = qs.filter(is_unit_head=unit_head)
    if party_gov_head is not None:
        qs = qs.filter(is_party_gov_head=party_gov_head)
    if min_years:
        qs = qs.filter(post_since__lte=years_ago(min_years, today))
    if sensitive == "any":
        qs = qs.exclude(sensitive_post="")
    elif sensitive:
        qs = qs.filter(sensitive_post=sensitive)
    if status:
        qs = qs.filter(status=status)
    if q:
        condition = Q()
        # A search typed in Traditional characters finds the Simplified records too.
        for term in {q.strip(), to_simplified(q.strip())}:
            condition |= Q(name__contains=term) | Q(post__contains=term) | Q(id_number=term.upper())
        qs = qs.filter(condition)
    return qs


def unit_tree(user, current=None):
    """The visible units as nested nodes (``unit.children``), in one query.

    Nodes on the way to ``current`` and the top level are marked ``is_open``.
    """
    units = list(
        scope_queryset(Unit.objects.all(), user)
        .order_by("path")
        .only("id", "code", "name", "short_name", "path", "depth", "kind")
    )
    roots, stack = [], []
    for unit in units:
        unit.children = []
        while stack and not unit.path.startswith(stack[-1].path):
            stack.pop()
        (stack[-1].children if stack else roots).append(unit)
        unit.is_open = not stack or (current is not None and current.path.startswith(unit.path))
        stack.append(unit)
    return roots


def filtered_roster(user, params):
    """The roster filter bar's parameters (a QueryDict) applied for ``user``.

    Returns ``(form, unit, cadres)``. A field with a bad value (a hand-edited URL) is
    dropped; the valid ones still apply. Used by the page, the export and the export task.
    """
    from .forms import RosterFilterForm

    form = RosterFilterForm(params)
    form.is_valid()
    data = form.cleaned_data
    unit = None
    if data.get("unit"):
        unit = scope_queryset(Unit.objects.all(), user).filter(pk=data["unit"]).first()
    cadres = roster_queryset(
        user,
        unit=unit,
        subtree=data.get("subtree", True),
        rank=data.get("rank"),
        min_level=data.get("min_level"),
        unit_head=True if data.get("unit_head") else None,
        party_gov_head=True if data.get("party_gov_head") else None,
        min_years=data.get("min_years"),
        sensitive=data.get("sensitive"),
        status=data.get("status"),
        q=data.get("q"),
    )
    return form, unit, cadres


def find_cadre(user, unit, text):
    """The one cadre named ``text`` (a name or an ID number) in ``unit`` and below, within the
    user's scope; ValueError with a Chinese message when there is none or more than one."""
    text = text.strip()
    found = list(scope_queryset(Cadre.objects.select_related("unit"), user).filter(unit.subtree_q("unit_path"))
                 .filter(Q(name=text) | Q(id_number=text.upper()))[:6])
    if not found:
        raise ValueError(f"“{unit.name}”及其下级单位中没有“{text}”这名干部。")
    if len(found) > 1:
        units = "、".join(c.unit.name for c in found)
        raise ValueError(f"有多名叫“{text}”的干部({units}),请填写身份证号。")
    return found[0]
