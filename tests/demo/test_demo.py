import datetime
import itertools
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from tanhua.accounts.models import Role, User
from tanhua.accounts.scope import scope_queryset
from tanhua.demo.city import DEMO_PASSWORD, DemoError, generate_city, load_demo
from tanhua.registry.models import Cadre, CadreStatus, PostHistory, Unit, UnitKind
from tanhua.registry.parsing import parse_id_number
from tanhua.registry.selectors import years_ago
from tests.conftest import assert_cadre_copies_in_step

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo():
    return load_demo(2026)


def roster():
    return list(Cadre.objects.order_by("id").values_list("name", "id_number"))


def test_city_shape(demo):
    total = Cadre.objects.count()
    assert 550 <= total <= 700
    assert demo["cadres"] == total
    kinds = dict(Unit.objects.order_by().values_list("kind").annotate(n=Count("id")))
    assert kinds[UnitKind.CITY] == 1
    assert kinds[UnitKind.COUNTY] >= 4
    assert kinds[UnitKind.DEPARTMENT] >= 30
    assert kinds[UnitKind.SOE] >= 2
    assert kinds[UnitKind.SCHOOL] >= 1 and kinds[UnitKind.HOSPITAL] >= 1
    assert Unit.objects.find_problems() == ([], [], [], [], [])
    root = Unit.objects.get(code="QH")
    assert root.depth == 1 and root.name == "清河市"
    for county in Unit.objects.filter(kind=UnitKind.COUNTY):
        assert 3 <= Unit.objects.get_children(county).filter(kind=UnitKind.TOWN).count() <= 5

    finance = Unit.objects.get(short_name="市财政局")
    assert "资金密集" in finance.tags.values_list("name", flat=True)
    land = Unit.objects.get(short_name="市自然资源和规划局")
    assert {"权力集中", "资金密集"} <= set(land.tags.values_list("name", flat=True))
    contacts = Unit.objects.filter(contact_leader__isnull=False)
    assert contacts.count() >= 5
    assert set(contacts.values_list("contact_leader__unit__code", flat=True)) <= {"QH", "QH-JW"}

    heads = Cadre.objects.filter(is_unit_head=True)
    assert heads.count() == Unit.objects.count()
    assert heads.values("unit").distinct().count() == Unit.objects.count()
    assert not heads.filter(is_party_gov_head=False).exists()
    assert Cadre.objects.filter(is_party_gov_head=True, is_unit_head=False).exists()

    long_serving = Cadre.objects.filter(post_since__lte=years_ago(5)).count()
    assert 0.08 * total <= long_serving <= 0.25 * total
    assert Cadre.objects.filter(post_since__gt=years_ago(1)).exists()
    sensitive = Cadre.objects.exclude(sensitive_post="").count()
    assert 0.05 * total <= sensitive <= 0.2 * total
    assert Cadre.objects.filter(status=CadreStatus.RETIRED).exists()
    assert Cadre.objects.filter(status=CadreStatus.TRANSFERRED).exists()
    assert Cadre.objects.filter(rank__track="职级").exists()


def test_post_history_and_id_numbers(demo):
    assert_cadre_copies_in_step()
    cadres = list(Cadre.objects.prefetch_related("posts"))
    assert PostHistory.objects.filter(end__isnull=True).count() == len(cadres)
    for cadre in cadres:
        posts = sorted(cadre.posts.all(), key=lambda p: p.start)
        current = [p for p in posts if p.end is None]
        assert len(current) == 1
        assert posts[-1] is current[0]
        now = current[0]
        assert (now.unit_id, now.post, now.rank_id, now.start) == (cadre.unit_id, cadre.post, cadre.rank_id, cadre.post_since)
        assert 1 <= len(posts) - 1 <= 4
        for earlier, later in itertools.pairwise(posts):
            assert earlier.start < earlier.end <= later.start
        assert cadre.rank_since <= cadre.post_since
        assert cadre.work_start_date <= posts[0].start

        number = parse_id_number(cadre.id_number)
        assert number[6:14] == cadre.birth_date.strftime("%Y%m%d")
        assert datetime.date(1965, 1, 1) <= cadre.birth_date <= datetime.date(1990, 12, 31)
        assert (int(number[16]) % 2 == 1) == (cadre.gender == "男")
        assert cadre.phone[:2] in ("13", "15", "18") and len(cadre.phone) == 11


