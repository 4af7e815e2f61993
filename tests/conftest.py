import datetime

import openpyxl
import pytest
from django.utils import timezone

from tanhua.accounts.models import Role
from tanhua.accounts.roles import seed_roles
from tanhua.registry.models import Cadre, PostHistory, Rank, Unit
from tanhua.registry.parsing import id_check_digit
from tanhua.registry.ranks import load_ranks

PASSWORD = "Pass@12345"


@pytest.fixture(autouse=True)
def _plain_static_storage(settings, tmp_path):
    # Tests render templates without running collectstatic; uploads go to a temp dir.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    settings.UPLOAD_DIR = tmp_path / "uploads"
    settings.EXPORT_DIR = tmp_path / "exports"
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(tmp_path / "cache")}
    }


@pytest.fixture
def tree(db):
    """清河市 with two districts (one with two towns) and a department."""
    # A transactional test before this one flushed the rows the data migration wrote.
    load_ranks(Rank)
    def add(parent_code, code, name, kind, short_name=""):
        fields = {"code": code, "name": name, "kind": kind, "short_name": short_name}
        if parent_code is None:
            return Unit.objects.add_root(fields)
        return Unit.objects.add_child(Unit.objects.get(code=parent_code), fields)

    add(None, "QH", "清河市", "市")
    add("QH", "CX", "城厢区", "县区")
    add("CX", "CX01", "城厢街道", "镇街")
    add("CX01", "CX01B", "党政办公室", "其他")
    add("QH", "SX", "沙溪县", "县区")
    add("SX", "SX01B", "党政办公室", "其他")
    add("QH", "CZ", "清河市财政局", "市直部门", short_name="市财政局")
    return {u.code: u for u in Unit.objects.all()}


def make_id(n, birth=datetime.date(1975, 3, 1), region="320585"):
    """A valid, unique ID number for each n (the birth date moves on every 1,000)."""
    birth += datetime.timedelta(days=n // 1000)
    first17 = f"{region}{birth:%Y%m%d}{n % 1000:03d}"
    return first17 + id_check_digit(first17)


@pytest.fixture
def make_cadre(tree):
    counter = iter(range(1, 100000))

    def make(unit_code="CX", **fields):
        n = next(counter)
        fields.setdefault("name", f"干部{n}")
        fields.setdefault("id_number", make_id(n, birth=datetime.date(1970 + n % 20, 1 + n % 12, 1 + n % 28)))
        fields.setdefault("rank", Rank.objects.get(name="副科级"))
        fields.setdefault("post", "副主任")
        cadre = Cadre.objects.create(unit=tree[unit_code], **fields)
        PostHistory.objects.create(cadre=cadre, unit=cadre.unit, unit_name=cadre.unit.name, post=cadre.post, rank=cadre.rank, start=cadre.post_since)
        return cadre

    return make


@pytest.fixture
def roles(db):
    """The default roles by code (seeded again where a transactional test flushed them)."""
    seed_roles()
    return {role.code: role for role in Role.objects.all()}


@pytest.fixture
def make_user(django_user_model, tree, roles):
    """A user with the given roles (default: 纪委工作人员 and 组织部, i.e. the whole registry)."""

    def make(username="user", unit_code=None, role_codes=("staff", "organization"), *, cadre=None,
             password_changed=True):
        unit = tree[unit_code] if unit_code else None
        user = django_user_model.objects.create_user(
            username, "", PASSWORD, unit=unit, full_name=username, cadre=cadre,
            password_changed_at=timezone.now() if password_changed else None,
        )
        user.roles.set(Role.objects.filter(code__in=role_codes))
        return user

    return make


def write_xlsx(path, rows):
    """A workbook whose first sheet holds ``rows`` (lists of cell values) from A1."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def assert_cadre_copies_in_step():
    """Cadre.unit_path and rank_order must equal what they copy (see Cadre's docstring)."""
    from django.db.models import F

    assert not Cadre.objects.exclude(unit_path=F("unit__path")).exists()
    assert not Cadre.objects.exclude(rank_order=F("rank__order")).exists()
