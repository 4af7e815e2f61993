"""`tanhua serve` end to end: a real waitress process on a free local port.

These tests are about the server, not the database, so they run only on SQLite (each
against its own temporary TANHUA_VAR_DIR) and are skipped when DATABASE_URL is set.
"""

import json
import os
import signal
from pathlib import Path

import pytest

from tests.live import Server, env_for, http_get, run_tanhua

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="server test; runs on the SQLite default only"
)

@pytest.fixture(scope="module")
def var_dir(tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("var")
    env = env_for(var_dir)
    run_tanhua(["migrate", "--noinput", "-v0"], env)
    run_tanhua(["collectstatic", "--noinput", "-v0"], env)
    return var_dir


@pytest.fixture
def server_factory(var_dir):
    servers = []

    def start(*args):
        server = Server(var_dir, *args)
        servers.append(server)
        server.wait_ready()
        return server

    yield start
    for server in servers:
        if server.process.poll() is None:
            server.process.kill()
            server.process.wait()


def test_serve_answers_and_stops(server_factory):
    server = server_factory("--no-worker")

    status, headers, body = http_get(server.port, "/healthz")
    assert status == 200
    assert json.loads(body) == {"status": "ok"}

    # WhiteNoise serves collected vendor files by their plain and their hashed names.
    status, headers, body = http_get(server.port, "/static/vendor/htmx/htmx.min.js")
    assert status == 200
    assert headers["Server"] == "waitress"
    assert b"htmx" in body
    manifest = json.loads((Path(server.log).parent / "static" / "staticfiles.json").read_text())
    hashed = manifest["paths"]["vendor/htmx/htmx.min.js"]
    assert hashed != "vendor/htmx/htmx.min.js"
    status, headers, _ = http_get(server.port, f"/static/{hashed}")
    assert status == 200
    assert "immutable" in headers.get("Cache-Control", "")

    # Anonymous visitors are sent to the login page.
    status, headers, _ = http_get(server.port, "/")
    assert status == 302
    assert headers["Location"].startswith("/accounts/login/")

    assert server.stop() == 0
    out = server.output()
    assert f"谈话系统已启动:http://127.0.0.1:{server.port}/ (按 Ctrl+C 停止)" in out
    assert "谈话系统已停止" in out


def _children(pid):
    # Linux only: the direct children of pid.
    children = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        children.update(int(c) for c in (task / "children").read_text().split())
    return children


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped) counts as gone.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_serve_stops_its_worker(server_factory, sig):
    server = server_factory()
    workers = _children(server.process.pid)
    assert len(workers) == 1, server.output()
    (worker,) = workers
    cmdline = Path(f"/proc/{worker}/cmdline").read_bytes().split(b"\0")
    assert b"db_worker" in cmdline

    assert server.stop(sig) == 0, server.output()
    assert not _alive(worker), f"worker {worker} still running after the server stopped"
    assert "正在停止后台任务进程" in server.output()
