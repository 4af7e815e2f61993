from django.apps import AppConfig


class CluesConfig(AppConfig):
    name = "tanhua.clues"
    verbose_name = "问题线索"

    def ready(self):
        from django.db.models import Q

        from tanhua.accounts import scope
        from tanhua.registry.units import PATH_COPIES

        from .models import Attachment, Clue, Inquiry

        # A clue belongs to the unit it concerns. Cadres never see clues about themselves; they
        # see the written inquiries addressed to them (仅本人), and only the letter, not the clue.
        scope.register(Clue, "unit_path")
        scope.register(Attachment, "clue__unit_path")
        PATH_COPIES.append(Clue)
        scope.register(Inquiry, "clue__unit_path",
                       own=lambda user: Q(clue__cadre_id=user.cadre_id, issued_at__isnull=False) if user.cadre_id
                       else None)
