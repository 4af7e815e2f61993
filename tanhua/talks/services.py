"""Programmes, rounds and the draw: the business rules, called by views, commands and tests.

The draw protocol (see ``draw.py`` for the algorithm):

1. In the round's preparation (筹备中) the seed inputs are fixed by kind and order: public
   numbers to be announced after the freeze (a named lottery result), one value per group
   member who takes part (each commits to it by its hash before the freeze), and the
   server's value, always last. Designated subjects are entered, with reason and clues.
2. ``freeze``: the eligible pool is computed under the programme's recorded rules,
   designated subjects left out, and stored with its hash and each candidate's probability;
   the server value is generated, sealed, and its hash recorded. Nothing in the pool, the
   rules or the inputs' plan can change afterwards.
3. Members reveal their values (checked against their commitments); someone enters the
   public numbers once announced.
4. ``perform_draw``: with every input in, the seed and the selection are computed, the record
   is stored and chained to the programme's previous draw, and each subject becomes a talk.
"""

import datetime
import re
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from tanhua import crypto
from tanhua.audit.services import record as audit
from tanhua.dates import cn_datetime
from tanhua.registry.models import Cadre, CadreStatus, Unit
from tanhua.timelimits import add_months
from tanhua.workdays import add_workdays

from . import draw as algorithm
from . import schedule
from .models import (
    CADENCE_MONTHS,
    STATUS_ORDER,
    Designation,
    Draw,
    DrawInput,
    LeadRule,
    Member,
    Programme,
    ReportKind,
    Round,
    SubjectType,
    Talk,
    Weighting,
)

SERVER_FIELD = "talks.DrawInput.server_value"
HEX64 = re.compile(r"^[0-9a-f]{64}$")
TALK_GAP_MINUTES = 10  # between two talks of a round: the group changes over


class DrawError(ValidationError):
    """A step of the protocol that cannot be taken now; the message says why, in Chinese."""


# --- Programmes and rounds -------------------------------------------------------------------


def create_programme(actor, *, members=(), request=None, **fields):
    with transaction.atomic():
        programme = Programme.objects.create(created_by=actor, **fields)
        for member in members:
            Member.objects.create(programme=programme, **member)
        audit("create", request=request, user=actor, target=programme,
              summary={"kind": programme.get_kind_display(), "unit": programme.unit.name})
    return programme


def update_programme(actor, programme, *, members=None, request=None, **fields):
    with transaction.atomic():
        before = {name: getattr(programme, name) for name in fields}
        for name, value in fields.items():
            setattr(programme, name, value)
        programme.save()
        if members is not None:
            programme.members.all().delete()
            for member in members:
                Member.objects.create(programme=programme, **member)
        if members is not None or {"head_lead", "other_lead", "lead_rule"} & set(fields):
            check_group_change(programme)  # refused: the whole update is rolled back
        changed = {k: [str(v), str(fields[k])] for k, v in before.items() if v != fields[k]}
        audit("update", request=request, user=actor, target=programme,
              summary={"changed": changed, **({"members": [m["name"] for m in members]} if members is not None else {})})
    return programme


def next_round_date(programme, today=None):
    """The next date the cadence asks for, counted from the last round (or today)."""
    today = today or timezone.localdate()
    last = programme.rounds.exclude(status=Round.Status.CANCELLED).aggregate(d=Max("date"))["d"]
    months = CADENCE_MONTHS.get(programme.cadence)
    if last is None or months is None:
        return today
    return max(today, add_months(last, months))


def create_round(actor, programme, *, date, place="", start_time=None, random_count=None, public_labels=(),
                 member_users=(), note="", request=None):
    """A new round in preparation, with its seed inputs fixed: public numbers, members, server."""
    if not public_labels and not member_users:
        raise DrawError("至少需要一项公开号码或一位小组成员的承诺值:随机种子不能只来自系统。")
    with transaction.atomic():
        number = (programme.rounds.aggregate(n=Max("number"))["n"] or 0) + 1
        round_ = Round.objects.create(
            programme=programme, number=number, date=date, place=place, note=note,
            start_time=start_time or datetime.time(9, 0), created_by=actor,
            random_count=programme.random_count if random_count is None else random_count,
        )
        position = 0
        for label in public_labels:
            position += 1
            DrawInput.objects.create(round=round_, position=position, kind=DrawInput.Kind.PUBLIC, label=label)
        for user in member_users:
            position += 1
            DrawInput.objects.create(round=round_, position=position, kind=DrawInput.Kind.MEMBER, member=user,
                                     label=f"{user.full_name or user.username}的承诺值")
        DrawInput.objects.create(round=round_, position=position + 1, kind=DrawInput.Kind.SERVER,
                                 label="系统随机值(冻结时生成,抽取时公开)")
        audit("create", request=request, user=actor, target=round_,
              summary={"date": date, "inputs": [i.label for i in round_.inputs.all()]})
    return round_


