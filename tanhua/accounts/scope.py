"""The one place that decides which records a user may see.

Every queryset a view, export, command run on behalf of a user, background job or API call
returns goes through :func:`scope_queryset` (or :func:`visible_units`). A user sees their own
unit and everything under it; a superuser without a unit sees everything; anyone else sees
nothing. Outside the scope an object does not exist: callers use :func:`get_in_scope_or_404`,
which raises 404, never 403.

Roles and other data-scope kinds (本单位, 仅本人, 自定义) extend :func:`unit_paths`.
"""

from django.db.models import Q
from django.http import Http404

from tanhua.registry.models import Unit

# Models whose records belong to a unit, and the lookup from the model to that unit.
UNIT_LOOKUPS = {}


def register(model, unit_lookup):
    """Declare how ``model`` reaches its unit (e.g. ``"unit"`` or ``"cadre__unit"``)."""
    UNIT_LOOKUPS[model] = unit_lookup
    return model


def unit_paths(user):
    """Tree paths whose subtrees ``user`` may see; ``None`` means everything."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    if user.unit_id is None:
        return None if user.is_superuser else []
    path = getattr(user, "_scope_unit_path", None)
    if path is None:
        path = Unit.objects.filter(pk=user.unit_id).values_list("path", flat=True).first()
        user._scope_unit_path = path
    return [path] if path else []


def scope_q(user, unit_lookup):
    """A Q object restricting ``unit_lookup`` (a lookup path to a Unit) to the user's scope."""
    paths = unit_paths(user)
    if paths is None:
        return Q()
    if not paths:
        return Q(pk__in=[])
    prefix = f"{unit_lookup}__" if unit_lookup else ""
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{prefix}path__startswith": path})
    return q


def scope_queryset(queryset, user, unit_lookup=None):
    if unit_lookup is None:
        unit_lookup = "" if queryset.model is Unit else UNIT_LOOKUPS[queryset.model]
    return queryset.filter(scope_q(user, unit_lookup))


def visible_units(user):
    return scope_queryset(Unit.objects.all(), user)


def get_in_scope_or_404(queryset, user, **lookup):
    try:
        return scope_queryset(queryset, user).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404("不存在或无权查看")


def unit_in_scope(user, unit):
    paths = unit_paths(user)
    if paths is None:
        return True
    return any(unit.path.startswith(p) for p in paths)
