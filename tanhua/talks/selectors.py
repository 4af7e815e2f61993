"""Read-only queries of the talks app: the draw's public page and designation suggestions."""

import datetime
import hmac
import re
from urllib.parse import urlencode

from django.db.models import Count, Max, Q
from django.http import Http404
from django.utils import timezone

from tanhua.accounts.scope import scope_q, scope_queryset
from tanhua.clues.models import Clue, Disposition, Form
from tanhua.registry.models import Cadre, CadreStatus, Unit
from tanhua.timelimits import add_months

from . import services
from .models import Draw, SubjectType, Talk

# --- The draw's public page (公示) ---------------------------------------------------------------

# secrets.token_urlsafe(32) is 43 characters of the URL-safe alphabet.
TOKEN_PATTERN = r"[A-Za-z0-9_-]{43}"  # secrets.token_urlsafe(32); also the public URLs' pattern
TOKEN = re.compile(rf"^{TOKEN_PATTERN}$")
PUBLIC_POOL_SHOWN = 500


def published_draw(token):
    """The draw published under ``token``; 404 alike for a token never issued and one withdrawn."""
    if not isinstance(token, str) or not TOKEN.match(token):
        raise Http404("公示链接不存在或已撤回")
    frozen = (Draw.objects.select_related("round", "programme__unit").filter(public_token=token).first())
    # The database finds the row by an index; the comparison itself is constant-time, and also
    # guards against a collation that would compare tokens without regard to case.
    if frozen is None or not hmac.compare_digest(frozen.public_token.encode(), token.encode()):
        raise Http404("公示链接不存在或已撤回")
    return frozen


def public_page(frozen):
    """What an anonymous observer sees of a draw.

    Always: programme and round, when frozen and drawn, the pool's size and hash, the recorded
    rules and exclusions, the seed inputs (commitments, revealed values), the seed, who was
    selected (name · unit · post: the draw is a public act), the designated with their reasons,
    the record hash and the programme's chain. Every candidate's name only when the programme
    said so when the draw was published (``Draw.public_names``). The designated by name only:
    why they were designated is case data. Never clue numbers or contents, never a reporter.
    """
    round_, programme = frozen.round, frozen.programme
    weights = frozen.weights or [None] * len(frozen.pool)
    candidates = []
    if frozen.public_names:
        candidates = [{"id": c, "label": frozen.labels.get(str(c), c), "weight": w, "p": p}
                      for c, w, p in list(zip(frozen.pool, weights, frozen.probabilities, strict=True))
                      [:PUBLIC_POOL_SHOWN]]
    chain = list(Draw.objects.filter(programme_id=frozen.programme_id, seq__isnull=False)
                 .select_related("round").only("pk", "seq", "record_hash", "public_token", "round__number",
                                               "round__date").order_by("seq"))
    return {
        "draw": frozen, "round": round_, "programme": programme,
        "rules": [(name, _rule_value(value)) for name, value in (frozen.rules or {}).items()],
        "inputs": list(round_.inputs.all()),
        "record_public": services.record_is_sealed(frozen),
        "designations": [{"label": _subject_label(d.cadre, d.unit)}
                         for d in round_.designations.select_related("cadre__unit", "unit")],
        "selected": [{"id": c, "label": frozen.labels.get(str(c), c)} for c in frozen.selected or []],
        "candidates": candidates,
        "candidates_hidden": max(0, len(frozen.pool) - PUBLIC_POOL_SHOWN) if frozen.public_names else 0,
        "chain": chain,
    }


def _rule_value(value):
    if value is True:
        return "是"
    if value is False:
        return "否"
    if isinstance(value, list):
        return "、".join(str(v) for v in value) or "不限"
    return value


def _subject_label(cadre, unit):
    return services.cadre_label(cadre.name, cadre.unit.name, cadre.post) if cadre else unit.name


def round_public_token(round_id):
    """The published link's token of a round's draw, or "" (none, or withdrawn)."""
    if round_id is None:
        return ""
    return Draw.objects.filter(round_id=round_id).values_list("public_token", flat=True).first() or ""


# --- Suggestions for the designated subject ("+1") ----------------------------------------------

# Seed 000: the designated subject is one "信访有举报、社会有舆论但又未构成违纪违法". Suggested are the
# subjects with such clues open now, or closed within the last SUGGEST_CLOSED_MONTHS months.
SUGGEST_CLOSED_MONTHS = 12
SUGGEST_LIMIT = 20
SUGGEST_CLUES_SHOWN = 5
SUGGEST_REASON = "信访有举报、社会有舆论但又未构成违纪违法"
# Never suggested: a clue on its way to a case, or under preliminary verification or set aside
# for it (a publicised talk would alert the cadre: 打草惊蛇).
SUGGEST_NEVER = (Disposition.CASE, Disposition.VERIFY, Disposition.SHELVE)