def _require(round_, *statuses, doing):
    round_.refresh_from_db(fields=["status"])  # a page's copy may be stale
    if round_.status not in statuses:
        raise DrawError(f"本批次{round_.get_status_display()},不能{doing}。")


def designate(actor, round_, *, reason, cadre=None, unit=None, clues=(), request=None):
    """Name a subject before the draw; they are left out of its random pool."""
    _require(round_, Round.Status.DRAFT, doing="再指定谈话对象(指定须在冻结名单之前)")
    programme = round_.programme
    if not reason.strip():
        raise DrawError("请填写指定理由。")
    if programme.subject_type == SubjectType.UNIT:
        if unit is None:
            raise DrawError("本活动的谈话对象是单位,请选择单位。")
        cadre = None
    elif cadre is None:
        raise DrawError("请选择被指定的干部。")
    else:
        unit = None
    subject_unit = unit or cadre.unit
    if not subject_unit.path.startswith(programme.unit.path):
        raise DrawError(f"{subject_unit.name}不在{programme.unit.name}的范围内。")
    check_not_conflicted(programme, cadre=cadre, unit=unit)
    if round_.designations.count() >= programme.designated_count:
        raise DrawError(f"每批最多指定 {programme.designated_count} 名(见活动设置)。")
    with transaction.atomic():
        try:
            with transaction.atomic():
                designation = Designation.objects.create(round=round_, cadre=cadre, unit=unit, reason=reason.strip(),
                                                         created_by=actor)
        except IntegrityError:
            raise DrawError(f"{cadre or unit}已被指定。") from None
        designation.clues.set(clues)
        audit("designate", request=request, user=actor, target=round_,
              summary={"subject": str(cadre or unit), "reason": designation.reason,
                       "clues": [c.number for c in clues]})
    return designation


def remove_designation(actor, designation, request=None):
    _require(designation.round, Round.Status.DRAFT, doing="撤销指定")
    with transaction.atomic():
        audit("delete", request=request, user=actor, target=designation.round,
              summary={"designation": str(designation), "reason": designation.reason})
        designation.delete()


def commit(actor, slot, *, value="", digest="", request=None):
    """A group member's commitment: the hash of a value only they know, before the freeze.

    The member types the value (the hash is computed and the value forgotten) or a SHA-256
    they computed themself.
    """
    if slot.kind != DrawInput.Kind.MEMBER or slot.member_id != actor.pk:
        raise DrawError("只能登记分配给本人的承诺值。")
    _require(slot.round, Round.Status.DRAFT, doing="登记承诺值(须在冻结名单之前)")
    digest = digest.strip().lower()
    if value.strip():
        if len(algorithm.normalise_value(value)) < 6:
            raise DrawError("承诺值至少 6 个字符:太短的值可以被猜出。")
        digest = algorithm.commitment(value)
    elif not HEX64.match(digest):
        raise DrawError("请输入秘密值,或 64 位十六进制的 SHA-256 哈希。")
    with transaction.atomic():
        slot.commitment, slot.committed_at = digest, timezone.now()
        slot.save(update_fields=["commitment", "committed_at"])
        audit("commit", request=request, user=actor, target=slot.round,
              summary={"input": slot.label, "commitment": digest})


# --- Conflicts of interest (回避) -----------------------------------------------------------------

RULE_MEMBER = "谈话小组成员"
RULE_LEAD = "主谈人"
RULE_CONTACT = "联系领导(主谈人)"
RULE_MEMBER_UNIT = "谈话小组成员所在单位"


def cadre_label(name, unit_name, post):
    """How a cadre is named in a pool, an exclusion or a public page: 姓名 · 单位 · 职务."""
    return f"{name} · {unit_name} · {post}"


def _person_cadre(user):
    return getattr(user, "cadre", None) if user is not None else None


