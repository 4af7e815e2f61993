"""verify-audit and audit-head."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tanhua.audit.chain import GENESIS
from tanhua.audit.services import record


def run(name, *args):
    out, err = StringIO(), StringIO()
    try:
        call_command(name, *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def test_verify_intact(five):
    code, out, _ = run("verify_audit")
    assert code == 0
    assert out.strip() == f"审计日志完整:共 5 条,最新 第5条 {five[-1].hash}"

    code, out, _ = run("verify_audit", "--json", "--anchor", f"3:{five[2].hash}")
    assert code == 0
    assert json.loads(out) == {
        "ok": True, "entries": 5, "head": {"seq": 5, "hash": five[-1].hash}, "problem": None,
        "algorithm": "sha256", "algorithms": ["sha256"],
    }


def test_verify_names_the_changed_entry(five, tamper):
    tamper("UPDATE {table} SET username = %s WHERE seq = 2", ["admin"])
    code, out, _ = run("verify_audit", "--json")
    assert code == 1
    report = json.loads(out)
    assert report["ok"] is False and report["entries"] == 5
    assert report["problem"] == {"seq": 2, "kind": "changed", "message": "第2条被篡改:内容与其哈希不符。"}

    code, out, err = run("verify_audit")
    assert (code, out) == (1, "")
    assert "审计日志校验失败:第2条被篡改" in err


def test_verify_names_a_deleted_entry(five, tamper):
    tamper("DELETE FROM {table} WHERE seq = 4")
    code, out, _ = run("verify_audit", "--json")
    problem = json.loads(out)["problem"]
    assert (code, problem["seq"], problem["kind"]) == (1, 4, "deleted")
    assert problem["message"] == "第4条被删除:第5条之前缺少记录。"


def test_verify_names_an_inserted_entry(five, insert_raw):
    insert_raw(seq=6, prev_hash="9" * 64, time=five[-1].time)
    code, out, _ = run("verify_audit", "--json")
    problem = json.loads(out)["problem"]
    assert (code, problem["seq"], problem["kind"]) == (1, 6, "inserted")


def test_verify_with_an_anchor_catches_a_removed_head(five, tamper):
    code, out, _ = run("audit_head")
    seq, digest = out.split()
    tamper("DELETE FROM {table} WHERE seq = 5")
    assert run("verify_audit")[0] == 0
    code, out, _ = run("verify_audit", "--json", "--anchor", f"{seq}:{digest}")
    assert code == 1
    assert json.loads(out)["problem"]["kind"] == "anchor" and json.loads(out)["problem"]["seq"] == 5


@pytest.mark.django_db
def test_bad_anchor_is_refused():
    with pytest.raises(CommandError, match="锚点格式"):
        call_command("verify_audit", "--anchor", "abc", stdout=StringIO())


@pytest.mark.django_db
def test_empty_log():
    code, out, err = run("audit_head")
    assert (code, out.strip()) == (0, f"0 {GENESIS}")
    assert "审计日志为空" in err
    code, out, _ = run("audit_head", "--json")
    assert json.loads(out) == {"seq": 0, "hash": GENESIS, "time": None}
    code, out, _ = run("verify_audit")
    assert (code, out.strip()) == (0, "审计日志完整:共 0 条")
    code, out, _ = run("verify_audit", "--json")
    assert json.loads(out)["ok"] is True and json.loads(out)["head"] is None


@pytest.mark.django_db
def test_audit_head():
    record("login")
    entry = record("logout")
    assert run("audit_head")[:2] == (0, f"2 {entry.hash}\n")
    code, out, _ = run("audit_head", "--json")
    assert code == 0
    report = json.loads(out)
    assert (report["seq"], report["hash"]) == (2, entry.hash)
    assert report["time"].endswith("+00:00") and len(report["time"]) == len("2025-03-01T00:30:05.123456+00:00")
