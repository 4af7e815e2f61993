"""The clue API: tokens, scope, validation, the schema."""

import io
import json

import pytest
from django.core.management import call_command

from tanhua.api.models import ApiToken
from tanhua.audit.models import AuditEntry
from tanhua.clues.models import Clue

BASE = "/api/v1"


@pytest.fixture
def token(make_user, vocab):
    user = make_user("hotline", "CX", ["petition"])
    out = io.StringIO()
    call_command("api_token", "hotline", name="12345热线推送", stdout=out)
    return user, out.getvalue().strip()


def _call(client, method, path, key=None, body=None, **params):
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    if method == "post":
        return client.post(BASE + path, data=json.dumps(body) if not isinstance(body, str) else body,
                           content_type="application/json", headers=headers)
    return client.get(BASE + path, params, headers=headers)


GOOD = {"source": "12345热线", "received_on": "2026-11-10", "unit": "CX01", "category": "奢靡之风",
        "summary": "公车私用", "content": "周末驾驶公务用车接送子女。", "anonymous": True}


def test_token_is_shown_once_and_stored_hashed(token):
    user, key = token
    stored = ApiToken.objects.get(user=user)
    assert key.startswith("th_") and stored.key_hash != key and key not in stored.key_hash
    assert stored.key_hash == ApiToken.digest(key) and AuditEntry.objects.filter(action="grant").exists()


def test_push_a_clue(client, token, make_cadre):
    cadre = make_cadre("CX01B", name="李庆庆")
    _user, key = token
    response = _call(client, "post", "/clues", key, {**GOOD, "cadre_id_number": cadre.id_number, "anonymous": False,
                                                     "reporter_name": "张女士", "reporter_contact": "139"})
    assert response.status_code == 201, response.content
    data = response.json()
    clue = Clue.objects.get()
    assert data["number"] == clue.number == "CX01B-2026-0001" and data["cadre"] == "李庆庆"
    assert clue.reporter_name() == "张女士" and "reporter" not in json.dumps(data)
    entry = AuditEntry.objects.get(action="create", object_type="clues.clue")
    assert entry.username == "hotline" and entry.summary["via"] == "api"


def test_missing_or_bad_token_is_401(client, token):
    assert _call(client, "get", "/clues").status_code == 401
    assert _call(client, "get", "/clues", "th_nonsense").status_code == 401
    user, key = token
    user.is_active = False
    user.save()
    assert _call(client, "get", "/clues", key).status_code == 401


def test_revoked_token_is_401(client, token):
    _user, key = token
    call_command("api_token", "hotline", revoke=key[:6], stdout=io.StringIO())
    assert _call(client, "get", "/clues", key).status_code == 401


@pytest.mark.parametrize(("body", "field"), [
    ({**GOOD, "summary": ""}, "body.summary"),
    ({**GOOD, "received_on": "2026/13/40"}, "body.received_on"),
    ({k: v for k, v in GOOD.items() if k != "content"}, "body.content"),
    ({**GOOD, "source": "传真"}, "body.source"),
    ({**GOOD, "unit": "SX01B"}, "body.unit"),  # outside the token user's scope
    ({**GOOD, "cadre_id_number": "110105194912310021"}, "body.cadre_id_number"),
    ({**GOOD, "reporter_name": "王"}, "body.anonymous"),
    ({**GOOD, "due_on": "2026-01-01"}, "body.due_on"),
    ({**GOOD, "summary": "长" * 201}, "body.summary"),
    ({**GOOD, "anonymous": "maybe"}, "body.anonymous"),
    ({**GOOD, "unit": "CX\x0001"}, "body.unit"),  # PostgreSQL would refuse the NUL: a 422, not a 500
])
def test_bad_input_names_the_field(client, token, body, field):
    _user, key = token
    response = _call(client, "post", "/clues", key, body)
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    assert field in [e["field"] for e in errors], errors
    assert all(e["message"] for e in errors)
    assert not Clue.objects.exists()


@pytest.mark.parametrize("raw", ["", "{", "[]", "null", '"text"', '{"summary": 5}'])
def test_malformed_bodies_are_4xx(client, token, raw):
    _user, key = token
    response = _call(client, "post", "/clues", key, raw)
    assert 400 <= response.status_code < 500


def test_listing_and_reading_stay_in_scope(client, token, make_clue):
    _user, key = token
    inside, outside = make_clue("CX01", summary="城厢的线索"), make_clue("SX01B", summary="沙溪的线索")
    listing = _call(client, "get", "/clues", key).json()
    assert [item["number"] for item in listing["items"]] == [inside.number]
    assert _call(client, "get", f"/clues/{outside.number}", key).status_code == 404
    assert _call(client, "get", f"/clues/{outside.pk}", key).status_code == 404
    detail = _call(client, "get", f"/clues/{inside.number}", key).json()
    assert detail["content"] == inside.content and "reporter" not in json.dumps(detail)
    assert AuditEntry.objects.filter(action="view", object_id=str(inside.pk), username="hotline").exists()
    assert _call(client, "get", "/clues", key, q="沙溪").json()["count"] == 0
    assert _call(client, "get", "/clues", key, status="bogus").status_code == 422


def test_a_token_has_its_users_permissions(client, make_user, vocab):
    make_user("org", "CX", ["organization"])  # no clue permissions
    out = io.StringIO()
    call_command("api_token", "org", stdout=out)
    key = out.getvalue().strip()
    assert _call(client, "get", "/clues", key).status_code == 403
    assert _call(client, "post", "/clues", key, GOOD).status_code == 403


def test_schema_is_served_without_a_token(client, db):
    schema = client.get(BASE + "/openapi.json").json()
    assert "/api/v1/clues" in schema["paths"] and "post" in schema["paths"]["/api/v1/clues"]
    assert schema["components"]["securitySchemes"]