def test_same_seed_same_city_other_seed_other_city():
    today = datetime.date(2026, 3, 1)
    assert generate_city(5, today) == generate_city(5, today)

    load_demo(2026)
    first = roster()
    units = list(Unit.objects.order_by("path").values_list("path", "code", "name"))
    load_demo(2026, force=True)
    assert roster() == first
    assert list(Unit.objects.order_by("path").values_list("path", "code", "name")) == units
    load_demo(2027, force=True)
    assert roster() != first


def test_refuses_to_run_twice(demo):
    before = roster()
    with pytest.raises(DemoError, match="数据库中已有数据"):
        load_demo(2026)
    with pytest.raises(CommandError, match="数据库中已有数据"):
        call_command("demo", stdout=StringIO())
    assert roster() == before


def test_force_keeps_other_users_units(demo):
    User.objects.create_user("someone", password="x", unit=Unit.objects.get(code="QH-SX"))
    with pytest.raises(DemoError, match="someone"):
        load_demo(2026, force=True)
    assert Unit.objects.filter(code="QH-SX").exists()


def test_district_user_sees_only_their_district(demo):
    district = Unit.objects.get(code="QH-CX")
    user = User.objects.get(username="chengxiang")
    assert user.check_password(DEMO_PASSWORD) and user.unit == district and user.full_name
    visible = scope_queryset(Cadre.objects.all(), user)
    in_district = Cadre.objects.filter(unit__path__startswith=district.path)
    assert 0 < visible.count() == in_district.count() < Cadre.objects.count()
    assert not visible.exclude(unit__path__startswith=district.path).exists()
    assert not visible.filter(unit__code="QH-SX").exists()

    city_user = User.objects.get(username="jiwei")
    assert city_user.unit.code == "QH" and not city_user.is_superuser
    assert scope_queryset(Cadre.objects.all(), city_user).count() == Cadre.objects.count()
    admin = User.objects.get(username="admin")
    assert not admin.is_superuser and admin.unit is None and admin.check_password(DEMO_PASSWORD)
    # Users and settings, no case data: no roster permission, even though the scope is everything.
    assert admin.has_perm("accounts.change") and not admin.has_perm("registry.view")


def test_every_role_has_a_demo_login(demo):
    users = {u.username: u for u in User.objects.prefetch_related("roles")}
    codes = {r.code for u in users.values() for r in u.roles.all()}
    assert codes == {r.code for r in Role.objects.all()}
    assert all(u.password_changed_at for u in users.values())  # nobody is stopped by a forced change
    leader, cadre = users["tanhua"], users["ganbu"]
    assert "纪委书记" in leader.cadre.post and leader.full_name == leader.cadre.name
    assert cadre.cadre.is_unit_head and cadre.cadre.unit.path.startswith(Unit.objects.get(code="QH-CX").path)
    # 仅本人: the cadre sees their own record and nobody else's.
    assert list(scope_queryset(Cadre.objects.all(), cadre)) == [cadre.cadre]


def test_demo_command_prints_summary_and_logins():
    out = StringIO()
    call_command("demo", seed=3, stdout=out)
    text = out.getvalue()
    assert "清河市" in text and f"干部 {Cadre.objects.count()} 名" in text
    for username in ("admin", "jiwei", "chengxiang", "xinfang", "zuzhi", "shenji", "tanhua", "ganbu"):
        assert username in text
    assert DEMO_PASSWORD in text
    out = StringIO()
    call_command("demo", logins=True, stdout=out)
    assert "shenji" in out.getvalue() and "审计员" in out.getvalue()


def test_gen_bench():
    out = StringIO()
    call_command("gen_bench", cadres=2000, seed=1, stdout=out)
    assert "2000 名干部" in out.getvalue()
    assert Cadre.objects.count() == 2000
    assert_cadre_copies_in_step()
    assert PostHistory.objects.filter(end__isnull=True).values("cadre").distinct().count() == 2000
    assert 25 <= Unit.objects.count() <= 40
    assert Unit.objects.find_problems() == ([], [], [], [], [])
    assert set(Unit.objects.values_list("depth", flat=True)) == {1, 2, 3, 4}
    assert Cadre.objects.filter(is_unit_head=True).count() == Unit.objects.count()
    for number in Cadre.objects.values_list("id_number", flat=True):
        parse_id_number(number)
    assert Cadre.objects.filter(post_since__lte=years_ago(5)).count() > 100
    assert Cadre.objects.exclude(sensitive_post="").count() > 100

    # The ORM keeps working after the explicit ids (PostgreSQL sequences were reset).
    cadre = Cadre.objects.first()
    PostHistory.objects.create(cadre=cadre, unit_name="x", post="y")
    Cadre.objects.create(name="新人", id_number="11010519491231002X", unit=cadre.unit, rank=cadre.rank)

    with pytest.raises(CommandError, match="已有"):
        call_command("gen_bench", cadres=100, stdout=StringIO())
    call_command("gen_bench", cadres=300, seed=2, force=True, stdout=StringIO())
    assert Cadre.objects.count() == 300


