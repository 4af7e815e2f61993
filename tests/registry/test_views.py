import hashlib

"""The roster pages as a logged-in user sees them, scoped to their unit."""

import datetime
import io
import zipfile

import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tanhua.audit.models import AuditEntry
from tanhua.registry.models import Cadre, ExportJob, ImportJob, Rank
from tanhua.registry.tasks import get_progress
from tests.conftest import make_id, write_xlsx

from .test_roster_import import HEADER, row

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, make_user):
    """A district user: sees 城厢区 and below only."""
    user = make_user("cx", "CX")
    client.force_login(user)
    return user


def _names(response):
    return {c.name for c in response.context["page"]}


def test_login_required(client, tree):
    response = client.get(reverse("registry:roster"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert "用户登录" in client.get(reverse("login")).content.decode()


def test_login_page_logs_in(client, make_user):
    make_user("cx", "CX")
    response = client.post(reverse("login"), {"username": "cx", "password": "Pass@12345"})
    assert response.status_code == 302
    assert client.get(reverse("registry:roster")).status_code == 200


def test_district_user_sees_only_the_district(client, staff, make_cadre, tree):
    make_cadre("CX", name="区里干部")
    make_cadre("CX01B", name="街道干部")
    outside = make_cadre("SX", name="外县干部")
    make_cadre("CZ", name="市局干部")
    response = client.get(reverse("registry:roster"))
    assert _names(response) == {"区里干部", "街道干部"}
    html = response.content.decode()
    assert "城厢街道" in html and "沙溪县" not in html and "清河市财政局" not in html  # tree is scoped too
    # Outside the scope a cadre does not exist: 404 on the profile, absent from filters and exports.
    assert client.get(reverse("registry:cadre", args=[outside.pk])).status_code == 404
    assert _names(client.get(reverse("registry:roster"), {"unit": tree["SX"].pk})) == {"区里干部", "街道干部"}
    assert _names(client.get(reverse("registry:roster"), {"q": "外县"})) == set()
    export = client.get(reverse("registry:export"))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    assert {r[0] for r in sheet.iter_rows(min_row=3, values_only=True)} == {"区里干部", "街道干部"}
    entry = AuditEntry.objects.get(action="export")
    assert entry.summary["rows"] == 2 and entry.object_type == "registry.cadre"


def test_user_without_unit_sees_nothing(client, make_user, make_cadre):
    make_cadre("CX")
    client.force_login(make_user("nobody"))
    assert _names(client.get(reverse("registry:roster"))) == set()


def test_filters(client, make_user, make_cadre, tree):
    client.force_login(make_user("admin", "QH"))
    zheng = Rank.objects.get(name="正处级")
    head = make_cadre("CZ", name="一把手", rank=zheng, is_unit_head=True, is_party_gov_head=True,
                      post_since="2015-03-01")
    make_cadre("CZ", name="副职", rank=Rank.objects.get(name="四级调研员"), post_since="2023-01-01",
               sensitive_post="资金管理")
    make_cadre("CX01B", name="科员级", rank=Rank.objects.get(name="三级主任科员"), post_since="2024-01-01")
    make_cadre("CX01B", name="退休的", status="退休")
    url = reverse("registry:roster")
    assert _names(client.get(url)) == {"一把手", "副职", "科员级"}  # serving cadres by default
    assert _names(client.get(url, {"filtered": 1, "status": ""})) == {"一把手", "副职", "科员级", "退休的"}
    assert _names(client.get(url, {"unit_head": "on"})) == {"一把手"}
    assert _names(client.get(url, {"party_gov_head": "on"})) == {"一把手"}
    assert _names(client.get(url, {"min_years": 5})) == {"一把手"}
    assert _names(client.get(url, {"min_level": 30})) == {"一把手", "副职"}  # 副处级以上 incl. 四级调研员
    assert _names(client.get(url, {"rank": zheng.pk})) == {"一把手"}
    assert _names(client.get(url, {"sensitive": "any"})) == {"副职"}
    assert _names(client.get(url, {"q": "把手"})) == {"一把手"}
    assert _names(client.get(url, {"q": head.id_number})) == {"一把手"}
    assert _names(client.get(url, {"unit": tree["CX"].pk})) == {"科员级"}
    assert _names(client.get(url, {"unit": tree["CX"].pk, "filtered": 1, "status": "在职"})) == set()  # subtree off
    # A bad value in one field is dropped, the others still apply.
    assert _names(client.get(url, {"min_years": "abc", "unit_head": "on"})) == {"一把手"}


def test_roster_query_count_does_not_grow_with_rows(client, staff, make_cadre):
    for _ in range(3):
        make_cadre("CX01B")
    client.get(reverse("registry:roster"))  # the session's first request records when it was seen
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("registry:roster")).status_code == 200
    for _ in range(40):
        make_cadre("CX01B", sensitive_post="审计", is_unit_head=True)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("registry:roster"))
    assert len(response.context["page"]) == 43
    # Session, user, second-factor check, roles, scope, count, tree, unit, ranks, page.
    assert len(many) == len(few) <= 10


