"""`tanhua serve`: the production web server (waitress) plus the background task worker.

    tanhua serve [--host H] [--port P] [--threads N] [--no-worker]

Waitress is pure Python, so the same command runs on Linux and on Windows servers. Static
files are served by WhiteNoise from STATIC_ROOT, which `tanhua collectstatic` fills.
Unless --no-worker is given, the django-tasks database worker (`tanhua db_worker`) runs
beside the server as a child process, is restarted if it dies, and is stopped with it.
"""

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management.base import BaseCommand, CommandError

# How long a worker that is finishing a task may take to stop before it is killed.
WORKER_STOP_TIMEOUT = float(os.environ.get("TANHUA_WORKER_STOP_TIMEOUT", "30"))
# Pause before restarting a worker that exited on its own.
WORKER_RESTART_DELAY = 5.0


def _env_int(name, default):
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise CommandError(f"环境变量 {name} 应为整数,当前为 {value!r}") from None


def _port(value):
    import argparse

    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"端口应为整数: {value!r}") from None
    if not 0 < port < 65536:
        raise argparse.ArgumentTypeError(f"端口应在 1-65535 之间: {port}")
    return port


class Worker:
    """The `db_worker` child process, kept running while the server runs."""

    def __init__(self, stdout, stderr):
        self.stdout = stdout
        self.stderr = stderr
        self.process = None
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.thread = None

    def command(self):
        # --no-reload: under TANHUA_DEBUG the worker would otherwise run under Django's
        # autoreloader, whose extra process does not stop cleanly with ours.
        return [sys.executable, "-m", "tanhua", "db_worker", "--interval", "1", "--no-reload"]

    def _spawn(self):
        kwargs = {}
        # Its own process group: Ctrl+C in the terminal reaches only the server, which
        # then stops the worker itself, letting a running task finish first.
        if os.name == "nt":
            kwargs["creationflags"] = subprocess.CREATE_NEW_PROCESS_GROUP
        else:
            kwargs["start_new_session"] = True
        return subprocess.Popen(self.command(), stdin=subprocess.DEVNULL, **kwargs)

    def start(self):
        with self.lock:
            self.process = self._spawn()
        self.thread = threading.Thread(target=self._watch, name="tanhua-worker-watch", daemon=True)
        self.thread.start()

    def _watch(self):
        while not self.stopping.is_set():
            process = self.process
            code = process.wait()
            if self.stopping.is_set():
                return
            self.stderr.write(f"后台任务进程意外退出(退出码 {code}),{WORKER_RESTART_DELAY:.0f} 秒后重启。")
            if self.stopping.wait(WORKER_RESTART_DELAY):
                return
            with self.lock:
                if self.stopping.is_set():
                    return
                self.process = self._spawn()

    def stop(self):
        self.stopping.set()
        with self.lock:
            process = self.process
        if process is None or process.poll() is not None:
            return
        # SIGTERM: the worker exits at once when idle, or after its current task.
        process.terminate()
        try:
            process.wait(timeout=WORKER_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.stderr.write(f"后台任务进程 {WORKER_STOP_TIMEOUT:.0f} 秒内未退出,强制结束。")
            process.kill()
            process.wait()


class Command(BaseCommand):
    help = "启动谈话系统的 Web 服务(waitress)及后台任务进程。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--host",
            default=os.environ.get("TANHUA_HOST") or "127.0.0.1",
            help="监听地址(默认 127.0.0.1,或环境变量 TANHUA_HOST;0.0.0.0 表示所有网卡)",
        )
        parser.add_argument(
            "--port",
            type=_port,
            default=None,
            help="监听端口(默认 8000,或环境变量 TANHUA_PORT)",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=None,
            help="处理请求的线程数(默认 8,或环境变量 TANHUA_THREADS)",
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="不启动后台任务进程(另行运行 `tanhua db-worker` 时使用)",
        )

    def handle(self, *args, host, port, threads, no_worker, **options):
        if port is None:
            port = _env_int("TANHUA_PORT", 8000)
            if not 0 < port < 65536:
                raise CommandError(f"TANHUA_PORT 应在 1-65535 之间,当前为 {port}")
        if threads is None:
            threads = _env_int("TANHUA_THREADS", 8)
        if threads < 1:
            raise CommandError("--threads 至少为 1")

        self.check_static_files()

        from waitress import create_server

        from tanhua.wsgi import application

        try:
            server = create_server(
                application,
                host=host,
                port=port,
                threads=threads,
                ident="waitress",
                # Refuse bodies larger than the biggest allowed upload before reading them.
                max_request_body_size=settings.TANHUA_MAX_IMPORT_BYTES + 1024 * 1024,
            )
        except OSError as exc:
            raise CommandError(f"无法在 {host}:{port} 上监听:{exc}(端口是否已被占用?)") from exc

        worker = None
        previous_sigterm = signal.getsignal(signal.SIGTERM)

        def on_sigterm(signum, frame):
            raise SystemExit(0)

        signal.signal(signal.SIGTERM, on_sigterm)
        try:
            if not no_worker:
                worker = Worker(self.stdout, self.stderr)
                worker.start()
            display_host = f"[{host}]" if ":" in host else host
            self.stdout.write(f"谈话系统已启动:http://{display_host}:{port}/ (按 Ctrl+C 停止)")
            if host in ("0.0.0.0", "::"):
                self.stdout.write("已在所有网卡上监听,其他电脑请用本机的 IP 地址访问。")
                if "*" not in settings.ALLOWED_HOSTS:
                    self.stdout.write(
                        f"注意:只接受以下主机名的访问:{', '.join(settings.ALLOWED_HOSTS)};"
                        "请用 TANHUA_ALLOWED_HOSTS 设置本机 IP 或域名(逗号分隔)。"
                    )
            if no_worker:
                self.stdout.write("未启动后台任务进程(--no-worker):大文件导入需另行运行 `tanhua db-worker`。")
            self.stdout.flush()
            # Returns when interrupted: waitress catches KeyboardInterrupt/SystemExit and
            # closes its sockets.
            server.run()
        except KeyboardInterrupt:
            pass
        finally:
            server.close()
            if worker is not None:
                self.stdout.write("正在停止后台任务进程……")
                self.stdout.flush()
                worker.stop()
            signal.signal(signal.SIGTERM, previous_sigterm)
        self.stdout.write("谈话系统已停止。")

    def check_static_files(self):
        root = Path(settings.STATIC_ROOT)
        manifest_name = getattr(staticfiles_storage, "manifest_name", None)
        missing = not root.is_dir()
        if not missing and manifest_name:
            missing = not (root / manifest_name).is_file()
        if missing:
            what = root / manifest_name if manifest_name else root
            raise CommandError(
                f"静态文件尚未收集(缺少 {what})。请先运行:tanhua collectstatic --noinput"
                "(需要先在项目目录运行 npm ci 安装前端依赖)。"
            )