def talkers(programme):
    """Who talks in this programme, as ``[(cadre or None, unit or None, name, rule)]``: the talk
    group (each member linked to their roster record, or through their login), the lead talkers
    and, under the contact-leader rule, every contact leader of a unit in the programme's range."""
    people = []
    for member in programme.members.select_related("cadre__unit", "user__cadre__unit", "user__unit"):
        cadre = member.cadre or _person_cadre(member.user)
        unit = cadre.unit if cadre else (member.user.unit if member.user else None)
        people.append((cadre, unit, member.name, RULE_MEMBER))
    for user, name in ((programme.head_lead, programme.head_lead_name), (programme.other_lead, programme.other_lead_name)):
        cadre = _person_cadre(user)
        if cadre is not None or (user is not None and user.unit_id):
            people.append((cadre, cadre.unit if cadre else user.unit, user.full_name or user.username, RULE_LEAD))
    if programme.lead_rule == LeadRule.CONTACT_LEADER:
        leaders = Cadre.objects.filter(
            pk__in=Unit.objects.filter(programme.unit.subtree_q()).exclude(contact_leader=None)
            .values("contact_leader")).select_related("unit")
        people += [(c, c.unit, c.name, RULE_CONTACT) for c in leaders]
    return people


def conflicted(programme):
    """The subjects this programme never talks with, ``{id: (label, rule)}``: cadres who talk in it
    (cadre programmes), or the talkers' own units (unit programmes)."""
    out = {}
    for cadre, unit, name, rule in talkers(programme):
        if programme.subject_type == SubjectType.UNIT:
            if unit is not None:
                out.setdefault(unit.pk, (unit.name, f"{RULE_MEMBER_UNIT if rule == RULE_MEMBER else rule + '所在单位'}:{name}"))
        elif cadre is not None:
            out.setdefault(cadre.pk, (cadre_label(cadre.name, cadre.unit.name, cadre.post), rule))
    return out


def check_talkers_known(programme):
    """A unit programme must know every talker's unit: otherwise that unit could be drawn."""
    if programme.subject_type != SubjectType.UNIT:
        return
    unknown = [name for cadre, unit, name, rule in talkers(programme) if unit is None]
    if unknown:
        raise DrawError("以下谈话小组成员未关联干部名册或系统账号,无法确定其所在单位,单位轮次无法回避:"
                        + "、".join(unknown) + "。请在活动设置中填写其身份证号或用户名。")


def check_group_change(programme):
    """After the talk group changed: nobody now in it may be designated in a round in preparation,
    in a frozen pool not yet drawn, or the subject of a talk of the programme still open."""
    conflicts = conflicted(programme)
    if not conflicts:
        return
    unit_programme = programme.subject_type == SubjectType.UNIT
    field = "unit_id" if unit_programme else "cadre_id"
    hits = set(Designation.objects.filter(round__programme=programme, round__status=Round.Status.DRAFT)
               .values_list(field, flat=True))
    for pool in Draw.objects.filter(programme=programme, seq__isnull=True).values_list("pool", flat=True):
        hits.update(pool)
    hits.update(Talk.objects.filter(programme=programme).exclude(status=Talk.Status.CLOSED)
                .values_list(field, flat=True))
    clashes = [conflicts[pk] for pk in sorted(hits & set(conflicts))]
    if clashes:
        raise DrawError("谈话小组的变动与回避规则冲突:" + ";".join(
            f"{label.split(' · ')[0]}({rule})已是本活动的指定对象、冻结名单中的候选对象或未办结谈话的对象"
            for label, rule in clashes) + "。请先撤销指定或办结谈话。")


def check_not_conflicted(programme, *, cadre=None, unit=None):
    """Refuse a subject who talks in this programme (or, for a unit, whose talkers sit in it)."""
    conflicts = conflicted(programme)
    subject = unit.pk if programme.subject_type == SubjectType.UNIT and unit is not None else (cadre.pk if cadre else None)
    if subject in conflicts:
        label, rule = conflicts[subject]
        raise DrawError(f"{label.split(' · ')[0]}是本活动的{rule},应当回避,不能作为谈话对象。")


