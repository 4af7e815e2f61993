"""The same matter through several channels: suggest, confirm or reject, group.

Only clues about the same subject are compared (the same cadre; for clues naming only a unit,
the same unit), with the pure scoring in ``similarity``. A subject has at most a few hundred
clues, so a new clue is scored against all of them: exact, about 30 ms, and no index to keep.
The subject's name, post and unit are removed from both texts first: they are shared by
every clue about that person and say nothing about the matter.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tanhua.accounts.scope import scope_queryset
from tanhua.audit.services import record

from . import similarity
from .models import Clue, ClueEvent, ClueGroup, DuplicateSuggestion

# The newest clues of a subject that a new one is compared with.
COMPARE_LIMIT = 500


def _text(clue):
    return f"{clue.summary}。{clue.content}"


def subject_terms(clue):
    terms = [clue.unit.name, clue.unit.short_name]
    if clue.cadre_id:
        terms += [clue.cadre.name, clue.cadre.post, *clue.cadre.post.split("、")]
    return [t for t in terms if t]


def same_subject(clue):
    qs = Clue.objects.filter(cadre_id=clue.cadre_id) if clue.cadre_id else Clue.objects.filter(
        unit_id=clue.unit_id, cadre__isnull=True)
    return qs.exclude(pk=clue.pk)


def suggest(clue):
    """Record pending suggestions for ``clue`` against its subject's other clues; returns them."""
    others = list(same_subject(clue).exclude(Q(group__isnull=False) & Q(group=clue.group_id))
                  .order_by("-received_on", "-id").only("id", "summary", "content")[:COMPARE_LIMIT])
    if not others:
        return []
    found = similarity.matches(_text(clue), [(o.pk, _text(o)) for o in others], ignore=subject_terms(clue))
    known = set(DuplicateSuggestion.objects.filter(Q(first=clue) | Q(second=clue)).values_list("first", "second"))
    made = []
    for other_id, score in found:
        pair = (min(clue.pk, other_id), max(clue.pk, other_id))
        if pair not in known:
            made.append(DuplicateSuggestion(first_id=pair[0], second_id=pair[1], score=round(score, 3)))
    return DuplicateSuggestion.objects.bulk_create(made, ignore_conflicts=True)


def visible_to(user):
    """Suggestions whose two clues are both inside the user's scope."""
    visible = scope_queryset(Clue.objects.all(), user).values("pk")
    return DuplicateSuggestion.objects.filter(first__in=visible, second__in=visible)


def pending_for(user):
    """Suggestions a reviewer can act on."""
    return (visible_to(user).filter(status=DuplicateSuggestion.Status.PENDING)
            .select_related("first__source__parent", "second__source__parent", "first__cadre", "second__cadre",
                            "first__unit", "second__unit")
            .order_by("-score", "-id"))


def _visible_pair(user, suggestion):
    visible = scope_queryset(Clue.objects.filter(pk__in=[suggestion.first_id, suggestion.second_id]), user)
    if visible.count() != 2:
        raise PermissionDenied


class AlreadyReviewed(ValidationError):
    """Someone decided on the pair first (two reviewers at once): the first decision stands."""


def check_review(user, suggestion):
    """Who may confirm or reject a suggestion, and when: both clues in scope, still pending.
    Called by the services on the locked row, so a race is decided once."""
    _visible_pair(user, suggestion)
    if suggestion.status != DuplicateSuggestion.Status.PENDING:
        raise AlreadyReviewed(f"这对线索已经处理过({suggestion.get_status_display()})。")


@transaction.atomic
def confirm(user, suggestion, *, request=None):
    """The two clues are one matter: put them (and their groups) in one group."""
    suggestion = DuplicateSuggestion.objects.select_for_update().get(pk=suggestion.pk)
    check_review(user, suggestion)
    first, second = Clue.objects.select_for_update().filter(pk__in=[suggestion.first_id, suggestion.second_id])
    groups = {c.group_id for c in (first, second) if c.group_id}
    group = ClueGroup.objects.filter(pk__in=groups).order_by("pk").first() or ClueGroup.objects.create(created_by=user)
    members = Clue.objects.filter(Q(pk__in=[first.pk, second.pk]) | Q(group_id__in=groups))
    members.update(group=group)
    ClueGroup.objects.filter(pk__in=groups - {group.pk}).delete()
    suggestion.status, suggestion.reviewed_by, suggestion.reviewed_at = (
        DuplicateSuggestion.Status.CONFIRMED, user, timezone.now())
    suggestion.save()
    for clue, other in ((first, second), (second, first)):
        ClueEvent.objects.create(clue=clue, user=user, action="确认为同一事项", note=f"与 {other.number} 合并")
    record("update", request=request, user=user, target=group,
           summary={"merged": sorted([first.number, second.number]), "score": suggestion.score})
    return group


@transaction.atomic
def reject(user, suggestion, *, request=None):
    suggestion = DuplicateSuggestion.objects.select_for_update().get(pk=suggestion.pk)
    check_review(user, suggestion)
    suggestion.status, suggestion.reviewed_by, suggestion.reviewed_at = (
        DuplicateSuggestion.Status.REJECTED, user, timezone.now())
    suggestion.save()
    record("update", request=request, user=user, target=suggestion.first,
           summary={"not_duplicate_of": suggestion.second.number, "score": suggestion.score})


@transaction.atomic
def leave_group(user, clue, *, request=None):
    """Take a clue out of its group (a wrong confirmation)."""
    clue = Clue.objects.select_for_update().get(pk=clue.pk)
    group_id = clue.group_id
    if group_id is None:
        return
    clue.group = None
    clue.save(update_fields=["group"])
    rest = Clue.objects.filter(group_id=group_id)
    if rest.count() < 2:
        rest.update(group=None)
        ClueGroup.objects.filter(pk=group_id).delete()
    ClueEvent.objects.create(clue=clue, user=user, action="移出合并组")
    record("update", request=request, user=user, target=clue, summary={"left_group": group_id})
