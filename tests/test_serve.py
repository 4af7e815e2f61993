"""`tanhua serve` end to end: a real waitress process on a free local port.

These tests are about the server, not the database, so they run only on SQLite (each
against its own temporary TANHUA_VAR_DIR) and are skipped when DATABASE_URL is set.
"""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="server test; runs on the SQLite default only"
)

START_TIMEOUT = 15


def _env(var_dir):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "TANHUA_", "DJANGO_"))}
    env.update(TANHUA_VAR_DIR=str(var_dir), TANHUA_LOG_LEVEL="WARNING", PYTHONUNBUFFERED="1")
    return env


def _tanhua(args, env, timeout=120):
    result = subprocess.run(
        [sys.executable, "-m", "tanhua", *args], env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, f"tanhua {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def var_dir(tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("var")
    env = _env(var_dir)
    _tanhua(["migrate", "--noinput", "-v0"], env)
    _tanhua(["collectstatic", "--noinput", "-v0"], env)
    return var_dir


class Server:
    def __init__(self, var_dir, *args):
        self.port = _free_port()
        self.log = var_dir / f"serve-{self.port}.log"
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tanhua", "serve", "--port", str(self.port), *args],
                env=_env(var_dir),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def output(self):
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_ready(self):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"tanhua serve exited with {self.process.returncode}:\n{self.output()}")
            try:
                status, _, _ = _get(self.port, "/healthz")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        pytest.fail(f"tanhua serve did not answer within {START_TIMEOUT} s:\n{self.output()}")

    def stop(self, sig=signal.SIGTERM):
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            pytest.fail(f"tanhua serve did not stop on {sig!r}:\n{self.output()}")


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

    status, headers, body = _get(server.port, "/healthz")
    assert status == 200
    assert json.loads(body) == {"status": "ok"}

    # WhiteNoise serves collected vendor files by their plain and their hashed names.
    status, headers, body = _get(server.port, "/static/vendor/htmx/htmx.min.js")
    assert status == 200
    assert headers["Server"] == "waitress"
    assert b"htmx" in body
    manifest = json.loads((Path(server.log).parent / "static" / "staticfiles.json").read_text())
    hashed = manifest["paths"]["vendor/htmx/htmx.min.js"]
    assert hashed != "vendor/htmx/htmx.min.js"
    status, headers, _ = _get(server.port, f"/static/{hashed}")
    assert status == 200
    assert "immutable" in headers.get("Cache-Control", "")

    # Anonymous visitors are sent to the login page.
    status, headers, _ = _get(server.port, "/")
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