def eligible(programme, round_, on=None):
    """The candidates under the programme's rules: ``(ids ascending, labels, weights or None, excluded)``.

    ``excluded`` lists who the conflict-of-interest rules left out (``{"id", "label", "rule"}``),
    recorded with the frozen pool: a rule, never a manual removal.
    """
    on = on or round_.date
    designated = set(round_.designations.values_list("unit_id" if programme.subject_type == SubjectType.UNIT
                                                     else "cadre_id", flat=True))
    past = Talk.objects.filter(programme=programme).exclude(round=round_)
    if programme.subject_type == SubjectType.UNIT:
        units = Unit.objects.filter(programme.unit.subtree_q()).exclude(pk=programme.unit_id)
        if programme.unit_kinds:
            units = units.filter(kind__in=programme.unit_kinds)
        rows = {u.pk: u.name for u in units.order_by("pk")}
        last_talked = _last_talked(past, "unit_id")
    else:
        cadres = Cadre.objects.filter(programme.unit.subtree_q("unit_path"))
        if programme.active_only:
            cadres = cadres.filter(status=CadreStatus.ACTIVE)
        if programme.min_rank_level:
            cadres = cadres.filter(rank__level__gte=programme.min_rank_level)
        if programme.unit_heads_only:
            cadres = cadres.filter(is_unit_head=True)
        if programme.party_gov_heads_only:
            cadres = cadres.filter(is_party_gov_head=True)
        rows = {pk: cadre_label(name, unit, post) for pk, name, unit, post in
                cadres.order_by("pk").values_list("pk", "name", "unit__name", "post")}
        last_talked = _last_talked(past, "cadre_id")
    months = programme.exclude_talked_months
    if months:
        cutoff = add_months(on, -months)
        recent = {pk for pk, when in last_talked.items() if when >= cutoff}
    else:
        recent = set()
    conflicts = conflicted(programme)
    excluded = [{"id": pk, "label": rows[pk], "rule": conflicts[pk][1]} for pk in sorted(conflicts) if pk in rows]
    pool = [pk for pk in rows if pk not in designated and pk not in recent and pk not in conflicts]
    weights = None
    if programme.weighting == Weighting.SINCE_LAST:
        cap = max(1, programme.weight_cap_months)
        # 1 + whole months since last talked, capped; never talked counts as the cap: never 0.
        weights = [1 + min(cap, _months_between(last_talked[pk], on)) if pk in last_talked else 1 + cap
                   for pk in pool]
    return pool, {str(pk): rows[pk] for pk in pool}, weights, excluded


def group_record(programme):
    """The talk group as recorded with a draw: who talks, and the roster record each is linked to."""
    return [{"name": name, "rule": rule, "cadre": cadre.pk if cadre else None, "unit": unit.pk if unit else None}
            for cadre, unit, name, rule in talkers(programme)]


def _last_talked(talks, field):
    last = {}
    for pk, when in talks.exclude(**{field: None}).values_list(field, "starts_at"):
        day = timezone.localtime(when).date()
        if pk not in last or day > last[pk]:
            last[pk] = day
    return last


def _months_between(earlier, later):
    return max(0, (later.year - earlier.year) * 12 + later.month - earlier.month - (later.day < earlier.day))


def freeze(actor, round_, *, request=None, now=None):
    """Fix the pool, its hash, the probabilities and the server value's hash. Once only."""
    now = now or timezone.now()
    with transaction.atomic():
        round_ = Round.objects.select_for_update().select_related("programme__unit").get(pk=round_.pk)
        _require(round_, Round.Status.DRAFT, doing="冻结名单")
        slots = list(round_.inputs.all())
        missing = [s.label for s in slots if s.kind == DrawInput.Kind.MEMBER and not s.commitment]
        if missing:
            raise DrawError("以下小组成员尚未登记承诺值:" + "、".join(missing))
        programme = round_.programme
        check_talkers_known(programme)
        # The talk group may have changed since a subject was designated.
        for designation in round_.designations.select_related("cadre", "unit"):
            check_not_conflicted(programme, cadre=designation.cadre, unit=designation.unit)
        pool, labels, weights, excluded = eligible(programme, round_)
        if not pool:
            raise DrawError("按本活动的条件,没有可供抽取的对象。")
        count = min(round_.random_count, len(pool))
        server_value = secrets.token_hex(32)
        for slot in slots:
            if slot.kind == DrawInput.Kind.SERVER:
                slot.sealed_value = crypto.encrypt(server_value, SERVER_FIELD)
                slot.commitment, slot.committed_at = algorithm.commitment(server_value), now
                slot.save(update_fields=["sealed_value", "commitment", "committed_at"])
        probabilities = algorithm.inclusion_probabilities(weights or [1] * len(pool), count)
        try:
            with transaction.atomic():
                frozen = Draw.objects.create(
                    round=round_, programme=programme, frozen_at=now, frozen_by=actor, pool=pool, weights=weights,
                    labels=labels, pool_hash=algorithm.pool_hash(pool, weights), count=count,
                    probabilities=[round(p, 8) for p in probabilities], rules=programme.rules(),
                    excluded=excluded, group=group_record(programme),
                )
        except IntegrityError:
            raise DrawError("本批次的名单已经冻结。") from None
        round_.status = Round.Status.FROZEN
        round_.save(update_fields=["status"])
        audit("freeze", request=request, user=actor, target=round_,
              summary={"pool": len(pool), "pool_hash": frozen.pool_hash, "count": count,
                       "excluded": [f"{e['label']}({e['rule']})" for e in excluded],
                       "server_commitment": algorithm.commitment(server_value)})
    return frozen


