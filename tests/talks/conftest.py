import datetime

import pytest

from tanhua.talks import services
from tanhua.talks.models import Kind


@pytest.fixture
def programme(tree, make_user):
    """清河市's 勤廉半月谈: 4 drawn + 1 designated, 副科级以上, group of two with users."""
    secretary = make_user("shuji", "QH", ["leader"])
    discipline = make_user("jiwei_shuji", "QH", ["leader"])
    staff = make_user("staff", "QH", ["staff"])
    programme = services.create_programme(
        staff, unit=tree["QH"], name="勤廉半月谈", kind=Kind.HALF_MONTH, cadence="bimonthly", min_rank_level=10,
        random_count=4, designated_count=1, head_lead=secretary, other_lead=discipline,
        agenda=[{"title": "汇报", "minutes": 20}, {"title": "提问交流", "minutes": 40}],
        report_kind="half_month", members=[
            {"user": secretary, "name": "市委书记", "body": "市委", "title": "书记"},
            {"user": discipline, "name": "纪委书记", "body": "市纪委监委", "title": "书记"},
            {"name": "人大代表", "body": "市人大"},
        ],
    )
    programme.staff, programme.secretary, programme.discipline = staff, secretary, discipline
    return programme


@pytest.fixture
def cadres(make_cadre):
    made = [make_cadre(code, name=f"对象{n}") for n, code in enumerate(["CX", "CX01", "SX", "CZ", "CX01B", "SX01B"] * 2)]
    made[0].is_unit_head = True
    made[0].save()
    return made


# A day before every run of the suite: a talk held on it can have its record written.
TALK_DAY = datetime.date(2026, 11, 10)


def round_ready(programme, date=datetime.date(2026, 12, 10)):
    """A round with one public number and both group members' commitments."""
    round_ = services.create_round(programme.staff, programme, date=date, place="勤廉文化研究所",
                                   public_labels=["体育彩票排列5 第26330期开奖号码"],
                                   member_users=[programme.secretary, programme.discipline])
    for slot in round_.inputs.filter(kind="member"):
        services.commit(slot.member, slot, value=f"秘密值-{slot.member.username}")
    return round_


def open_inputs(round_):
    for slot in round_.inputs.exclude(kind="server"):
        if slot.kind == "public":
            services.enter_public(round_.programme.staff, slot, "3 8 0 5 2")
        else:
            services.reveal(slot.member, slot, f"秘密值-{slot.member.username}")


@pytest.fixture
def talk(programme, cadres):
    """The designated talk of a drawn round on TALK_DAY (the subject is cadres[1], in 城厢街道)."""
    round_ = round_ready(programme, TALK_DAY)
    services.designate(programme.staff, round_, cadre=cadres[1], reason="信访举报")
    services.freeze(programme.staff, round_)
    open_inputs(round_)
    services.perform_draw(programme.staff, round_)
    return round_.talks.get(cadre=cadres[1])