def designation_suggestions(user, round_, *, today=None):
    """Subjects the office might designate in ``round_``, most recent clue first, each with the
    numbers of those clues and the query string that fills the designation form.
    Left out too: whoever this programme talked with within its "not talked in N months" rule,
    or will talk with in a talk already scheduled.

    Cadres (or, for a unit programme, units with problems about the unit itself) in the
    programme's range and the user's scope; not those already designated in the round, nor
    the programme's own talkers (回避). Clues that became a case (立案, or closed with a
    disciplinary sanction) are not "未构成违纪违法": they are left out. Needs 问题线索·查看: the
    suggestions show which clues exist. Never shows a reporter or a clue's content.
    Three queries plus the scope and the talk group's, whatever the number of clues.
    """
    if not user.has_perm("clues.view"):
        return []
    programme = round_.programme
    today = today or timezone.localdate()
    since = timezone.make_aware(datetime.datetime.combine(add_months(today, -SUGGEST_CLOSED_MONTHS),
                                                          datetime.time.min))
    clues = (scope_queryset(Clue.objects.all(), user)
             .filter(~Q(status=Clue.Status.CLOSED) | Q(closed_at__gte=since))
             .exclude(disposition__in=SUGGEST_NEVER).exclude(outcome_form__gte=Form.SECOND))
    conflicts = list(services.conflicted(programme))
    if programme.subject_type == SubjectType.UNIT:
        field = "unit_id"
        clues = clues.filter(programme.unit.subtree_q("unit_path"), cadre=None).exclude(unit_id=programme.unit_id)
        if programme.unit_kinds:
            clues = clues.filter(unit__kind__in=programme.unit_kinds)
        designated = round_.designations.exclude(unit=None).values("unit_id")
    else:
        field = "cadre_id"
        clues = clues.filter(programme.unit.subtree_q("cadre__unit_path"), scope_q(user, "cadre__unit_path"))
        if programme.active_only:
            clues = clues.filter(cadre__status=CadreStatus.ACTIVE)
        designated = round_.designations.exclude(cadre=None).values("cadre_id")
    clues = clues.exclude(**{f"{field}__in": designated})
    # Already talked with in this programme lately (its own rule), or with a talk still to come.
    months = programme.exclude_talked_months
    since_talk = add_months(round_.date, -months) if months else today
    talked = Talk.objects.filter(programme=programme, starts_at__gte=timezone.make_aware(
        datetime.datetime.combine(since_talk, datetime.time.min))).exclude(**{field: None}).values(field)
    clues = clues.exclude(**{f"{field}__in": talked})
    if conflicts:
        clues = clues.exclude(**{f"{field}__in": conflicts})
    top = list(clues.values(field).annotate(latest=Max("received_on"), last=Max("id"), n=Count("id"))
               .order_by("-latest", "-last")[:SUGGEST_LIMIT])
    if not top:
        return []
    ids = [row[field] for row in top]
    subjects = (Unit.objects.in_bulk(ids) if field == "unit_id"
                else Cadre.objects.select_related("unit").in_bulk(ids))
    numbers = {}
    for pk, number, received_on, status in (clues.filter(**{f"{field}__in": ids}).order_by("-received_on", "-id")
                                            .values_list(field, "number", "received_on", "status")):
        numbers.setdefault(pk, []).append({"number": number, "received_on": received_on,
                                           "open": status != Clue.Status.CLOSED})
    rows = []
    for row in top:
        subject, shown = subjects[row[field]], numbers.get(row[field], [])[:SUGGEST_CLUES_SHOWN]
        fill = {"reason": SUGGEST_REASON, "clue_numbers": " ".join(c["number"] for c in shown)}
        if field == "unit_id":
            fill["unit"] = subject.pk
            label, unit, post = subject.name, None, ""
        else:
            # The cadre's own unit narrows the name to one person (the form looks names up below it).
            fill.update(cadre_text=subject.name, unit=subject.unit_id)
            label, unit, post = subject.name, subject.unit, subject.post
        rows.append({"label": label, "unit": unit, "post": post, "clues": shown,
                     "more": row["n"] - len(shown), "latest": row["latest"], "query": urlencode(fill)})
    return rows