def test_cadre_profile_shows_post_history(client, staff, make_cadre):
    cadre = make_cadre("CX01B", name="张三", post="主任", post_since="2016-05-01")
    html = client.get(reverse("registry:cadre", args=[cadre.pk]), REMOTE_ADDR="10.3.4.5").content.decode()
    # The profile holds personal information: every read is in the audit log.
    read = AuditEntry.objects.get(action="view")
    assert (read.username, read.address, read.object_type, read.object_id, read.object_repr) == (
        "cx", "10.3.4.5", "registry.cadre", str(cadre.pk), "张三")
    assert "张三" in html and "任职经历" in html and "2016年5月" in html and "至今" in html
    # The breadcrumb starts at the user's own unit: the city above is not theirs to see.
    assert "城厢街道" in html and "清河市" not in html


def test_template_download(client, staff):
    response = client.get(reverse("registry:template"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.cell(row=2, column=1).value == "姓名"


def test_traditional_chinese(client, staff, make_cadre):
    make_cadre("CX01B", name="张国华")
    client.post(reverse("set_language"), {"language": "zh-hant", "next": "/"})
    html = client.get(reverse("registry:roster")).content.decode()
    assert "幹部名冊" in html and "張國華" in html and 'lang="zh-Hant"' in html
    # What a Traditional reader types finds the record stored in Simplified.
    assert _names(client.get(reverse("registry:roster"), {"q": "張國華"})) == {"张国华"}
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "干部名册" in client.get(reverse("registry:roster")).content.decode()


def _upload(client, path):
    with open(path, "rb") as f:
        return client.post(reverse("registry:import"), {"file": f})


def test_web_import_small_file_preview_then_confirm(client, staff, tmp_path):
    path = write_xlsx(tmp_path / "名册.xlsx", [HEADER, row(工作单位="CX01")])
    response = _upload(client, path)
    job = ImportJob.objects.get()
    assert response.url == reverse("registry:import_job", args=[job.pk])
    assert job.status == "validated" and job.preview["created"] == 1
    page = client.get(response.url).content.decode()
    assert "将新增" in page and "确认导入" in page
    assert not Cadre.objects.exists()  # the preview writes nothing
    assert job.path.exists()
    client.post(reverse("registry:import_confirm", args=[job.pk]), {"action": "import"})
    job.refresh_from_db()
    assert job.status == "done" and Cadre.objects.get().unit.code == "CX01"
    assert not job.path.exists()  # the report stays, the file with its ID numbers does not
    # A job cannot be imported twice.
    client.post(reverse("registry:import_confirm", args=[job.pk]), {"action": "import"})
    assert Cadre.objects.count() == 1
    # One audit entry for the whole import (the preview is not one): who, from where, which file.
    entry = AuditEntry.objects.get(action="import")
    assert (entry.username, entry.address, entry.result) == ("cx", "127.0.0.1", "success")
    assert entry.summary["file"] == "名册.xlsx" and entry.summary["created"] == 1
    assert entry.summary["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_web_import_errors_are_listed_and_nothing_written(client, staff, tmp_path):
    path = write_xlsx(tmp_path / "bad.xlsx", [HEADER, row(工作单位="CX01"), row(身份证号=make_id(2), 工作单位="CZ")])
    _upload(client, path)
    job = ImportJob.objects.get()
    assert job.status == "invalid"
    page = client.get(reverse("registry:import_job", args=[job.pk])).content.decode()
    assert "第3行" in page and "没有写入任何数据" in page and "确认导入" not in page
    assert client.post(reverse("registry:import_confirm", args=[job.pk]), {"action": "import"}).status_code == 302
    assert not Cadre.objects.exists()
    assert not AuditEntry.objects.filter(action="import").exists()  # nothing was imported, only checked


def test_upload_rejects_non_excel(client, staff, tmp_path):
    fake = tmp_path / "名册.xlsx"
    fake.write_bytes(b"not a zip")
    response = _upload(client, fake)
    assert response.status_code == 200 and "不是Excel工作簿" in response.content.decode()
    other = tmp_path / "名册.xls"
    other.write_bytes(b"x")
    assert "不是.xlsx文件" in _upload(client, other).content.decode()
    assert not ImportJob.objects.exists()


def test_upload_rejects_a_zip_bomb(client, staff, tmp_path, settings):
    settings.TANHUA_MAX_IMPORT_BYTES = 100_000  # unpacked limit: 2,000,000 bytes
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", "<row/>" * 1_000_000)  # 6 MB of XML
    assert path.stat().st_size < 100_000  # small packed, huge unpacked
    assert "解压后过大" in _upload(client, path).content.decode()
    assert not ImportJob.objects.exists()


def test_someone_elses_job_is_404(client, staff, make_user, tmp_path):
    path = write_xlsx(tmp_path / "a.xlsx", [HEADER, row(工作单位="CX01")])
    _upload(client, path)
    job = ImportJob.objects.get()
    client.force_login(make_user("other", "CX"))
    assert client.get(reverse("registry:import_job", args=[job.pk])).status_code == 404
    assert client.post(reverse("registry:import_confirm", args=[job.pk]), {"action": "import"}).status_code == 404
    assert not Cadre.objects.exists()


# The worker commits and closes connections as it would in production, so this test runs
# outside the usual per-test transaction.
@pytest.mark.django_db(transaction=True)
def test_large_import_runs_in_the_background_worker(client, staff, tmp_path, settings):
    settings.TANHUA_BACKGROUND_IMPORT_BYTES = 0  # every upload counts as large
    rows = [HEADER] + [row(姓名=f"干部{i}", 身份证号=make_id(i), 工作单位="CX01") for i in range(1, 1201)]
    path = write_xlsx(tmp_path / "big.xlsx", rows)
    _upload(client, path)
    job = ImportJob.objects.get()
    assert job.status == "validating"
    progress = client.get(reverse("registry:import_job", args=[job.pk]), headers={"HX-Request": "true"})
    assert "排队等待" in progress.content.decode()  # the worker has not run yet

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")
    job.refresh_from_db()
    assert job.status == "validated" and job.preview["created"] == 1200
    assert get_progress(f"import:{job.pk}") == (1201, 1201)
    # The polling request sees the job finished and asks the page to reload.
    done = client.get(reverse("registry:import_job", args=[job.pk]), headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true"

    client.post(reverse("registry:import_confirm", args=[job.pk]), {"action": "import"})
    assert ImportJob.objects.get().status == "importing"
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")
    job.refresh_from_db()
    assert job.status == "done" and job.result["created"] == 1200
    assert Cadre.objects.filter(unit__code="CX01").count() == 1200
    # The worker records the import for the user and the address that asked for it.
    entry = AuditEntry.objects.get(action="import")
    assert (entry.username, entry.address, entry.summary["created"]) == ("cx", "127.0.0.1", 1200)


@pytest.mark.django_db(transaction=True)
def test_large_export_is_written_by_the_worker(client, staff, make_cadre, make_user, settings):
    settings.TANHUA_BACKGROUND_EXPORT_ROWS = 2
    for i in range(3):
        make_cadre("CX01B", name=f"区干部{i}")
    make_cadre("SX", name="外县干部")
    # The link only offers the background export (a GET writes nothing); the button starts it.
    offer = client.get(reverse("registry:export"), {"q": "干部"})
    assert offer.status_code == 200 and "开始生成" in offer.content.decode() and not ExportJob.objects.exists()
    response = client.post(reverse("registry:export") + "?q=干部")
    job = ExportJob.objects.get()
    # Asking again while it is being written reuses the job.
    assert client.get(reverse("registry:export"), {"q": "干部"}).url == response.url
    assert client.post(reverse("registry:export") + "?q=干部").url == response.url
    assert ExportJob.objects.count() == 1
    assert response.url == reverse("registry:export_job", args=[job.pk])
    assert (job.status, job.rows) == ("running", 3)
    assert "排队等待" in client.get(response.url).content.decode()
    assert client.get(reverse("registry:export_download", args=[job.pk])).status_code == 404  # not yet

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload")
    job.refresh_from_db()
    assert job.status == "done" and get_progress(f"export:{job.pk}") == (3, 3)
    assert client.get(response.url, headers={"HX-Request": "true"})["HX-Refresh"] == "true"
    assert "下载 Excel 文件" in client.get(response.url).content.decode()
    download = client.get(reverse("registry:export_download", args=[job.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    # The worker applied the user's scope and filters: the other district's cadre is absent.
    assert {r[0] for r in sheet.iter_rows(min_row=3, values_only=True)} == {"区干部0", "区干部1", "区干部2"}
    export, download_entry = AuditEntry.objects.filter(action__in=["export", "download"]).order_by("seq")
    assert (export.action, export.username, export.address, export.summary["rows"]) == ("export", "cx", "127.0.0.1", 3)
    assert export.summary["filters"] == {"q": "干部"}
    assert (download_entry.action, download_entry.object_id) == ("download", str(job.pk))

    client.force_login(make_user("other", "CX"))
    assert client.get(reverse("registry:export_job", args=[job.pk])).status_code == 404
    assert client.get(reverse("registry:export_download", args=[job.pk])).status_code == 404

    # A day later the file is gone: the download refuses it and prune-files deletes it.
    client.force_login(staff)
    ExportJob.objects.filter(pk=job.pk).update(finished_at=job.finished_at - datetime.timedelta(hours=25),
                                                 created_at=job.created_at - datetime.timedelta(hours=25))
    assert client.get(reverse("registry:export_download", args=[job.pk])).status_code == 404
    assert "过期" in client.get(reverse("registry:export_job", args=[job.pk])).content.decode()
    call_command("prune_files", stdout=io.StringIO())
    assert not job.path.exists()
