"""The talk pages as users use them: a whole round through the web, scoping, documents, audit."""

import datetime
import io
import json
import subprocess
import sys

import docx
import pytest
from django.urls import reverse
from django.utils import timezone

from tanhua.audit.models import AuditEntry
from tanhua.talks import draw
from tanhua.talks.models import Draw, Programme, Round, Talk

from .conftest import open_inputs, round_ready

pytestmark = pytest.mark.django_db


def _messages(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_a_round_through_the_web(client, programme, cadres, make_cadre, tmp_path):
    staff, secretary = programme.staff, programme.secretary
    make_cadre("SX", name="对象1", status="退休")  # same name, elsewhere, not eligible
    client.force_login(staff)
    page = client.get(reverse("talks:programme", args=[programme.pk]))
    assert page.status_code == 200 and "勤廉半月谈" in page.content.decode()
    response = client.post(reverse("talks:round_add", args=[programme.pk]), {
        "date": "2026-12-10", "start_time": "09:00", "place": "勤廉文化研究所", "random_count": 4,
        "public_labels": "体育彩票排列5第26330期开奖号码", "members": [secretary.pk]})
    round_ = Round.objects.get(programme=programme)
    assert response.status_code == 302 and response.url == reverse("talks:round", args=[round_.pk])
    response = client.post(reverse("talks:designate", args=[round_.pk]),
                           {"cadre_text": "对象1", "reason": "信访有举报"}, follow=True)
    assert any("有多名叫“对象1”" in m for m in _messages(response))  
    response = client.post(reverse("talks:designate", args=[round_.pk]),
                           {"cadre_text": cadres[1].id_number, "reason": "信访有举报", "clue_numbers": "X-1"}, follow=True)
    assert any("没有这些线索" in m for m in _messages(response))
    client.post(reverse("talks:designate", args=[round_.pk]), {"cadre_text": cadres[1].id_number, "reason": "信访有举报"})
    assert round_.designations.get().cadre == cadres[1]
    response = client.post(reverse("talks:freeze", args=[round_.pk]), follow=True)
    assert any("尚未登记承诺值" in m for m in _messages(response))
    slot = round_.inputs.get(kind="member")
    # Only the member commits to their own slot; staff cannot do it for them.
    response = client.post(reverse("talks:commit", args=[round_.pk, slot.pk]), {"value": "我的秘密值2026"}, follow=True)
    assert any("本人" in m for m in _messages(response))
    client.force_login(secretary)
    client.post(reverse("talks:commit", args=[round_.pk, slot.pk]), {"value": "我的秘密值2026"})
    slot.refresh_from_db()
    assert slot.commitment == draw.commitment("我的秘密值2026")
    # A leader takes part but does not run the draw.
    assert client.post(reverse("talks:freeze", args=[round_.pk])).status_code == 403
    client.force_login(staff)
    client.post(reverse("talks:freeze", args=[round_.pk]))
    round_.refresh_from_db()
    assert round_.status == "frozen"
    page = client.get(reverse("talks:round", args=[round_.pk])).content.decode()
    assert round_.draw.pool_hash in page and "0.3636" in page  # 4 of 11 each
    client.post(reverse("talks:reveal", args=[round_.pk, round_.inputs.get(kind="public").pk]), {"value": "3 8 0 5 2"})
    response = client.post(reverse("talks:draw_now", args=[round_.pk]), follow=True)
    assert any("尚未公布" in m for m in _messages(response))
    client.force_login(secretary)
    response = client.post(reverse("talks:reveal", args=[round_.pk, slot.pk]), {"value": "不对的值"}, follow=True)
    assert any("不符" in m for m in _messages(response))
    client.post(reverse("talks:reveal", args=[round_.pk, slot.pk]), {"value": "我的秘密值2026"})
    client.force_login(staff)
    response = client.post(reverse("talks:draw_now", args=[round_.pk]), follow=True)
    assert any("抽取完成" in m for m in _messages(response))
    drawn = Draw.objects.get(round=round_)
    page = client.get(reverse("talks:draw", args=[drawn.pk])).content.decode()
    assert drawn.seed in page and "verify_draw.py" in page
    exported = client.get(reverse("talks:draw_record", args=[drawn.pk]))
    path = tmp_path / "draw.json"
    path.write_bytes(exported.content)
    script = tmp_path / "verify_draw.py"
    script.write_bytes(b"".join(client.get(reverse("talks:verifier")).streaming_content))
    result = subprocess.run([sys.executable, str(script), str(path)], capture_output=True, text=True, check=False)
    assert result.returncode == 0 and "校验通过" in result.stdout, result
    assert json.loads(exported.content)["selected"] == drawn.selected
    assert AuditEntry.objects.filter(action="download", object_type="talks.draw").count() == 1
    talk = Talk.objects.filter(round=round_, origin="designated").get()
    notice = client.get(reverse("talks:notice", args=[talk.pk]))
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(b"".join(notice.streaming_content))).paragraphs)
    assert "谈话通知书" in text and "对象1同志" in text and "2026年12月10日" in text and "勤廉文化研究所" in text
    assert "每天的工作安排" in text and "2026年12月7日" in text
    talk.refresh_from_db()
    assert talk.status == "planned"  # downloading is not sending (tests/talks/test_notice.py)
    Talk.objects.filter(pk=talk.pk).update(starts_at=timezone.now() + datetime.timedelta(days=7))  # still to come
    client.post(reverse("talks:send_notice", args=[talk.pk]))
    talk.refresh_from_db()
    assert talk.status == "notified" and AuditEntry.objects.filter(action="notify").count() == 1
    calendar = client.get(reverse("talks:calendar"), {"month": "2026-12"}).content.decode()
    assert "勤廉半月谈第1批" in calendar and "对象1" in calendar


