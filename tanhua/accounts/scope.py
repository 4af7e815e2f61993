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

# Models whose records belong to a unit, and the lookup from the model to the tree path of
# that unit (``"unit__path"``, or a copy of it on the row such as Cadre's ``"unit_path"``).
PATH_LOOKUPS = {Unit: "path"}

# Paths are made of treebeard's alphabet (0-9, A-Z); every descendant of P sorts between P
# and P followed by Zs. A range, unlike LIKE 'P%', uses a plain index on SQLite and on
# PostgreSQL whatever the collation.
_PATH_MAX = Unit._meta.get_field("path").max_length


def register(model, path_lookup):
    """Declare how ``model`` reaches its unit's tree path, e.g. ``"cadre__unit_path"``."""
    PATH_LOOKUPS[model] = path_lookup
    return model


def subtree_q(path_lookup, path):
    """Rows whose ``path_lookup`` is ``path`` or lies below it."""
    return Q(**{f"{path_lookup}__gte": path, f"{path_lookup}__lte": path + "Z" * (_PATH_MAX - len(path))})


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


def scope_q(user, path_lookup):
    """A Q object restricting ``path_lookup`` (a unit tree path) to the user's scope."""
    paths = unit_paths(user)
    if paths is None:
        return Q()
    if not paths:
        return Q(pk__in=[])
    q = Q(pk__in=[])
    for path in paths:
        q |= subtree_q(path_lookup, path)
    return q


def scope_queryset(queryset, user, path_lookup=None):
    """``queryset`` cut down to what ``user`` may see."""
    return queryset.filter(scope_q(user, path_lookup or PATH_LOOKUPS[queryset.model]))


def visible_units(user):
    return scope_queryset(Unit.objects.all(), user)


def get_in_scope_or_404(queryset, user, **lookup):
    try:
        return scope_queryset(queryset, user).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404("不存在或无权查看") from None
