"""Every URL of the project, for every default role, inside and outside the role's scope.

A new URL pattern fails this test until it is added to ``CASES`` with the permission it
needs and the object it works on. For each role:

- without the permission the answer is 403 (nothing about any object is revealed);
- with it, an object inside the scope answers (200, a redirect, or 400 for an empty form);
- an object outside the scope is a 404, exactly like an id that does not exist.
"""

import re
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from tanhua.accounts.models import Role, User
from tanhua.api.models import ApiToken
from tanhua.clues.models import DuplicateSuggestion
from tanhua.registry.models import ExportJob, ImportJob
from tanhua.talks.models import OutlineTemplate


@dataclass(frozen=True)
class Case:
    perm: object = None  # None: every logged-in user; a string or a tuple of strings (all needed)
    obj: str | None = None  # the kind of object in the URL (see ``world``)
    method: str = "get"
    scoped: bool = True  # False: the view is about the user's own session, not an object
    full_scope_only: bool = False  # also needs a data scope of 全部 (roles apply everywhere)
    ok: tuple = (200,)
    token: bool = False  # the JSON API: a bearer token of the same user instead of a session
    public: bool = False  # answers the same to everyone (no permission involved)


POST_OK = (200, 302, 400)
CASES = {
    "home": Case(ok=(302,)),
    "login": Case(ok=(302,)),  # a logged-in user is sent on
    "logout": Case(method="post", ok=(302,)),
    "set_language": Case(method="post", ok=(302,)),
    "healthz": Case(),
    "accounts:security": Case(),
    "accounts:password": Case(),
    "accounts:otp_verify": Case(ok=(302,)),  # no device yet: on to enrolment
    "accounts:otp_setup": Case(),
    "accounts:otp_remove": Case(method="post", ok=(302,)),
    "accounts:users": Case("accounts.view"),
    "accounts:user_add": Case("accounts.add"),
    "accounts:user_edit": Case("accounts.change", "user"),
    "accounts:user_password": Case("accounts.change", "user", method="post", ok=POST_OK),
    "accounts:user_otp_reset": Case("accounts.change", "user", method="post", ok=(302,)),
    "accounts:roles": Case("accounts.view"),
    "accounts:role_add": Case("accounts.add", full_scope_only=True),
    "accounts:role_edit": Case("accounts.change", "role", full_scope_only=True),
    "accounts:role_delete": Case("accounts.delete", "role", method="post", full_scope_only=True, ok=(302,)),
    "accounts:lockouts": Case("accounts.view"),
    "accounts:lockout_lift": Case("accounts.change", method="post", ok=(302,)),
    "accounts:logins": Case("accounts.view"),
    "registry:roster": Case("registry.view"),
    "registry:cadre": Case("registry.view", "cadre"),
    "registry:export": Case("registry.export"),
    "registry:export_job": Case("registry.export", "export_job"),
    "registry:export_download": Case("registry.export", "export_job"),
    "registry:template": Case("registry.add"),
    "registry:import": Case(("registry.add", "registry.change")),
    "registry:import_job": Case(("registry.add", "registry.change"), "import_job"),
    "registry:import_confirm": Case(("registry.add", "registry.change"), "import_job", method="post", ok=(302,)),
    "registry:units": Case("units.view"),
    "registry:unit_add": Case("units.add"),
    "registry:unit_edit": Case("units.change", "unit"),
    "registry:unit_delete": Case("units.delete", "unit", method="post", ok=(302,)),
    "clues:list": Case("clues.view"),
    "clues:add": Case("clues.add"),
    "clues:import": Case("clues.add"),
    "clues:import_confirm": Case("clues.add", method="post", ok=(302,)),
    "clues:import_template": Case("clues.add"),
    "clues:detail": Case("clues.view", "clue"),
    # Seeing the reporter needs clues.reporter on top; without it the answer is 403 (and audited).
    "clues:reporter": Case("clues.view", "clue", method="post", ok=(200, 403)),
    "clues:dispose": Case("clues.change", "clue", method="post", ok=(302,)),
    "clues:close": Case("clues.change", "clue", method="post", ok=(302,)),
    "clues:attach": Case("clues.change", "clue", method="post", ok=(302,)),
    "clues:attachment": Case("clues.view", "attachment"),
    "clues:inquiry_issue": Case("clues.change", "clue", method="post", ok=(302,)),
    "clues:inquiry_letter": Case("clues.view", "inquiry"),
    "clues:inquiry_review": Case("clues.change", "inquiry", method="post", ok=(302,)),
    "clues:inquiry_reply_file": Case("clues.view", "inquiry"),
    "clues:problems": Case("clues.view"),
    "clues:problems_export": Case("clues.export", ok=(404,)),  # no unit or cadre chosen
    "clues:duplicates": Case("clues.change"),
    "clues:duplicate_confirm": Case("clues.change", "suggestion", method="post", ok=(302,)),
    "clues:duplicate_reject": Case("clues.change", "suggestion", method="post", ok=(302,)),
    "clues:leave_group": Case("clues.change", "clue", method="post", ok=(302,)),
    "clues:vocabularies": Case("accounts.change", full_scope_only=True),
    "clues:vocabulary_save": Case("accounts.change", "vocabulary", method="post", full_scope_only=True, ok=(302,)),
    "clues:my_inquiries": Case(),
    "clues:my_inquiry": Case(None, "own_inquiry"),
    "clues:my_inquiry_letter": Case(None, "own_inquiry"),
    "api:openapi-json": Case(public=True, token=True),
    "api:api-root": Case(public=True, token=True, ok=(404,)),  # django-ninja's placeholder, no page
    "api:create_clue": Case("clues.add", method="post", token=True, ok=(422,)),  # an empty body
    "api:list_clues": Case("clues.view", token=True),
    "api:get_clue": Case("clues.view", "clue", token=True),
    "talks:programmes": Case("talks.view"),
    "talks:programme_add": Case("talks.add"),
    "talks:programme": Case("talks.view", "programme"),
    "talks:programme_edit": Case("talks.add", "programme"),
    "talks:round_add": Case("talks.add", "programme", method="post", ok=(200,)),  # an empty form, shown again
    "talks:targeted_add": Case("talks.add", "programme"),
    "talks:round": Case("talks.view", "round"),
    # Steps of the protocol on a drawn round: refused with a message on the round's page.
    "talks:designate": Case("talks.add", "round", method="post", ok=(302,)),
    "talks:designation_delete": Case("talks.add", "designation", method="post", ok=(302,)),
    "talks:freeze": Case("talks.add", "round", method="post", ok=(302,)),
    "talks:draw_now": Case("talks.add", "round", method="post", ok=(302,)),
    "talks:commit": Case("talks.change", "slot", method="post", ok=(302,)),
    "talks:reveal": Case("talks.change", "slot", method="post", ok=(302,)),
    # The published link (公示): anyone, logged in or not, with the token; no scope applies.
    # Before the office's withdraw below, which takes the link down.
    "public:draw": Case(public=True, obj="public_token"),
    "public:draw_record": Case(public=True, obj="public_token"),
    "public:verifier": Case(public=True, obj="public_token"),
    "talks:draw_publish": Case("talks.add", "draw", method="post", ok=(302,)),  # already published: a message
    "talks:draw_withdraw": Case("talks.add", "draw", method="post", ok=(302,)),
    "talks:draw": Case("talks.view", "draw"),
    "talks:draw_record": Case("talks.view", "draw"),
    "talks:verifier": Case("talks.view"),
    "talks:talks": Case("talks.view"),
    "talks:talk": Case("talks.view", "talk", ok=(200, 302)),
    "talks:notice": Case("talks.view", "talk"),
    # Sending the notice is the office's act (a held talk is refused with a message).
    "talks:send_notice": Case("talks.add", "talk", method="post", ok=(302,)),
    "talks:round_send_notices": Case("talks.add", "round", method="post", ok=(302,)),
    "talks:calendar": Case("talks.view"),
    # The subject of a talk is sent to their own view (302) from the office's pages.
    "talks:prepare": Case("talks.change", "talk", method="post", ok=(302,)),
    "talks:record": Case("talks.change", "talk", ok=(200, 302)),
    "talks:confirm_paper": Case("talks.change", "talk", method="post", ok=(302,)),
    "talks:outline_doc": Case("talks.view", "talk", ok=(200, 302)),
    "talks:report_doc": Case("talks.view", "talk", ok=(200, 302)),
    "talks:record_doc": Case("talks.view", "talk"),
    "talks:round_list_doc": Case("talks.view", "round"),
    "talks:outline_templates": Case("talks.add", full_scope_only=True),
    "talks:doc_templates": Case("accounts.change", full_scope_only=True),
    "talks:doc_template_download": Case("accounts.change", "doc_template", full_scope_only=True),
    "talks:doc_template_upload": Case("accounts.change", "doc_template", method="post", full_scope_only=True,
                                      ok=(302,)),
    "talks:doc_template_reset": Case("accounts.change", "doc_template", method="post", full_scope_only=True,
                                     ok=(302,)),
    "talks:outline_template_add": Case("talks.add", full_scope_only=True),
    "talks:outline_template_edit": Case("talks.add", "outline_template", full_scope_only=True),
    "talks:my_talk_report": Case(None, "own_talk", method="post", ok=(302,)),
    "talks:my_talk_confirm": Case(None, "own_talk", method="post", ok=(302,)),
    "talks:my_talks": Case(),
    "talks:my_talk": Case(None, "own_talk"),
    "talks:my_talk_notice": Case(None, "own_talk"),
    "rectification:ledger": Case("rectification.view"),
    "rectification:ledger_export": Case("rectification.export"),
    "rectification:item_add": Case("rectification.add"),
    "rectification:from_talk": Case("rectification.add", "talk"),
    "rectification:item": Case("rectification.view", "item"),
    # Steps someone else must take (the owner reports, the leader verifies): refused with a message.
    "rectification:report": Case("rectification.change", "item", method="post", ok=(302,)),
    "rectification:verify": Case("rectification.change", "item", method="post", ok=(302,)),
    "rectification:escalate": Case("rectification.change", "item", method="post", ok=(302, 403)),
    "rectification:follow_up": Case("rectification.change", "follow_up", method="post", ok=(302,)),
    "rectification:follow_up_correct": Case("rectification.change", "follow_up", method="post", ok=(302,)),
    "rectification:evidence": Case("rectification.view", "evidence"),
    "rectification:meetings": Case("rectification.view"),
    "rectification:meeting_add": Case("rectification.add"),
    "rectification:meeting": Case("rectification.view", "meeting"),
    "rectification:meeting_item": Case("rectification.add", "meeting", method="post", ok=(302,)),
    "rectification:notifications": Case(),
    "rectification:notifications_read": Case(method="post", ok=(302,)),
    "rectification:notifications_count": Case(),
    "audit:entries": Case("audit.view"),
    "audit:export": Case("audit.export"),
}