def reveal(actor, slot, value, *, request=None):
    """A member's value, after the freeze; it must match their commitment."""
    if slot.kind != DrawInput.Kind.MEMBER or slot.member_id != actor.pk:
        raise DrawError("只能公布分配给本人的承诺值。")
    _require(slot.round, Round.Status.FROZEN, doing="公布承诺值(须在冻结名单之后、抽取之前)")
    if algorithm.commitment(value) != slot.commitment:
        audit("reveal", request=request, user=actor, target=slot.round, result="failure",
              summary={"input": slot.label, "reason": "与承诺不符"})
        raise DrawError("公布的值与冻结前登记的承诺哈希不符,请核对后重新输入。")
    _enter(actor, slot, value, request)


def enter_public(actor, slot, value, *, request=None):
    """A public number announced after the freeze (e.g. a lottery result), typed in."""
    if slot.kind != DrawInput.Kind.PUBLIC:
        raise DrawError("这一项不是公开号码。")
    _require(slot.round, Round.Status.FROZEN, doing="录入公开号码(须在冻结名单之后、抽取之前)")
    if not algorithm.normalise_value(value):
        raise DrawError("请输入公布的号码。")
    _enter(actor, slot, value, request)


def _enter(actor, slot, value, request):
    with transaction.atomic():
        before = slot.value
        slot.value, slot.entered_by, slot.entered_at = algorithm.normalise_value(value)[:200], actor, timezone.now()
        slot.save(update_fields=["value", "entered_by", "entered_at"])
        audit("reveal", request=request, user=actor, target=slot.round,
              summary={"input": slot.label, "value": slot.value, **({"was": before} if before else {})})


def perform_draw(actor, round_, *, request=None, now=None):
    """The draw itself: exactly once per round, even when two people press at once."""
    now = now or timezone.now()
    with transaction.atomic():
        round_ = Round.objects.select_for_update().select_related("programme__unit").get(pk=round_.pk)
        _require(round_, Round.Status.FROZEN, doing="抽取")
        # The programme row serialises draws of one programme: the chain never forks.
        programme = Programme.objects.select_for_update().get(pk=round_.programme_id)
        frozen = Draw.objects.select_for_update().get(round=round_)
        slots = list(round_.inputs.all())
        waiting = [s.label for s in slots if s.kind != DrawInput.Kind.SERVER and not s.value]
        if waiting:
            raise DrawError("以下随机种子输入尚未公布:" + "、".join(waiting))
        for slot in slots:
            if slot.kind == DrawInput.Kind.SERVER:
                slot.value, slot.entered_at = crypto.decrypt(slot.sealed_value, SERVER_FIELD), now
                slot.save(update_fields=["value", "entered_at"])
        inputs = [{"kind": s.kind, "label": s.label, "commitment": s.commitment or None, "value": s.value}
                  for s in slots]
        seed = algorithm.seed(frozen.pool_hash, inputs)
        selected = algorithm.select(frozen.pool, seed, frozen.count, frozen.weights)
        previous = Draw.objects.filter(programme=programme, seq__isnull=False).order_by("-seq").first()
        frozen.seq = (previous.seq + 1) if previous else 1
        frozen.previous_hash = previous.record_hash if previous else ""
        frozen.seed, frozen.selected, frozen.drawn_at, frozen.drawn_by = seed, selected, now, actor
        body = _record(frozen, round_, inputs)
        frozen.record, frozen.record_hash = body, algorithm.record_hash(body)
        frozen.save()
        round_.status = Round.Status.DRAWN
        round_.save(update_fields=["status"])
        talks = create_talks(round_, frozen)
        audit("draw", request=request, user=actor, target=round_,
              summary={"seed": seed, "selected": [frozen.labels.get(str(s), s) for s in selected],
                       "record_hash": frozen.record_hash, "talks": len(talks)})
    return frozen