def test_subject_sees_only_their_own_talks(client, programme, cadres, make_user):
    round_ = round_ready(programme)
    from tanhua.talks import services

    services.designate(programme.staff, round_, cadre=cadres[1], reason="舆情")
    services.freeze(programme.staff, round_)
    open_inputs(round_)
    services.perform_draw(programme.staff, round_)
    mine = Talk.objects.get(cadre=cadres[1])
    other = Talk.objects.exclude(cadre=cadres[1]).first()
    subject = make_user("subject", "CX01", ["cadre"], cadre=cadres[1])
    client.force_login(subject)
    page = client.get(reverse("talks:my_talks")).content.decode()
    assert "2026年12月10日" in page and "2026年12月7日" in page  # the talk and its report's due date
    assert client.get(reverse("talks:my_talk", args=[mine.pk])).status_code == 200
    assert client.get(reverse("talks:my_talk", args=[other.pk])).status_code == 404
    assert client.get(reverse("talks:talk", args=[other.pk])).status_code == 404
    assert client.get(reverse("talks:round", args=[round_.pk])).status_code == 404
    notice = client.get(reverse("talks:my_talk_notice", args=[mine.pk]))
    assert notice.status_code == 200
    assert Talk.objects.get(pk=mine.pk).status == "planned"  # the subject's download is not the office's notice


def test_a_districts_programmes_are_invisible_to_another(client, tree, make_user, programme):
    from tanhua.talks import services

    cx_staff = make_user("cx-staff", "CX", ["staff"])
    sx_staff = make_user("sx-staff", "SX", ["staff"])
    cx = services.create_programme(cx_staff, unit=tree["CX"], name="城厢区半月谈", kind="half_month")
    client.force_login(sx_staff)
    city = reverse("talks:programme", args=[programme.pk])
    listed = client.get(reverse("talks:programmes")).content.decode()
    assert "城厢区半月谈" not in listed and city not in listed
    assert client.get(reverse("talks:programme", args=[cx.pk])).status_code == 404
    client.force_login(cx_staff)
    listed = client.get(reverse("talks:programmes")).content.decode()
    assert "城厢区半月谈" in listed and city not in listed  # the city's is above the district