ROLE_CODES = ["admin", "staff", "petition", "leader", "organization", "cadre", "auditor"]


def url_names(patterns=None, namespace=""):
    """Every named URL pattern of the project, as "namespace:name"."""
    names = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            names += url_names(entry.url_patterns, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(entry, URLPattern):
            assert entry.name, f"URL pattern {entry.pattern} has no name: give it one and add it to CASES"
            names.append(namespace + entry.name)
    return names


def test_every_url_pattern_is_covered():
    names = url_names()
    missing = sorted(set(names) - set(CASES))
    assert not missing, f"URL patterns not covered by the sweep (add them to CASES): {missing}"
    stale = sorted(set(CASES) - set(names))
    assert not stale, f"CASES lists URL names that no longer exist: {stale}"


@pytest.fixture
def world(tree, make_cadre, make_user, settings, make_clue, make_inquiry):
    """The user under test works in 城厢区 (CX); 沙溪县 (SX) is outside every non-全部 scope."""
    me_cadre = make_cadre("CX01", name="本人")
    other_in = make_cadre("CX01B", name="区内干部")
    outside = make_cadre("SX01B", name="县里干部")
    colleague = make_user("colleague", "CX01")
    stranger = make_user("stranger", "SX")
    role = Role.objects.get(code="auditor")
    clue_in, clue_out = make_clue("CX01B", cadre=other_in), make_clue("SX01B", cadre=outside)
    inquiry_in, inquiry_out = make_inquiry(clue_in), make_inquiry(clue_out)
    # A pending duplicate suggestion on each side.
    # (make_clue writes the same text every time, so registering suggests them itself.)
    suggestion_in = DuplicateSuggestion.objects.get_or_create(
        first=clue_in, second=make_clue("CX01B", cadre=other_in), defaults={"score": 0.5})[0]
    suggestion_out = DuplicateSuggestion.objects.get_or_create(
        first=clue_out, second=make_clue("SX01B", cadre=outside), defaults={"score": 0.5})[0]
    own_inquiry = make_inquiry(make_clue("CX01", cadre=me_cadre))
    talks_in = _talk_world(tree["CX"], me_cadre, make_user("organiser", "CX", ["staff"]))
    make_cadre("SX", name="县里干部2")  # someone to draw besides the designated one
    talks_out = _talk_world(tree["SX"], outside, make_user("organiser-sx", "SX", ["staff"]))

    def jobs(owner):
        settings.EXPORT_DIR.mkdir(parents=True, exist_ok=True)
        export = ExportJob.objects.create(user=owner, title="名册", stored_name=f"{owner.pk}.xlsx",
                                          status=ExportJob.Status.DONE, finished_at=timezone.now())
        export.path.write_bytes(b"PK\x03\x04 not really a workbook")
        imported = ImportJob.objects.create(user=owner, original_name="a.xlsx", stored_name=f"{owner.pk}.xlsx",
                                            status=ImportJob.Status.DONE)
        return export, imported

    return {
        "me_cadre": me_cadre, "other_in": other_in, "outside": outside, "colleague": colleague,
        "stranger": stranger, "role": role, "jobs": jobs, "tree": tree, "clue_in": clue_in, "clue_out": clue_out,
        "inquiry_in": inquiry_in, "inquiry_out": inquiry_out, "own_inquiry": own_inquiry,
        "suggestion_in": suggestion_in, "suggestion_out": suggestion_out,
        "talks_in": talks_in, "talks_out": talks_out,
    }


def _talk_world(unit, subject, organiser):
    """A programme of ``unit`` with one drawn round in which ``subject`` was designated."""
    import datetime

    from django.core.files.uploadedfile import SimpleUploadedFile

    from tanhua.rectification import services as rectification_services
    from tanhua.rectification.models import Meeting
    from tanhua.talks import records
    from tanhua.talks import services as talk_services
    from tanhua.talks.models import TalkReport

    programme = talk_services.create_programme(organiser, unit=unit, name=f"{unit.name}半月谈", kind="half_month",
                                               random_count=1, designated_count=1, report_kind="free")
    round_ = talk_services.create_round(organiser, programme, date=datetime.date(2026, 12, 1),
                                        public_labels=["开奖号码"], member_users=[organiser])
    slot = round_.inputs.get(kind="member")
    talk_services.commit(organiser, slot, value="organiser-secret")
    designation = talk_services.designate(organiser, round_, cadre=subject, reason="信访举报")
    talk_services.freeze(organiser, round_)
    talk_services.enter_public(organiser, round_.inputs.get(kind="public"), "1 2 3")
    talk_services.reveal(organiser, slot, "organiser-secret")
    drawn = talk_services.publish_draw(organiser, talk_services.perform_draw(organiser, round_))
    talk = round_.talks.get(cadre=subject)
    TalkReport.objects.create(talk=talk, text="本人汇报", submitted_at=timezone.now())
    records.save_record(organiser, talk, held_on=datetime.date(2026, 12, 1), start_time=datetime.time(9),
                        end_time=datetime.time(10), place="", lead_name="主谈人", present=[], recorder_name="记录人",
                        entries=[("question", "问题")])
    item = rectification_services.create_item(
        organiser, unit=talk.unit, origin="talk", talk=talk, problem="公车私用", owner=None, owner_name="责任人",
        leader=None, leader_name="主谈人", start_on=datetime.date(2026, 12, 1), due_on=datetime.date(2027, 2, 1))
    event = item.events.first()
    evidence = rectification_services.save_evidence(
        organiser, item, SimpleUploadedFile("台账.pdf", b"%PDF-1.4"), event)
    meeting = Meeting.objects.create(unit=talk.unit, title="年度民主生活会", held_on=datetime.date(2026, 12, 20))
    return {"item": item.pk, "evidence": evidence.pk, "follow_up": (item.pk, item.follow_ups.get().pk),
            "meeting": meeting.pk,
            "programme": programme.pk, "round": round_.pk, "designation": (round_.pk, designation.pk),
            "slot": (round_.pk, slot.pk), "draw": drawn.pk, "talk": round_.talks.get(cadre=subject).pk,
            "public_token": drawn.public_token}


def _objects(world, user, own_scope):
    """(inside, outside) object ids per kind for ``user``; outside is None where nothing is outside."""
    tree = world["tree"]
    export_in, import_in = world["jobs"](user)
    export_out, import_out = world["jobs"](world["stranger"])
    everything = own_scope == "all"
    if own_scope == "self":
        inside = {"cadre": world["me_cadre"].pk, "user": user.pk, "unit": tree["CX"].pk}
    else:
        inside = {"cadre": world["other_in"].pk, "user": world["colleague"].pk, "unit": tree["CX01"].pk}
    inside.update(vocabulary="sources", role=world["role"].pk, export_job=export_in.pk, import_job=import_in.pk,
                  clue=world["clue_in"].pk, inquiry=world["inquiry_in"].pk, suggestion=world["suggestion_in"].pk,
                  attachment=world["clue_in"].attachments.get().pk,
                  # Only a user who is a cadre has inquiries of their own.
                  own_inquiry=world["own_inquiry"].pk if user.cadre_id else None,
                  own_talk=world["talks_in"]["talk"] if user.cadre_id else None,
                  outline_template=OutlineTemplate.objects.first().pk, doc_template="record",
                  **{k: v for k, v in world["talks_in"].items()})
    if own_scope == "self":
        # 仅本人: the programme is theirs as a member of its talk group.
        from tanhua.talks.models import Member

        Member.objects.create(programme_id=world["talks_in"]["programme"], user=user, name=user.username)
        # ... and the rectification item is theirs as its responsible person; meetings are not.
        from tanhua.rectification.models import Item

        Item.objects.filter(pk=world["talks_in"]["item"]).update(owner=user)
        inside["meeting"] = None
    outside = {
        "cadre": None if everything else world["outside"].pk,
        "user": None if everything else world["stranger"].pk,
        "unit": None if everything else tree["SX"].pk,
        "role": None,  # roles are not in any unit
        "vocabulary": None,  # nor are the vocabularies
        "clue": None if everything else world["clue_out"].pk,
        "inquiry": None if everything else world["inquiry_out"].pk,
        "suggestion": None if everything else world["suggestion_out"].pk,
        "attachment": None if everything else world["clue_out"].attachments.get().pk,
        # Jobs belong to whoever started them, whatever the scope; so do one's own inquiries.
        "export_job": export_out.pk,
        "import_job": import_out.pk,
        "own_inquiry": world["inquiry_in"].pk,
        **{k: None if everything else v for k, v in world["talks_out"].items()},
        "own_talk": world["talks_out"]["talk"],  # somebody else's talk
        "outline_template": None,  # shared by every unit
        "public_token": None,  # a published link is open to everyone: there is no outside
        "doc_template": None,
    }
    return inside, outside


def _allowed(user, case):
    if case.public:
        return True
    perms = (case.perm,) if isinstance(case.perm, str) else (case.perm or ())
    if not all(user.has_perm(p) for p in perms):
        return False
    return not case.full_scope_only or user.roles.filter(data_scope="all").exists()


def _request(client, name, case, pk=None, key=None):
    args = [] if pk is None else list(pk) if isinstance(pk, tuple) else [pk]
    url = reverse(name, args=args)
    if case.token:
        client.logout()
        return getattr(client, case.method)(url, headers={"Authorization": f"Bearer {key}"},
                                            content_type="application/json")
    return getattr(client, case.method)(url)


@pytest.mark.parametrize("code", ROLE_CODES)
def test_sweep(client, world, make_user, code):
    role = Role.objects.get(code=code)
    cadre = world["me_cadre"] if role.data_scope == "self" else None
    user = make_user(f"sweep-{code}", "CX", [code], cadre=cadre)
    inside, outside = _objects(world, user, role.data_scope)
    _token, key = ApiToken.issue(user)
    wrong = []
    for name, case in CASES.items():
        client.force_login(user)
        allowed = _allowed(user, case)
        if not case.obj or inside.get(case.obj) is not None:
            response = _request(client, name, case, inside.get(case.obj) if case.obj else None, key)
            expected = case.ok if allowed else (403,)
            if response.status_code not in expected:
                wrong.append(f"{name} inside: {response.status_code}, expected {expected}")
        if case.obj and outside.get(case.obj) is not None:
            client.force_login(user)
            response = _request(client, name, case, outside[case.obj], key)
            expected = (404,) if allowed else (403,)
            if response.status_code not in expected:
                wrong.append(f"{name} outside: {response.status_code}, expected {expected}")
    assert not wrong, f"role {code}:\n" + "\n".join(wrong)


def _without_tokens(response):
    return re.sub(r'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+', r"\1", response.content.decode())


def test_ids_that_do_not_exist_look_like_outside_ones(client, world, make_user):
    Role.objects.create(code="district-admin", name="区管理员", data_scope="subtree",
                        permissions=["accounts.change", "units.change"])
    user = make_user("sweep-staff", "CX", ["staff", "organization", "district-admin"])
    client.force_login(user)
    for name in ("registry:cadre", "accounts:user_edit", "registry:unit_edit"):
        missing = client.get(reverse(name, args=[10**9]))
        outside = {"registry:cadre": world["outside"].pk, "accounts:user_edit": world["stranger"].pk,
                   "registry:unit_edit": world["tree"]["SX"].pk}[name]
        hidden = client.get(reverse(name, args=[outside]))
        assert missing.status_code == hidden.status_code == 404
        # Not even the page text tells them apart (bar the per-response CSRF token).
        assert _without_tokens(missing).replace(f"/{10**9}/", "/ID/") == _without_tokens(hidden).replace(
            f"/{outside}/", "/ID/"
        )
    assert User.objects.filter(username="stranger").exists()


# Reachable without a login, and what they answer; every other page sends the visitor to log in,
# and the JSON API (a bearer token instead of a session) answers 401.
ANONYMOUS = {
    "login": (200,),
    "logout": (302,),
    "set_language": (302,),
    "healthz": (200,),
    "api:openapi-json": (200,),
    "api:api-root": (404,),
    "public:draw": (200,),
    "public:draw_record": (200,),
    "public:verifier": (200,),
}


def test_anonymous_sweep(client, world, make_user):
    user = make_user("sweep-ids", "CX", ["auditor"])  # only for the objects' ids: everything is inside
    inside, _outside = _objects(world, user, "all")
    client.logout()
    wrong = []
    for name, case in CASES.items():
        pk = inside.get(case.obj) if case.obj else None
        if case.obj and pk is None:
            continue
        args = [] if pk is None else list(pk) if isinstance(pk, tuple) else [pk]
        response = getattr(client, case.method)(reverse(name, args=args), content_type="application/json")
        if name in ANONYMOUS:
            if response.status_code not in ANONYMOUS[name]:
                wrong.append(f"{name}: {response.status_code}, expected {ANONYMOUS[name]}")
        elif case.token:
            if response.status_code != 401:
                wrong.append(f"{name}: {response.status_code}, expected 401")
        elif response.status_code != 302 or not response.url.startswith(reverse("login")):
            wrong.append(f"{name}: {response.status_code}, expected a redirect to the login page")
    assert not wrong, "anonymous:\n" + "\n".join(wrong)