def test_demo_clues_show_every_stage(demo):
    from tanhua.clues.models import Clue, Inquiry
    from tanhua.clues.selectors import with_light

    lights = set(with_light(Clue.objects.all()).values_list("light_rank", flat=True))
    assert lights == {0, 1, 2, 3}  # red, yellow, green and closed clues
    assert set(Clue.objects.values_list("disposition", flat=True)) == {"", "inquiry", "verify", "shelve", "close",
                                                                        "case"}
    assert Clue.objects.filter(source__name="12345热线").exists()
    assert Clue.objects.filter(cadre__isnull=True).exists()  # some name a unit only
    assert Clue.objects.exclude(outcome_form=None).exists()
    # Repeats through the hotline were noticed: some confirmed into groups, some waiting for review.
    from tanhua.clues.models import DuplicateSuggestion

    statuses = set(DuplicateSuggestion.objects.values_list("status", flat=True))
    assert statuses == {"confirmed", "pending"}
    assert Clue.objects.filter(group__isnull=False).count() >= 2
    # The demo cadre has a written inquiry waiting for their reply.
    ganbu = User.objects.get(username="ganbu")
    waiting = Inquiry.objects.get(clue__cadre=ganbu.cadre)
    assert waiting.issued_at and not waiting.replied_at
    # Reporters are sealed; anonymous ones have nothing stored.
    named = Clue.objects.filter(reporter_anonymous=False).first()
    assert named.reporter_name_sealed.startswith("v1:") and named.reporter_name()
    assert not Clue.objects.filter(reporter_anonymous=True).exclude(reporter_name_sealed="").exists()


def test_no_demo_draw_holds_a_talker_and_each_shows_its_exclusions(demo):
    from tanhua.talks.models import Draw, Member

    draws = list(Draw.objects.select_related("programme"))
    assert draws
    for frozen in draws:
        members = list(Member.objects.filter(programme=frozen.programme).select_related("cadre", "user__cadre"))
        cadres = {(m.cadre or getattr(m.user, "cadre", None)) for m in members} - {None}
        assert cadres, frozen
        barred = ({c.unit_id for c in cadres} if frozen.programme.subject_type == "unit" else {c.pk for c in cadres})
        assert not barred & set(frozen.pool), frozen
        assert frozen.excluded, frozen  # the demo shows the rule at work in every round


def test_nothing_in_the_demo_happened_after_today(demo):
    from django.utils import timezone

    from tanhua.clues.models import Clue
    from tanhua.rectification.models import FollowUp, ItemEvent
    from tanhua.talks.models import Draw, DrawInput, Talk, TalkEvent, TalkRecord, TalkReport

    now, today = timezone.now(), timezone.localdate()
    moments = {
        "frozen": Draw.objects.filter(frozen_at__gt=now), "drawn": Draw.objects.filter(drawn_at__gt=now),
        "published": Draw.objects.filter(published_at__gt=now),
        "committed": DrawInput.objects.filter(committed_at__gt=now), "entered": DrawInput.objects.filter(entered_at__gt=now),
        "notified": Talk.objects.filter(notified_at__gt=now), "talk events": TalkEvent.objects.filter(time__gt=now),
        "held": TalkRecord.objects.filter(held_on__gt=today), "reported": TalkReport.objects.filter(submitted_at__gt=now),
        "received": Clue.objects.filter(received_on__gt=today), "visited": FollowUp.objects.filter(done_on__gt=today),
        "item events": ItemEvent.objects.filter(time__gt=now),
    }
    assert {name: qs.count() for name, qs in moments.items() if qs.exists()} == {}
