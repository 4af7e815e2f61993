from django.contrib.auth.backends import ModelBackend

from .scope import user_roles


class RoleBackend(ModelBackend):
    """Password login as Django does it; permissions come from the user's roles only.

    Django's per-model permission tables are not used: ``has_perm("registry.export")``
    asks whether one of the user's roles grants that area and action.
    """

    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        cached = getattr(user_obj, "_tanhua_perms", None)
        if cached is None:
            cached = {perm for role in user_roles(user_obj) for perm in role.permissions}
            user_obj._tanhua_perms = cached
        return cached
