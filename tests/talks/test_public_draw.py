"""The draw's published link (公示): open without a login, withdrawn by the office (issue 12, point 7)."""

import json
import secrets

import pytest
from django.http import Http404
from django.test import Client
from django.urls import reverse

from tanhua.audit.models import AuditEntry
from tanhua.talks import draw as algorithm
from tanhua.talks import selectors, services
from tests.test_url_sweep import _without_tokens

from .conftest import open_inputs, round_ready


@pytest.fixture
def drawn(programme, cadres, make_clue):
    """A drawn round whose designated subject (cadres[1]) is justified by a clue."""
    clue = make_clue("CX01", cadre=cadres[1])
    round_ = round_ready(programme)
    services.designate(programme.staff, round_, cadre=cadres[1], reason="信访有举报、社会有舆论但又未构成违纪违法",
                       clues=[clue])
    services.freeze(programme.staff, round_)
    open_inputs(round_)
    frozen = services.perform_draw(programme.staff, round_)
    frozen.clue = clue
    return frozen


def _publish(client, frozen):
    response = client.post(reverse("talks:draw_publish", args=[frozen.pk]))
    assert response.status_code == 302
    frozen.refresh_from_db()
    assert frozen.public_token
    return reverse("public:draw", args=[frozen.public_token])


def test_the_published_link_works_without_a_login_and_stops_when_withdrawn(client, programme, drawn):
    client.force_login(programme.staff)
    url = _publish(client, drawn)
    round_page = client.get(reverse("talks:round", args=[drawn.round_id])).content.decode()
    assert "http://testserver" + url in round_page  # the whole link, to copy

    anonymous = Client()
    response = anonymous.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store" and response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "no-referrer" and "Content-Security-Policy" in response
    assert not response.cookies  # no session, no CSRF cookie: nothing to keep for an observer
    page = response.content.decode()
    for shown in (drawn.pool_hash, drawn.seed, drawn.record_hash, f"候选人数</dt><dd class=\"col-9\">{len(drawn.pool)}"):
        assert shown in page
    assert "信访有举报、社会有舆论但又未构成违纪违法" not in page  # why someone was designated is case data
    for pk in drawn.selected:
        assert drawn.labels[str(pk)] in page  # the draw is a public act: who was selected, by name
    # Case data stays out: the clue behind the designation, its content, anything of a reporter.
    assert drawn.clue.number not in page and drawn.clue.content not in page
    # publish_names is off: the candidates who were not drawn are not listed.
    for pk in set(drawn.pool) - set(drawn.selected):
        assert drawn.labels[str(pk)] not in page
    anonymous.get(url)  # a reload within the hour is not written again
    assert AuditEntry.objects.filter(action="public_view", summary__page="抽取公示").count() == 1
    entry = AuditEntry.objects.filter(action="public_view").latest("seq")
    assert entry.user is None and entry.object_id == str(drawn.pk)

    # The record through the link is the stored, chained one, and it verifies.
    downloaded = anonymous.get(reverse("public:draw_record", args=[drawn.public_token]))
    assert downloaded.status_code == 200 and downloaded["Cache-Control"] == "no-store"
    body = json.loads(downloaded.content)
    assert algorithm.verify(body) == []
    assert body == json.loads(json.dumps(services.export_record(drawn, public=True)))
    # The names of those not drawn and the clue numbers stay sealed: committed by hash, not shown.
    text = downloaded.content.decode()
    assert "labels" not in body and "designations" not in body and "salts" not in body
    assert drawn.clue.number not in text and "信访有举报" not in text
    assert set(body["selected_labels"]) == {str(pk) for pk in drawn.selected}
    full = json.loads(json.dumps(services.export_record(drawn)))
    assert full["designations"] and algorithm.verify(full) == []
    # The seals are salted: a clue number tried against the hash does not give it away.
    part = full["designations"]
    assert algorithm.part_hash(part, "") != full["sealed"]["designations"]
    assert algorithm.part_hash(part, full["salts"]["designations"]) == full["sealed"]["designations"]
    forged = {**full, "labels": {**full["labels"], str(drawn.selected[0]): "别人"}}
    assert "labels 与 sealed 中登记的哈希不符" in algorithm.verify(forged)
    # Renaming the selected, even with the record hash recomputed, does not pass the full copy.
    renamed = {**full, "selected_labels": {k: "别人" for k in full["selected_labels"]}}
    renamed["record_hash"] = algorithm.record_hash(renamed)
    assert algorithm.verify(renamed) == ["selected_labels(抽中对象的姓名)与 labels(候选名单)不符"]
    verifier = anonymous.get(reverse("public:verifier", args=[drawn.public_token]))
    assert verifier.status_code == 200 and b"def verify(record)" in b"".join(verifier.streaming_content)

    token = drawn.public_token
    assert client.post(reverse("talks:draw_withdraw", args=[drawn.pk])).status_code == 302
    for name in ("public:draw", "public:draw_record", "public:verifier"):
        assert anonymous.get(reverse(name, args=[token])).status_code == 404
    assert AuditEntry.objects.filter(action="withdraw", object_id=str(drawn.pk)).exists()
    # Published again: a new link; the old one stays dead.
    _publish(client, drawn)
    assert drawn.public_token != token
    assert anonymous.get(reverse("public:draw", args=[token])).status_code == 404
    assert anonymous.get(reverse("public:draw", args=[drawn.public_token])).status_code == 200


