import datetime

import pytest

from tanhua.rectification import services
from tanhua.rectification.models import Item
from tests.talks.conftest import cadres, programme, talk  # noqa: F401  (a drawn round's talk, for items from talks)


@pytest.fixture
def people(tree, make_user, make_cadre):
    """A town's party secretary (the owner, with their own login), the talker, staff."""
    owner_cadre = make_cadre("CX01", name="街道书记", is_unit_head=True)
    return {
        "owner": make_user("owner", "CX01", ["cadre"], cadre=owner_cadre),
        "leader": make_user("leader", "QH", ["leader"]),
        "staff": make_user("staff", "CX", ["staff"]),
        "outsider": make_user("outsider", "SX", ["staff"]),
        "tree": tree,
    }


@pytest.fixture
def item(people):
    return services.create_item(
        people["staff"], unit=people["tree"]["CX01"], origin=Item.Origin.PROBLEM, problem="公车私用问题多发",
        measures="建立公车使用台账,每月通报", owner=people["owner"], leader=people["leader"],
        start_on=datetime.date(2026, 11, 1), due_on=datetime.date(2026, 12, 31))
