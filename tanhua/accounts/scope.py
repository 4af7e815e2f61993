"""The one place that decides which records a user may see.

Every queryset a view, export, command run on behalf of a user, background job or API call
returns goes through :func:`scope_queryset` (or :func:`visible_units`). What a user sees is
the union of their roles' data scopes:

- 全部: everything;
- 本单位及下级: the user's unit and every unit below it;
- 本单位: the user's unit only;
- 仅本人: the records that concern the user themself (each model says which, see
  :func:`register`; a cadre's own record, later the talks they lead or sit in);
- 自定义: the role's chosen units, each with the units below it.

A user without roles sees nothing. Outside the scope an object does not exist: callers use
:func:`get_in_scope_or_404`, which raises 404, never 403.
"""

from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404

from tanhua.registry.models import Unit

# Models whose records belong to a unit, and the lookup from the model to the tree path of
# that unit (``"unit__path"``, or a copy of it on the row such as Cadre's ``"unit_path"``).
PATH_LOOKUPS = {Unit: "path"}
# Models -> functions of a user giving the Q of the records that are "their own" (仅本人).
OWN = {Unit: [lambda user: Q(pk=user.unit_id) if user.unit_id else None]}

# Paths are made of treebeard's alphabet (0-9, A-Z); every descendant of P sorts between P
# and P followed by Zs. A range, unlike LIKE 'P%', uses a plain index on SQLite and on
# PostgreSQL whatever the collation.
_PATH_MAX = Unit._meta.get_field("path").max_length
NOTHING = Q(pk__in=[])


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    subtrees: tuple = ()  # tree paths, each with everything below it
    units: tuple = ()  # tree paths, that unit only
    own: bool = False  # the records that concern the user
    # The subtrees hold every root: no condition is needed to filter by unit. Not the same as
    # ``everything`` (a 全部 role), which also grants the administration of shared settings.
    whole_tree: bool = False

    @property
    def empty(self):
        return not (self.everything or self.subtrees or self.units or self.own)


def register(model, path_lookup, own=None):
    """Declare how ``model`` reaches its unit's tree path, e.g. ``"cadre__unit_path"``.

    ``own(user)`` returns the Q of the records that are the user's own (or None for none).
    """
    PATH_LOOKUPS[model] = path_lookup
    if own is not None:
        add_own(model, own)
    return model


def add_own(model, own):
    """Widen what 仅本人 means for ``model`` (a later feature: talks a leader sits in)."""
    OWN.setdefault(model, []).append(own)


def subtree_q(path_lookup, path):
    """Rows whose ``path_lookup`` is ``path`` or lies below it."""
    return Q(**{f"{path_lookup}__gte": path, f"{path_lookup}__lte": path + "Z" * (_PATH_MAX - len(path))})


def user_roles(user):
    """The user's roles, loaded once per user object (one query)."""
    roles = getattr(user, "_tanhua_roles", None)
    if roles is None:
        roles = list(user.roles.all()) if user.pk else []
        user._tanhua_roles = roles
    return roles


def user_scope(user):
    """The union of the data scopes of ``user``'s roles, computed once per user object."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Scope()
    cached = getattr(user, "_tanhua_scope", None)
    if cached is not None:
        return cached
    kinds = {role.data_scope for role in user_roles(user)}
    if "all" in kinds:
        scope = Scope(everything=True)
    else:
        own_path, roots = None, None
        if kinds & {"subtree", "unit"} and user.unit_id:
            # The roots come with it in the same query (a city and its counties: one).
            rows = Unit.objects.filter(Q(pk=user.unit_id) | Q(depth=1)).values_list("pk", "path", "depth")
            roots = set()
            for pk, path, depth in rows:
                if pk == user.unit_id:
                    own_path = path
                if depth == 1:
                    roots.add(path)
        subtrees = set()
        if "subtree" in kinds and own_path:
            subtrees.add(own_path)
        custom = [role.pk for role in user_roles(user) if role.data_scope == "custom"]
        if custom:
            subtrees.update(Unit.objects.filter(custom_roles__in=custom).values_list("path", flat=True))
        units = (own_path,) if "unit" in kinds and own_path and own_path not in subtrees else ()
        subtrees = _outermost(subtrees)
        scope = Scope(subtrees=subtrees, units=units, own="self" in kinds,
                      whole_tree=bool(roots) and roots <= set(subtrees))
    user._tanhua_scope = scope
    return scope


def _outermost(paths):
    """Drop paths that lie inside another one: the query gets no redundant ranges."""
    kept = []
    for path in sorted(paths):
        if not kept or not path.startswith(kept[-1]):
            kept.append(path)
    return tuple(kept)


def unit_paths(user):
    """Tree paths whose whole subtrees ``user`` may see; ``None`` means everything."""
    scope = user_scope(user)
    return None if scope.everything else list(scope.subtrees)


def scope_q(user, path_lookup, model=None):
    """A Q object restricting records to the user's scope; ``model`` enables 仅本人."""
    scope = user_scope(user)
    # Whole tree: a range covering every row would make SQLite walk the index row by row
    # (four times slower than a scan for a city-wide user with a million clues).
    if scope.everything or scope.whole_tree:
        return Q()
    q = NOTHING
    for path in scope.subtrees:
        q |= subtree_q(path_lookup, path)
    if scope.units:
        q |= Q(**{f"{path_lookup}__in": scope.units})
    if scope.own and model is not None:
        for own in OWN.get(model, ()):
            own_q = own(user)
            if own_q is not None:
                q |= own_q
    return q


def scope_queryset(queryset, user, path_lookup=None):
    """``queryset`` cut down to what ``user`` may see."""
    model = queryset.model
    return queryset.filter(scope_q(user, path_lookup or PATH_LOOKUPS[model], model))


def visible_units(user):
    return scope_queryset(Unit.objects.all(), user)


def get_in_scope_or_404(queryset, user, **lookup):
    try:
        return scope_queryset(queryset, user).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404("不存在或无权查看") from None