def test_programme_form_checks_members_and_agenda(client, tree, make_user):
    staff = make_user("staff2", "QH", ["staff"])
    client.force_login(staff)
    data = {"unit": tree["QH"].pk, "name": "党建约谈", "kind": "party_building", "cadence": "monthly",
            "subject_type": "unit", "random_count": 3, "designated_count": 1, "weighting": "none",
            "weight_cap_months": 24, "lead_rule": "fixed", "report_kind": "unit_party", "report_due_days": 3,
            "rectification_days": 60, "exclude_talked_months": 0, "active_only": "on", "is_active": "on",
            "members_text": "市委|书记|李书记|nobody\n|组织部长|", "agenda_text": "汇报基层党建工作|20\n提问|abc"}
    page = client.post(reverse("talks:programme_add"), data).content.decode()
    assert "第1行:没有用户名为“nobody”的可用用户" in page and "第2行:缺少姓名" in page
    assert "第2行:分钟数应为 1 到 480 的整数" in page
    data.update(members_text="市委|书记|李书记|staff2\n市委组织部|部长|王部长", agenda_text="汇报基层党建工作|20\n提问、提要求|40",
                unit_kinds=["市直部门", "镇街"])
    response = client.post(reverse("talks:programme_add"), data)
    made = Programme.objects.get(name="党建约谈")
    assert response.status_code == 302 and made.talk_minutes == 60 and made.unit_kinds == ["市直部门", "镇街"]
    assert [m.name for m in made.members.all()] == ["李书记", "王部长"] and made.members.first().user == staff
    assert AuditEntry.objects.filter(action="create", object_type="talks.programme").exists()


def test_list_query_counts_stay_flat(client, programme, cadres):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(programme.staff)
    client.get(reverse("talks:programmes"))  # the session's first request writes its idle stamp

    def count(name):
        # The calendar at the month the rounds are in: a month without data proves nothing.
        params = {"month": "2026-06"} if name == "talks:calendar" else {}
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(name), params).status_code == 200
        return len(captured)

    def talks_in_june():
        return client.get(reverse("talks:calendar"), {"month": "2026-06"}).content.decode().count("/talks/talks/")

    first = round_ready(programme, datetime.date(2026, 6, 10))
    from tanhua.talks import services

    services.freeze(programme.staff, first)
    open_inputs(first)
    services.perform_draw(programme.staff, first)
    before = {name: count(name) for name in ("talks:programmes", "talks:talks", "talks:calendar")}
    shown = talks_in_june()
    assert shown >= 4
    for day in (17, 24):
        more = round_ready(programme, datetime.date(2026, 6, day))
        services.freeze(programme.staff, more)
        open_inputs(more)
        services.perform_draw(programme.staff, more)
    assert talks_in_june() >= 3 * shown
    assert {name: count(name) for name in before} == before


def test_each_role_starts_where_its_work_is(client, make_user, cadres):
    for username, role, cadre, landing in [("a-staff", "staff", None, "registry:roster"),
                                           ("a-leader", "leader", cadres[2], "talks:talks"),
                                           ("a-cadre", "cadre", cadres[3], "talks:my_talks")]:
        client.force_login(make_user(username, "CX", [role], cadre=cadre))
        assert client.get(reverse("home")).url == reverse(landing)


def test_programme_form_checks_the_day_and_the_contact(client, tree, make_user):
    staff = make_user("staff3", "QH", ["staff"])
    client.force_login(staff)
    data = {"unit": tree["QH"].pk, "name": "廉政谈话", "kind": "integrity", "cadence": "ad_hoc",
            "subject_type": "cadre", "random_count": 3, "designated_count": 1, "weighting": "none",
            "weight_cap_months": 24, "lead_rule": "fixed", "report_kind": "none", "report_due_days": 3,
            "rectification_days": 60, "exclude_talked_months": 0, "active_only": "on", "is_active": "on",
            "members_text": "", "agenda_text": "汇报|20", "morning_end": "14:30", "afternoon_start": "12:00",
            "day_end": "17:30", "contact_name": "周立新", "contact_phone": "0512-5351 2345 转 8001; 请找我"}
    page = client.post(reverse("talks:programme_add"), data).content.decode()
    assert "上午结束时间须早于下午开始时间" in page and "联系电话只能包含数字" in page
    assert not Programme.objects.filter(name="廉政谈话").exists()
    data.update(morning_end="11:30", afternoon_start="14:00", day_end="17:00", contact_phone="(0512) 5351-2345 转 8001")
    assert client.post(reverse("talks:programme_add"), data).status_code == 302
    made = Programme.objects.get(name="廉政谈话")
    assert (made.morning_end, made.afternoon_start, made.day_end) == (
        datetime.time(11, 30), datetime.time(14), datetime.time(17))
    assert (made.contact_name, made.contact_phone) == ("周立新", "(0512) 5351-2345 转 8001")
    assert 'type="time"' in client.get(reverse("talks:programme_edit", args=[made.pk])).content.decode()