def _record(frozen, round_, inputs):
    programme = round_.programme
    designations = list(round_.designations.select_related("cadre", "unit").prefetch_related("clues"))
    sealed_parts = {
        "labels": frozen.labels,
        "designations": {str(d.subject_id): {"reason": d.reason, "clues": sorted(c.number for c in d.clues.all())}
                         for d in designations},
    }
    salts = {key: secrets.token_hex(32) for key in sealed_parts}
    return {
        "format": algorithm.FORMAT,
        "algorithm": algorithm.ALGORITHM,
        "id": frozen.pk,
        "programme": {"id": programme.pk, "name": programme.name, "unit": programme.unit.name},
        "round": {"id": round_.pk, "number": round_.number, "date": round_.date.isoformat(), "place": round_.place},
        "subject_type": programme.subject_type,
        "rules": frozen.rules,
        "group": frozen.group,
        "excluded": frozen.excluded,
        "frozen_at": frozen.frozen_at.isoformat(),
        "drawn_at": frozen.drawn_at.isoformat(),
        "pool": frozen.pool,
        "weights": frozen.weights,
        "pool_hash": frozen.pool_hash,
        "designated": [{"id": d.subject_id, "label": str(d)} for d in designations],
        **sealed_parts,
        "salts": salts,
        "sealed": {key: algorithm.part_hash(value, salts[key]) for key, value in sealed_parts.items()},
        "selected_labels": {str(pk): frozen.labels.get(str(pk), "") for pk in frozen.selected},
        "inputs": inputs,
        "seed": frozen.seed,
        "count": frozen.count,
        "selected": frozen.selected,
        "seq": frozen.seq,
        "previous_hash": frozen.previous_hash or None,
    }


def record_is_sealed(frozen):
    """Made with sealed parts: only such a record can be handed to the public as it is."""
    return isinstance(frozen.record, dict) and isinstance(frozen.record.get("sealed"), dict)


def export_record(frozen, *, public=False):
    """The record as exported: with its hash and the earlier links of the programme's chain.

    ``public``: the copy anyone may download through a published link. It leaves out the
    designations' reasons and clue numbers (case data) and, unless the programme published
    names, the candidates' names, with their salts; both stay committed by their salted hashes,
    so the copy verifies all the same. A record made before sealing holds those parts inside its
    hash: it is not handed out.
    """
    if frozen.record is None:
        raise DrawError("本批次尚未抽取,没有可导出的抽取记录。")
    if public and not record_is_sealed(frozen):
        raise DrawError("本次抽取的记录格式较早,候选名单和指定依据无法封存,不公开下载;请向组织谈话的机关索取。")
    chain = [{"id": d.pk, "round": d.round.number, "seq": d.seq, "record_hash": d.record_hash,
              "previous_hash": d.previous_hash or None}
             for d in Draw.objects.filter(programme_id=frozen.programme_id, seq__lt=frozen.seq)
             .select_related("round").order_by("seq")]
    body = {**frozen.record, "record_hash": frozen.record_hash, "chain": chain}
    if public:
        salts = dict(body.pop("salts"))
        body.pop("designations", None)
        salts.pop("designations", None)
        if not frozen.public_names:
            body.pop("labels", None)
            salts.pop("labels", None)
        if salts:
            body["salts"] = salts
    return body


def verify_against_database(record):
    """The standalone checks, plus: the record is the one stored, and so is its chain."""
    problems = algorithm.verify(record)
    stored = Draw.objects.filter(pk=record.get("id")).first() if isinstance(record.get("id"), int) else None
    if stored is None or stored.record is None:
        return [*problems, f"系统中没有编号为 {record.get('id')} 的抽取记录"]
    if stored.record_hash != record.get("record_hash"):
        problems.append("record_hash 与系统中保存的抽取记录不符")
    known = {d.pk: d.record_hash for d in Draw.objects.filter(programme_id=stored.programme_id, seq__isnull=False)}
    for link in record.get("chain") or []:
        if known.get(link.get("id")) != link.get("record_hash"):
            problems.append(f"抽取链中编号 {link.get('id')} 的记录哈希与系统中保存的不符")
    return problems


# --- From the round to talks -------------------------------------------------------------------