def test_unknown_and_withdrawn_links_answer_alike(client, programme, drawn):
    withdrawn = services.publish_draw(programme.staff, drawn).public_token
    services.withdraw_publication(programme.staff, drawn)
    unknown = Client().get(reverse("public:draw", args=[secrets.token_urlsafe(32)]))
    gone = Client().get(reverse("public:draw", args=[withdrawn]))
    assert unknown.status_code == gone.status_code == 404
    # The same page, bar the per-response CSRF token of the 404 page's layout.
    assert _without_tokens(unknown) == _without_tokens(gone)
    # A token of another shape is no URL at all; an empty token never matches an unpublished draw.
    assert Client().get("/public/draws/short/").status_code in (302, 404)
    for token in ("", "x" * 42, None):
        with pytest.raises(Http404):
            selectors.published_draw(token)


def test_who_may_publish(client, programme, drawn, make_user):
    auditor = make_user("shenji", "QH", ["auditor"])  # sees everything, runs nothing
    client.force_login(auditor)
    assert client.post(reverse("talks:draw_publish", args=[drawn.pk])).status_code == 403
    outsider = make_user("sx-staff", "SX", ["staff"])  # runs draws, but in another district
    client.force_login(outsider)
    assert client.post(reverse("talks:draw_publish", args=[drawn.pk])).status_code == 404
    assert client.post(reverse("talks:draw_withdraw", args=[drawn.pk])).status_code == 404
    drawn.refresh_from_db()
    assert not drawn.public_token
    with pytest.raises(services.PermissionDenied):
        services.publish_draw(outsider, drawn)
    with pytest.raises(services.PermissionDenied):
        services.publish_draw(auditor, drawn)

    client.force_login(programme.staff)
    _publish(client, drawn)
    token = drawn.public_token
    page = client.post(reverse("talks:draw_publish", args=[drawn.pk]), follow=True).content.decode()
    assert "公示链接已经发布" in page
    drawn.refresh_from_db()
    assert drawn.public_token == token
    services.withdraw_publication(programme.staff, drawn)
    with pytest.raises(services.DrawError, match="没有已发布的公示链接"):
        services.withdraw_publication(programme.staff, drawn)
    assert AuditEntry.objects.filter(action="publish", object_id=str(drawn.pk), user=programme.staff).exists()


def test_names_of_the_pool_only_when_the_programme_says_so(programme, drawn):
    programme.publish_names = True
    programme.save()
    drawn = services.publish_draw(programme.staff, drawn)
    page = Client().get(reverse("public:draw", args=[drawn.public_token])).content.decode()
    for pk in drawn.pool:
        assert drawn.labels[str(pk)] in page
    body = json.loads(Client().get(reverse("public:draw_record", args=[drawn.public_token])).content)
    assert body["labels"] == drawn.labels and "designations" not in body and algorithm.verify(body) == []


def test_a_frozen_draw_may_be_published_before_it_is_drawn(programme, cadres):
    round_ = round_ready(programme)
    frozen = services.publish_draw(programme.staff, services.freeze(programme.staff, round_))
    anonymous = Client()
    page = anonymous.get(reverse("public:draw", args=[frozen.public_token])).content.decode()
    assert frozen.pool_hash in page and "尚未抽取" in page
    server = round_.inputs.get(kind="server")
    assert server.commitment in page  # the server value's hash, published before the seed exists
    assert anonymous.get(reverse("public:draw_record", args=[frozen.public_token])).status_code == 404


def test_the_drawn_cadre_finds_how_he_was_chosen(client, programme, drawn, cadres, make_user):
    talk = drawn.round.talks.get(cadre=cadres[1])
    subject = make_user("ganbu", "CX01", ["cadre"], cadre=cadres[1])
    client.force_login(subject)
    assert "抽取公示" not in client.get(reverse("talks:my_talk", args=[talk.pk])).content.decode()
    drawn = services.publish_draw(programme.staff, drawn)
    page = client.get(reverse("talks:my_talk", args=[talk.pk])).content.decode()
    link = reverse("public:draw", args=[drawn.public_token])
    assert link in page
    assert client.get(link).status_code == 200  # logged in, without any right to the office's pages
