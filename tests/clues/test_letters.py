"""The 函询通知书 is issued by the discipline commission that owns the inquiry, never the cadre's unit."""

import datetime

import docx
import pytest

from tanhua.clues import letters, services
from tanhua.registry.models import Unit


def signer(inquiry):
    """The issuer's line above the date at the foot of the letter."""
    paragraphs = [p.text for p in docx.Document(letters.inquiry_letter(inquiry)).paragraphs]
    return paragraphs[-2]


def inquire(clue, user):
    services.dispose(user, clue, disposition="inquiry", reason="问题较具体,先函询")
    return services.issue_inquiry(user, clue, questions="是否接受过企业宴请?")


@pytest.fixture
def commission(tree):
    """The city's commission as the registry keeps it: a unit under 清河市, with an office below it."""
    city_commission = Unit.objects.add_child(tree["QH"], {
        "code": "QH-JW", "name": "中共清河市纪律检查委员会 清河市监察委员会", "short_name": "市纪委监委", "kind": "市直部门"})
    office = Unit.objects.add_child(Unit.objects.get(pk=city_commission.pk), {
        "code": "QH-JW-1", "name": "第一纪检监察室", "kind": "其他"})
    return {"city": city_commission, "office": office}


def test_city_staff_clue_is_signed_by_the_city_commission_not_the_cadres_unit(make_clue, make_cadre, make_user,
                                                                              commission):
    staff = make_user("jiwei", "QH", ["staff"])
    cadre = make_cadre("CZ", name="张振建")
    inquiry = inquire(make_clue("CZ", cadre=cadre, user=staff), staff)
    assert signer(inquiry) == "中共清河市纪律检查委员会 清河市监察委员会"
    assert "清河市财政局" not in signer(inquiry)


def test_a_level_without_its_commission_in_the_registry_is_named_for_it(make_clue, make_cadre, make_user, commission):
    # 城厢区's staff register it: 城厢区's commission owns it, though the registry keeps no unit for it.
    staff = make_user("cx", "CX", ["staff"])
    cadre = make_cadre("CX01B", name="李庆庆")
    inquiry = inquire(make_clue("CX01B", cadre=cadre, user=staff), staff)
    assert signer(inquiry) == "中共清河市城厢区纪律检查委员会"


def test_the_handling_unit_signs_when_it_is_the_commissions_and_never_the_cadres_own(make_clue, make_cadre, make_user,
                                                                                    commission, tree):
    staff = make_user("jiwei", "QH", ["staff"])
    cadre = make_cadre("CZ", name="张振建")
    by_office = inquire(make_clue("CZ", cadre=cadre, user=staff, handling_unit=commission["office"]), staff)
    assert signer(by_office) == "第一纪检监察室"
    # 承办单位 typed as the cadre's own unit: still the commission above it.
    by_own_unit = inquire(make_clue("CZ", cadre=cadre, user=staff, handling_unit=tree["CZ"],
                                    received_on=datetime.date(2026, 11, 3)), staff)
    assert signer(by_own_unit) == "中共清河市纪律检查委员会 清河市监察委员会"


def test_a_clue_with_no_registering_user_goes_up_from_its_unit(make_clue, make_cadre, make_user):
    # No commission unit anywhere, no registering user (an import): the nearest level's commission.
    staff = make_user("jiwei", "QH", ["staff"])
    cadre = make_cadre("CX01B", name="李庆庆")
    inquiry = inquire(make_clue("CX01B", cadre=cadre), staff)
    assert signer(inquiry) == "中共清河市城厢区城厢街道纪律检查工作委员会"
