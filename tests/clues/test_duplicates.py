"""The same matter through several channels: suggested on registration, confirmed or rejected by a reviewer."""

import datetime

import pytest
from django.urls import reverse

from tanhua.audit.models import AuditEntry
from tanhua.clues import duplicates
from tanhua.clues.models import Clue, DuplicateSuggestion

LETTER = ("反映城厢街道党工委书记李庆庆于10月12日晚在城郊“乡里人家”农家乐接受清河市宏远建设有限公司负责人宴请,"
          "席间饮用高档白酒,费用由企业支付。此类宴请今年以来已有多次。")
HOTLINE = "市民来电:李庆庆经常被宏远建设的老板请吃饭,在乡里人家农家乐吃喝,喝的是好酒,老板买单。"
OTHER_MATTER = "反映城厢街道党工委书记李庆庆的妻弟承接辖区道路硬化工程,未经公开招标,路面完工半年即开裂。"


def test_a_reworded_repeat_is_suggested_and_a_different_matter_is_not(make_clue, make_cadre, vocab):
    cadre = make_cadre("CX01", name="李庆庆", post="党工委书记")
    letter = make_clue(cadre=cadre, content=LETTER, summary="接受管理服务对象宴请")
    other = make_clue(cadre=cadre, content=OTHER_MATTER, summary="亲属承揽工程项目")
    hotline = make_clue(cadre=cadre, content=HOTLINE, summary="接受宴请", source=vocab["hotline"],
                        received_on=datetime.date(2026, 11, 5))
    pairs = {(s.first_id, s.second_id) for s in DuplicateSuggestion.objects.all()}
    assert pairs == {(letter.pk, hotline.pk)}
    assert other.pk not in {pk for pair in pairs for pk in pair}


def test_only_the_same_subject_is_compared(make_clue, make_cadre):
    first = make_cadre("CX01", name="李庆庆")
    second = make_cadre("SX01B", name="王强")
    make_clue(cadre=first, content=LETTER)
    make_clue(cadre=second, content=LETTER)  # the very same words about someone else
    assert not DuplicateSuggestion.objects.exists()


def test_confirm_groups_and_counts_once_reject_is_remembered(client, make_clue, make_cadre, make_user, vocab):
    cadre = make_cadre("CX01", name="李庆庆", post="党工委书记")
    letter = make_clue(cadre=cadre, content=LETTER)
    hotline = make_clue(cadre=cadre, content=HOTLINE, source=vocab["hotline"])
    third = make_clue(cadre=cadre, content=LETTER.replace("10月12日", "11月3日"), source=vocab["letter"])
    client.force_login(make_user("cx", "CX", ["staff"]))
    page = client.get(reverse("clues:duplicates")).content.decode()
    assert letter.number in page and hotline.number in page
    first_pair = DuplicateSuggestion.objects.get(first=letter, second=hotline)
    client.post(reverse("clues:duplicate_confirm", args=[first_pair.pk]))
    letter.refresh_from_db()
    hotline.refresh_from_db()
    assert letter.group_id == hotline.group_id is not None
    # Confirming another pair with a grouped clue joins the same group.
    pair = DuplicateSuggestion.objects.filter(second=third, status="pending").first()
    client.post(reverse("clues:duplicate_confirm", args=[pair.pk]))
    assert set(Clue.objects.values_list("group_id", flat=True)) == {letter.group_id}
    detail = client.get(reverse("clues:detail", args=[letter.pk])).content.decode()
    assert hotline.number in detail and "同一事项的其他来源" in detail
    assert AuditEntry.objects.filter(object_type="clues.cluegroup").count() == 2

    # A rejected pair is never suggested again.
    other = make_clue(cadre=cadre, content=OTHER_MATTER + "也有宏远建设有限公司参与。")
    for suggestion in DuplicateSuggestion.objects.filter(status="pending"):
        client.post(reverse("clues:duplicate_reject", args=[suggestion.pk]))
    from tanhua.clues import duplicates

    assert duplicates.suggest(Clue.objects.get(pk=other.pk)) == []


def test_suggestions_outside_the_scope_are_invisible(client, make_clue, make_cadre, make_user, vocab):
    cadre = make_cadre("SX01B", name="王强")
    make_clue("SX01B", cadre=cadre, content=LETTER.replace("李庆庆", "王强"))
    make_clue("SX01B", cadre=cadre, content=HOTLINE.replace("李庆庆", "王强"), source=vocab["hotline"])
    suggestion = DuplicateSuggestion.objects.get()
    client.force_login(make_user("cx", "CX", ["staff"]))
    assert "王强" not in client.get(reverse("clues:duplicates")).content.decode()
    assert client.post(reverse("clues:duplicate_confirm", args=[suggestion.pk])).status_code == 404
    assert DuplicateSuggestion.objects.get().status == "pending"


def test_leaving_a_group(client, make_clue, make_cadre, make_user, vocab):
    cadre = make_cadre("CX01", name="李庆庆", post="党工委书记")
    letter = make_clue(cadre=cadre, content=LETTER)
    hotline = make_clue(cadre=cadre, content=HOTLINE, source=vocab["hotline"])
    client.force_login(make_user("cx", "CX", ["staff"]))
    client.post(reverse("clues:duplicate_confirm", args=[DuplicateSuggestion.objects.get().pk]))
    client.post(reverse("clues:leave_group", args=[hotline.pk]))
    assert set(Clue.objects.filter(pk__in=[letter.pk, hotline.pk]).values_list("group_id", flat=True)) == {None}


def test_two_reviewers_at_once_the_first_decision_stands(client, make_clue, make_cadre, make_user, vocab):
    cadre = make_cadre("CX01", name="李庆庆", post="党工委书记")
    make_clue(cadre=cadre, content=LETTER)
    make_clue(cadre=cadre, content=HOTLINE, source=vocab["hotline"])
    seen_by_both = DuplicateSuggestion.objects.get()  # both opened the page while it was pending
    first, second = make_user("cx", "CX", ["staff"]), make_user("cx2", "CX", ["staff"])
    duplicates.confirm(first, seen_by_both)
    with pytest.raises(duplicates.AlreadyReviewed, match="已经处理过.已合并."):
        duplicates.reject(second, seen_by_both)  # checked by the service on the locked row
    assert DuplicateSuggestion.objects.get().status == "confirmed"
    client.force_login(second)
    response = client.post(reverse("clues:duplicate_reject", args=[seen_by_both.pk]), follow=True)
    assert "已经处理过" in response.content.decode() and DuplicateSuggestion.objects.get().status == "confirmed"