def create_talks(round_, frozen):
    """A talk for each designated and each drawn subject, in that order, one time slot each."""
    programme = round_.programme
    subjects = [(d.cadre, d.unit, Talk.Origin.DESIGNATED, d.reason)
                for d in round_.designations.select_related("cadre__unit", "unit")]
    if programme.subject_type == SubjectType.UNIT:
        units = Unit.objects.in_bulk(frozen.selected)
        subjects += [(None, units[pk], Talk.Origin.DRAWN, "") for pk in frozen.selected]
    else:
        cadres = Cadre.objects.select_related("unit").in_bulk(frozen.selected)
        subjects += [(cadres[pk], None, Talk.Origin.DRAWN, "") for pk in frozen.selected]
    members = list(programme.members.all())
    # The agenda plus ten minutes each, through the programme's morning and afternoon (schedule.py).
    times = [timezone.make_aware(at) for at in schedule.slots(
        round_.date, round_.start_time, programme.talk_minutes, TALK_GAP_MINUTES, programme.morning_end,
        programme.afternoon_start, programme.day_end, len(subjects), next_day=lambda day: add_workdays(day, 1))]
    due = round_.date - datetime.timedelta(days=programme.report_due_days)
    talks = []
    for n, (cadre, unit, origin, reason) in enumerate(subjects):
        if cadre is None:
            cadre = unit_head(unit)
        lead, lead_name = lead_for(programme, cadre, unit or cadre.unit)
        talk = Talk.objects.create(
            round=round_, programme=programme, kind=programme.kind, origin=origin, cadre=cadre,
            unit=unit or cadre.unit, subject_post=cadre.post if cadre else "", reason=reason, lead=lead,
            lead_name=lead_name, starts_at=times[n], minutes=programme.talk_minutes, place=round_.place,
            report_kind=programme.report_kind, agenda=programme.agenda,
            report_due=due if programme.report_kind != ReportKind.NONE else None,
        )
        talk.members.set(members)
        talks.append(talk)
    return talks


def targeted_talk(actor, programme, *, cadre, starts_at, place="", reason="", request=None):
    """A talk with a named cadre outside any round (提醒, 诫勉, 任前 … talks are not drawn)."""
    if not cadre.unit.path.startswith(programme.unit.path):
        raise DrawError(f"{cadre.name}不在{programme.unit.name}的范围内。")
    if not reason.strip():
        raise DrawError("请填写谈话事由。")
    check_not_conflicted(programme, cadre=cadre)
    lead, lead_name = lead_for(programme, cadre, cadre.unit)
    due = timezone.localtime(starts_at).date() - datetime.timedelta(days=programme.report_due_days)
    with transaction.atomic():
        talk = Talk.objects.create(
            programme=programme, kind=programme.kind, origin=Talk.Origin.TARGETED, cadre=cadre, unit=cadre.unit,
            subject_post=cadre.post, reason=reason.strip()[:300], lead=lead, lead_name=lead_name, starts_at=starts_at,
            minutes=programme.talk_minutes, place=place, report_kind=programme.report_kind, agenda=programme.agenda,
            report_due=due if programme.report_kind != ReportKind.NONE else None)
        talk.members.set(programme.members.all())
        audit("create", request=request, user=actor, target=talk, summary={"subject": cadre.name, "reason": reason})
    return talk


def unit_head(unit):
    """The unit's party secretary / head: its 一把手 of highest rank, if the registry has one."""
    return (Cadre.objects.filter(unit=unit, status=CadreStatus.ACTIVE, is_unit_head=True)
            .order_by("-rank_order", "pk").first())


def lead_for(programme, cadre, unit):
    """Who leads the talk, by the programme's rule: ``(user or None, name shown)``."""
    from django.contrib.auth import get_user_model

    if programme.lead_rule == LeadRule.CONTACT_LEADER:
        leader = unit.contact_leader
        if leader is not None:
            return get_user_model().objects.filter(cadre=leader).first(), leader.name
    elif programme.lead_rule == LeadRule.BY_POST and cadre is not None and not cadre.is_unit_head:
        user = programme.other_lead
        return user, (user.full_name or user.username) if user else programme.other_lead_name
    user = programme.head_lead
    return user, (user.full_name or user.username) if user else programme.head_lead_name


def check_send_notice(actor, talk, now=None):
    """Sending the notice is the office's act (talks.add: a talk group member has no such right by
    default), never the subject's; once, and before the talk it announces."""
    if not actor.has_perm("talks.add"):
        raise PermissionDenied("只有谈话组织部门(办公室)可以发出谈话通知。")
    if talk.cadre_id and talk.cadre_id == actor.cadre_id:
        raise PermissionDenied("谈话对象本人不能发出自己的谈话通知。")
    if talk.notified_at:
        by = talk.notified_by
        raise DrawError(f"谈话通知已于{cn_datetime(talk.notified_at)}"
                        f"由{(by.full_name or by.username) if by else '—'}发出。")
    if STATUS_ORDER.index(talk.status) >= STATUS_ORDER.index(Talk.Status.HELD):
        raise DrawError("谈话已经进行,不再发出通知。")
    if talk.starts_at <= (now or timezone.now()):
        raise DrawError("谈话时间已过,不再发出通知。")


