import datetime

import openpyxl
import pytest
from django.utils import timezone

from tanhua.accounts.models import Role
from tanhua.accounts.roles import seed_roles
from tanhua.clues import services as clue_services
from tanhua.clues.models import Category, Source
from tanhua.clues.vocabulary import seed as seed_vocabulary
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
    settings.CLUE_FILE_DIR = tmp_path / "clue-files"
    settings.RECTIFICATION_FILE_DIR = tmp_path / "rectification-files"
    settings.TANHUA_DOC_TEMPLATE_DIR = str(tmp_path / "doc-templates")
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
@pytest.fixture
def vocab(db):
    seed_vocabulary(Source, Category)  # again where a transactional test flushed the migration's rows
    return {
        "letter": Source.objects.get(name="来信"),
        "hotline": Source.objects.get(name="12345热线"),
        "clean": Category.objects.get(name="廉洁纪律"),
        "luxury": Category.objects.get(name="奢靡之风"),
    }


@pytest.fixture
def make_clue(tree, vocab):
    def make(unit_code="CX01", cadre=None, user=None, **fields):
        fields.setdefault("source", vocab["letter"])
        fields.setdefault("category", vocab["clean"])
        fields.setdefault("received_on", datetime.date(2026, 11, 2))
        fields.setdefault("summary", "违规接受管理服务对象宴请")
        fields.setdefault("content", "反映该同志多次在周末接受辖区企业老板宴请,地点在城郊农家乐。")
        return clue_services.register_clue(user, unit=tree[unit_code] if unit_code else None, cadre=cadre, **fields)

    return make


@pytest.fixture
def make_inquiry(settings):
    """A clue's inquiry, issued, with a reply file and an attachment on the clue."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    def make(clue):
        clue_services.add_attachment(None, clue, SimpleUploadedFile("材料.pdf", b"%PDF-1.4"))
        inquiry = clue_services.issue_inquiry(None, clue, questions="请说明有关情况。")
        settings.CLUE_FILE_DIR.mkdir(parents=True, exist_ok=True)
        inquiry.reply_file, inquiry.reply_file_name = "reply-" + str(inquiry.pk), "说明.pdf"
        (settings.CLUE_FILE_DIR / inquiry.reply_file).write_bytes(b"%PDF-1.4")
        inquiry.save()
        return inquiry

    return make
