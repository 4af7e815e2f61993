"""The `tanhua` console command: Django's commands under one name, dashes accepted."""

import json
import subprocess
import sys

import openpyxl
import pytest
from django.core.management import call_command

from tanhua.registry.models import Cadre
from tests.live import env_for


@pytest.mark.parametrize("name", ["import-roster", "import_roster", "export-roster", "import-units", "gen-bench"])
def test_dashed_and_underscored_names(name, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "tanhua", name, "--help"], env=env_for(tmp_path), capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "usage: tanhua" in result.stdout


@pytest.mark.django_db
def test_export_roster_command_for_a_unit(tmp_path, make_cadre):
    make_cadre("CX01B", name="城厢干部")
    make_cadre("SX01B", name="沙溪干部")
    out = tmp_path / "cx.xlsx"
    call_command("export_roster", str(out), "--unit", "CX")
    rows = list(openpyxl.load_workbook(out).active.iter_rows(min_row=3, values_only=True))
    assert [r[0] for r in rows] == ["城厢干部"]
    # And the whole roster, which imports back unchanged.
    call_command("export_roster", str(out))
    from io import StringIO

    buffer = StringIO()
    call_command("import_roster", str(out), "--json", stdout=buffer)
    assert json.loads(buffer.getvalue())["unchanged"] == Cadre.objects.count() == 2
