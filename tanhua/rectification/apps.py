from django.apps import AppConfig


class RectificationConfig(AppConfig):
    name = "tanhua.rectification"
    verbose_name = "整改"

    def ready(self):
        from django.db.models import Q

        from tanhua.accounts import scope
        from tanhua.registry.units import PATH_COPIES

        from .models import Evidence, FollowUp, Item, Meeting

        # 仅本人: the items one is responsible for, as owner or as responsible leader.
        def own_items(prefix=""):
            return lambda user: Q(**{f"{prefix}owner": user}) | Q(**{f"{prefix}leader": user})

        scope.register(Item, "unit_path", own=own_items())
        scope.register(Evidence, "item__unit_path", own=own_items("item__"))
        scope.register(FollowUp, "item__unit_path", own=own_items("item__"))
        scope.register(Meeting, "unit_path")
        PATH_COPIES.extend([Item, Meeting])