def send_notice(actor, talk, *, request=None):
    """The office sends the notice: who and when are recorded whatever the status is.

    Notified is a fact of its own (``notified_at``/``notified_by``), not only a status: a talk
    whose outline was final first is 已准备 and stays so (status never goes back), a planned
    one becomes 已通知. Downloading the notice changes nothing.
    """
    from .records import advance, event

    with transaction.atomic():
        talk = Talk.objects.select_for_update(of=("self",)).select_related("notified_by").get(pk=talk.pk)
        check_send_notice(actor, talk)
        talk.notified_at, talk.notified_by = timezone.now(), actor
        talk.save(update_fields=["notified_at", "notified_by"])
        advance(talk, Talk.Status.NOTIFIED)
        event(talk, actor, "发出谈话通知")
        audit("notify", request=request, user=actor, target=talk, summary={"subject": talk.subject_name})
    return talk


def send_round_notices(actor, round_, *, request=None):
    """批量发出通知: every talk of the round not yet notified nor held; returns how many were sent."""
    if not actor.has_perm("talks.add"):
        raise PermissionDenied("只有谈话组织部门(办公室)可以发出谈话通知。")

    sent = 0
    with transaction.atomic():
        for talk in round_.talks.filter(notified_at__isnull=True):
            try:
                check_send_notice(actor, talk)  # the one rule: one's own, held or past talks are left
            except (DrawError, PermissionDenied):
                continue
            send_notice(actor, talk, request=request)
            sent += 1
    return sent


# --- The published link (公示) -------------------------------------------------------------------
#
# The office may publish a draw as soon as its pool is frozen: observers then see the pool's
# size and hash and the inputs' commitments before the seed exists, which is what makes the
# draw checkable (RFC 3797). The link is a random token; withdrawing it clears the token, and
# publishing again makes a new one, so an old link never comes back.


def _may_publish(actor, frozen):
    from tanhua.accounts.scope import scope_queryset

    if not actor.has_perm("talks.add"):
        raise PermissionDenied("没有组织谈话活动的权限,不能发布或撤回公示链接。")
    if not scope_queryset(Draw.objects.filter(pk=frozen.pk), actor).exists():
        raise PermissionDenied("本次抽取不在您的范围内。")


def publish_draw(actor, frozen, *, request=None, now=None):
    """Give the draw an unguessable public link; once, until it is withdrawn."""
    _may_publish(actor, frozen)
    with transaction.atomic():
        frozen = Draw.objects.select_for_update().select_related("round", "programme").get(pk=frozen.pk)
        if frozen.round.status == Round.Status.CANCELLED:
            raise DrawError("本批次已取消,不能公示。")
        if frozen.public_token:
            raise DrawError("本次抽取的公示链接已经发布;如需更换链接,请先撤回。")
        frozen.public_token = secrets.token_urlsafe(32)
        frozen.published_at, frozen.published_by = now or timezone.now(), actor
        frozen.public_names = frozen.programme.publish_names
        frozen.save(update_fields=["public_token", "published_at", "published_by", "public_names"])
        # The token itself stays out of the log: the log is read by more people than the link is meant for.
        audit("publish", request=request, user=actor, target=frozen,
              summary={"round": str(frozen.round), "drawn": frozen.record is not None})
    return frozen


def withdraw_publication(actor, frozen, *, request=None):
    """Take the public link down: it answers 404 from now on, like a link that never existed."""
    _may_publish(actor, frozen)
    with transaction.atomic():
        frozen = Draw.objects.select_for_update().select_related("round").get(pk=frozen.pk)
        if not frozen.public_token:
            raise DrawError("本次抽取没有已发布的公示链接,无需撤回。")
        published_at = frozen.published_at
        frozen.public_token, frozen.published_at, frozen.published_by = "", None, None
        frozen.save(update_fields=["public_token", "published_at", "published_by"])
        audit("withdraw", request=request, user=actor, target=frozen,
              summary={"round": str(frozen.round), "published_at": published_at})
    return frozen
