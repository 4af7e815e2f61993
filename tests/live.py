"""A real `tanhua serve` process on a free local port, for end-to-end tests."""

import http.client
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

START_TIMEOUT = 15


def env_for(var_dir, extra=None):
    """The environment of a server on SQLite in ``var_dir``, whatever the test run uses."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "TANHUA_", "DJANGO_"))}
    env.update(TANHUA_VAR_DIR=str(var_dir), TANHUA_LOG_LEVEL="WARNING", PYTHONUNBUFFERED="1")
    env.update(extra or {})
    return env


def run_tanhua(args, env, timeout=120, check=True):
    result = subprocess.run(
        [sys.executable, "-m", "tanhua", *args], env=env, capture_output=True, text=True, check=False, timeout=timeout
    )
    if check:
        assert result.returncode == 0, f"tanhua {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


class Server:
    def __init__(self, var_dir, *args, extra_env=None):
        self.port = free_port()
        self.log = var_dir / f"serve-{self.port}.log"
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tanhua", "serve", "--port", str(self.port), *args],
                env=env_for(var_dir, extra_env),
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
                status, _, _ = http_get(self.port, "/healthz")
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
