"""Follow-up visits: only the planned visitor or the office records one, never the subject; a
recorded visit is final and a correction is a new entry pointing back to it."""

import datetime

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone

from tanhua.audit.models import AuditEntry
from tanhua.rectification import services
from tanhua.rectification.models import FollowUp

pytestmark = pytest.mark.django_db


def _visit(item):
    return item.follow_ups.get()


def _row(visit):
    return model_to_dict(FollowUp.objects.get(pk=visit.pk))


def _post(client, item, visit, name="rectification:follow_up", **data):
    fields = {"done_on": timezone.localdate().isoformat(), "way": "on_site", "findings": "台账已建立,每月通报"}
    return client.post(reverse(name, args=[item.pk, visit.pk]), {**fields, **data}, follow=True)


def _messages(response):
    return [str(m) for m in response.context["messages"]]


def test_the_subject_never_records_his_own_visit(client, item, people):
    visit = _visit(item)
    before, events = _row(visit), item.events.count()
    client.force_login(people["owner"])
    page = client.get(reverse("rectification:item", args=[item.pk])).content.decode()
    assert "记录回访" not in page and 'name="findings"' not in page
    response = _post(client, item, visit)
    assert _messages(response) == ["整改责任人不能记录对本人事项的回访。"]
    assert _row(visit) == before and item.events.count() == events
    # Not even with the office's rights on top.
    people["owner"].roles.add(*people["staff"].roles.all())
    owner = type(people["owner"]).objects.get(pk=people["owner"].pk)
    client.force_login(owner)
    assert 'name="findings"' not in client.get(reverse("rectification:item", args=[item.pk])).content.decode()
    _post(client, item, visit)
    assert _row(visit) == before
    with pytest.raises(services.RectificationError, match="整改责任人"):
        services.record_follow_up(owner, visit, done_on=timezone.localdate(), way="phone", findings="好",
                                  recurred=False)


def test_the_planned_visitor_records_and_it_is_final(client, item, people):
    visit, leader = _visit(item), people["leader"]
    client.force_login(leader)
    assert "记录回访" in client.get(reverse("rectification:item", args=[item.pk])).content.decode()
    response = _post(client, item, visit)
    assert _messages(response) == ["回访已记录。"]
    visit.refresh_from_db()
    assert (visit.by, visit.recorded_by, visit.done_on) == (leader, leader, timezone.localdate())
    assert visit.recorded_at and visit.findings == "台账已建立,每月通报"
    assert AuditEntry.objects.filter(action="update", object_id=str(item.pk), username="leader").exists()

    # A second post is refused and changes nothing; the page offers 更正 instead of the form.
    before, events = _row(visit), item.events.count()
    response = _post(client, item, visit, findings="改写的内容", way="phone")
    assert "已经记录,不能修改" in _messages(response)[0]
    assert _row(visit) == before and item.events.count() == events
    page = response.content.decode()
    assert "记录回访" not in page and "提交更正" in page


def test_a_correction_is_a_new_entry(client, item, people):
    visit, staff = _visit(item), people["staff"]
    services.record_follow_up(people["leader"], visit, done_on=timezone.localdate(), way="phone",
                              findings="电话回访,已整改", recurred=False)
    recorded = _row(visit)
    client.force_login(staff)
    response = _post(client, item, visit, "rectification:follow_up_correct", findings="实为实地回访,台账齐全")
    assert _messages(response) == ["请填写更正理由、回访日期、方式和情况。"]
    response = _post(client, item, visit, "rectification:follow_up_correct", reason="方式记错",
                     findings="实为实地回访,台账齐全")
    assert _messages(response) == ["回访已更正。"]
    assert _row(visit) == recorded  # the recorded visit stays as it was
    correction = visit.corrections.get()
    assert (correction.by, correction.recorded_by, correction.way) == (people["leader"], staff, "on_site")
    assert correction.findings == "实为实地回访,台账齐全" and correction.planned_on == visit.planned_on
    assert "方式记错" in item.events.get(action="更正回访").note
    # The corrected one is not corrected twice; the newest may be.
    response = _post(client, item, visit, "rectification:follow_up_correct", reason="再改")
    assert "已经更正过" in _messages(response)[0] and visit.corrections.count() == 1
    # The subject cannot correct either.
    client.force_login(people["owner"])
    _post(client, item, correction, "rectification:follow_up_correct", reason="我来改")
    assert not correction.corrections.exists()


def test_staff_records_the_leaders_visit_and_an_empty_visitor_becomes_the_actor(client, item, people):
    visit, staff = _visit(item), people["staff"]
    client.force_login(staff)
    assert _messages(_post(client, item, visit)) == ["回访已记录。"]
    visit.refresh_from_db()
    assert (visit.by, visit.recorded_by) == (people["leader"], staff)  # the leader visited, staff wrote it down
    other = FollowUp.objects.create(item=item, planned_on=item.due_on)
    _post(client, item, other)
    other.refresh_from_db()
    assert (other.by, other.recorded_by) == (staff, staff)


def test_who_else_may_not(client, item, people, make_user):
    visit = _visit(item)
    before = _row(visit)
    # Another 谈话领导 who is not the planned visitor (and not the owner) is refused.
    other_leader = make_user("other-leader", "QH", ["leader"])
    other_leader.led_rectification_items.add(item)  # in his 仅本人 scope as a leader, not the visitor
    item.refresh_from_db()
    client.force_login(other_leader)
    response = _post(client, item, visit)
    assert _messages(response) == ["只有计划的回访人或纪委工作人员可以记录回访。"]
    # Outside the scope: as if it did not exist.
    client.force_login(people["outsider"])
    assert client.post(reverse("rectification:follow_up", args=[item.pk, visit.pk])).status_code == 404
    assert client.post(reverse("rectification:follow_up_correct", args=[item.pk, visit.pk])).status_code == 404
    assert _row(visit) == before


def test_a_visit_has_happened(client, item, people):
    visit = _visit(item)
    client.force_login(people["leader"])
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = _post(client, item, visit, done_on=tomorrow.isoformat())
    assert "晚于今天" in _messages(response)[0]
    response = _post(client, item, visit, done_on=(item.start_on - datetime.timedelta(days=1)).isoformat())
    assert "早于整改开始日期" in _messages(response)[0]
    assert FollowUp.objects.get(pk=visit.pk).done_on is None
