"""Clue lists, always through the user's scope."""

from django.db.models import Q
from django.utils import timezone

from tanhua.accounts.scope import scope_queryset
from tanhua.i18n import to_simplified
from tanhua.registry.models import Cadre, Unit
from tanhua.timelimits import light_rank

from . import search
from .forms import ClueFilterForm
from .models import Category, Clue, Light, Source


def with_light(qs, today=None):
    """Annotate ``light_rank`` (0 red, 1 yellow, 2 green, 3 done) so lists sort by urgency in SQL."""
    today = today or timezone.localdate()
    return qs.annotate(light_rank=light_rank(Q(status=Clue.Status.CLOSED), today))


def filtered_clues(user, params, today=None):
    """``(form, unit, clues)`` for the list's filter bar.

    A bad filter value is dropped and the rest apply; a bad search term finds nothing.
    """
    form = ClueFilterForm(params)
    form.is_valid()
    data = form.cleaned_data
    today = today or timezone.localdate()
    qs = with_light(scope_queryset(Clue.objects.all(), user), today)
    unit = None
    if data.get("unit"):
        unit = scope_queryset(Unit.objects.all(), user).filter(pk=data["unit"]).first()
        if unit is not None:
            qs = qs.filter(unit.subtree_q("unit_path"))
    if data.get("cadre"):
        qs = qs.filter(cadre_id=data["cadre"])
    if data.get("status"):
        qs = qs.filter(status=data["status"])
    if data.get("disposition"):
        qs = qs.filter(disposition=data["disposition"])
    for name, model in (("source", Source), ("category", Category)):
        if data.get(name):
            # A parent entry includes its children (信访举报 includes 来信, 来访 ...).
            qs = qs.filter(Q(**{name: data[name]}) | Q(**{f"{name}__parent": data[name]}))
    if "q" in form.errors:
        # Dropping a bad search would show every clue as if they all matched.
        qs = qs.none()
    light = data.get("light")
    if light:
        qs = qs.filter(light_rank={Light.RED: 0, Light.YELLOW: 1, Light.GREEN: 2, Light.DONE: 3}[light])
    q = (data.get("q") or "").strip()
    if q:
        typed = {q, to_simplified(q)}
        # The cadres' ids first (one indexed query): as a join or a subquery in the OR they made
        # PostgreSQL scan every clue instead of combining the text, number and cadre indexes.
        cadres = list(Cadre.objects.filter(name__in=typed).values_list("pk", flat=True)[:1000])
        qs = qs.filter(search.search_q(q) | Q(number__in=typed) | Q(cadre_id__in=cadres))
    order = ["light_rank", "due_on", "-id"] if data.get("sort") == "light" else ["-received_on", "-id"]
    return form, unit, qs.order_by(*order)


def problem_list(user, *, unit=None, cadre=None, include_closed=False, unit_alone=False, within_scope=True):
    """The problem list (问题清单) of a unit (and everything below it) or of one cadre.

    One row per problem: clues confirmed to be the same matter are one row that keeps every
    source. Rows are ordered by urgency, then by date. This is what a talk's preparation
    takes its problems from.

    ``unit_alone``: only the problems about the unit itself (no cadre named), not those of its
    cadres or of the units below; a talk with a unit's head takes these with the head's own.

    ``within_scope=False`` is for a grant that is not the user's scope: the talkers of an open
    talk read its subject's list (``talks.records.problem_rows`` decides and audits it).
    """
    qs = scope_queryset(Clue.objects.all(), user) if within_scope else Clue.objects.all()
    if cadre is not None:
        qs = qs.filter(cadre=cadre)
    elif unit is not None and unit_alone:
        qs = qs.filter(unit=unit, cadre=None)  # the unit's own problems, not its cadres' or units below
    elif unit is not None:
        qs = qs.filter(unit.subtree_q("unit_path"))
    if not include_closed:
        # A group stays open while any of its clues is open.
        open_groups = qs.exclude(status=Clue.Status.CLOSED).exclude(group=None).values("group_id")
        qs = qs.filter(~Q(status=Clue.Status.CLOSED) | Q(group_id__in=open_groups))
    clues = list(with_light(qs).select_related("source__parent", "category__parent", "unit", "cadre")
                 .order_by("received_on", "id"))
    rows, by_group = [], {}
    for clue in clues:
        if clue.group_id and clue.group_id in by_group:
            row = by_group[clue.group_id]
            row["clues"].append(clue)
            row["light_rank"] = min(row["light_rank"], clue.light_rank)
            row["due_on"] = min(row["due_on"], clue.due_on) if clue.status != Clue.Status.CLOSED else row["due_on"]
            continue
        row = {"clues": [clue], "first": clue, "light_rank": clue.light_rank, "due_on": clue.due_on}
        rows.append(row)
        if clue.group_id:
            by_group[clue.group_id] = row
    for row in rows:
        row["sources"] = sorted({str(c.source) for c in row["clues"]})
        row["light"] = [Light.RED, Light.YELLOW, Light.GREEN, Light.DONE][row["light_rank"]]
    rows.sort(key=lambda r: (r["light_rank"], r["first"].received_on, r["first"].pk))
    return rows


def form_counts(user, year):
    """Problems closed in ``year`` in the user's scope by the four forms (a group counts once).

    Returns ``{1: n, 2: n, 3: n, 4: n, None: n}``; None is closed without a form (了结, 澄清).
    """
    from django.db.models import Count

    qs = scope_queryset(Clue.objects.filter(status=Clue.Status.CLOSED, closed_at__year=year), user)
    counts = {form: 0 for form in (1, 2, 3, 4, None)}
    for row in qs.values("outcome_form").annotate(
        groups=Count("group_id", distinct=True), singles=Count("id", filter=Q(group__isnull=True))
    ):
        counts[row["outcome_form"]] = row["groups"] + row["singles"]
    return counts
