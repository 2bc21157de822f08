"""The pieces of a production-like stack that a fault test starts, breaks and mends itself,
all on loopback and all its own: a private Redis (never the machine's shared one on 6379),
a TCP proxy in front of PostgreSQL that the test cuts and restores (never the shared
server), a web server (gunicorn) and Celery workers as separate processes."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

from tests.conftest import missing_service

ROOT = Path(__file__).resolve().parent.parent.parent
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(check, timeout: float, what: str, interval: float = 0.2) -> float:
    """Poll another process's state (not a clock: the thing awaited is outside this one).
    Returns the seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if check():
            return time.monotonic() - started
        time.sleep(interval)
    raise AssertionError(f"{what}: not within {timeout} s")


def database_url(*, port: int | None = None) -> str:
    """The test database, as another process reaches it (through the proxy if given)."""
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:"
        f"{port or db['PORT'] or 5432}/{connection.settings_dict['NAME']}"
    )


def base_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,  # the sessions made here are good there
        "DJANGO_DEBUG": "false",
        "DJANGO_SECURE_COOKIES": "false",
        "IFSS_DATA_DIR": str(tmp_path / "var"),
        "IFSS_TWO_FACTOR_ROLES": "",
        "IFSS_TWO_FACTOR_FOR_ADMINS": "false",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("REDIS_URL", None)
    env.update(extra)
    return env


# --- PostgreSQL behind a proxy the test controls ----------------------------------------


class TcpProxy:
    """Forwards 127.0.0.1:<port> to PostgreSQL. cut() severs every connection and refuses
    new ones (as a database restart or a network fault does); restore() lets them in."""

    def __init__(self, target_port: int) -> None:
        self.target = ("127.0.0.1", target_port)
        self.port = free_port()
        self._cut = threading.Event()
        self._closed = threading.Event()
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._listener.settimeout(0.2)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if self._cut.is_set():
                client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._sockets |= {client, upstream}
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                self._drop(s)

    def _drop(self, s: socket.socket) -> None:
        with self._lock:
            self._sockets.discard(s)
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        s.close()

    def cut(self) -> None:
        self._cut.set()
        with self._lock:
            sockets = list(self._sockets)
        for s in sockets:
            self._drop(s)

    def restore(self) -> None:
        self._cut.clear()

    def close(self) -> None:
        self.cut()
        self._closed.set()
        self._listener.close()


# --- a private Redis ------------------------------------------------------------------------


class PrivateRedis:
    """redis-server on a port of its own, with append-only persistence as in
    docker-compose.yml, in a folder of its own; stop() and start() again like an outage."""

    def __init__(self, directory: Path) -> None:
        if not shutil.which("redis-server"):
            missing_service("redis-server is not installed")
        self.port = free_port()
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.directory),
                "--appendonly",
                "yes",
                "--appendfsync",
                "everysec",
                "--save",
                "",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self.answers, 20, "the private Redis answering")

    def answers(self) -> bool:
        import redis

        try:
            return bool(redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=20)
        self.process = None


# --- processes ------------------------------------------------------------------------------


class Process:
    """A child process whose output is collected in a file (read it with .output())."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        self._file = log.open("w")
        self.popen = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=self._file, stderr=subprocess.STDOUT
        )

    def output(self) -> str:
        if not self._file.closed:
            self._file.flush()
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL: the whole process dies at once, as with `kill -9`."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGKILL)
        self.popen.wait(timeout=20)

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=20)
        self._file.close()


def celery_worker(
    env: dict[str, str], log: Path, *, beat: bool = False, slow_pdf: float = 0
) -> Process:
    """A Celery worker, one process (solo pool): SIGKILL kills the worker whole. With
    slow_pdf the PDF render waits that long first (tests/resilience/slow_worker.py)."""
    args = [PYTHON, str(ROOT / "tests" / "resilience" / "slow_worker.py")]
    args += ["worker", "--pool=solo", "--loglevel=info", "--without-gossip", "--without-mingle"]
    if beat:
        args += ["--beat", "--schedule", str(log.with_suffix(".schedule"))]
    return Process(args, {**env, "IFSS_TEST_SLOW_PDF": str(slow_pdf)}, log)


class WebServer(Process):
    """gunicorn, as in docker-compose.yml, on a port of its own."""

    def __init__(self, env: dict[str, str], log: Path, *, workers: int = 2) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {
            **env,
            "DJANGO_SETTINGS_MODULE": "tests.resilience.server_settings",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        }
        args = [PYTHON, "-m", "gunicorn", "ifss.wsgi:application", "--bind"]
        args += [f"127.0.0.1:{self.port}", "--workers", str(workers), "--timeout", "60"]
        super().__init__(args, env, log)
        wait_until(self.answers, 60, f"gunicorn answering\n{self.output()[-3000:]}")

    def answers(self) -> bool:
        try:
            return get(f"{self.url}/healthz")[0] == 200
        except OSError:
            return False


def get(url: str, data: dict[str, str] | None = None, headers: dict[str, str] | None = None):
    """(status, headers, text) of a GET (or a POST with data), redirects not followed."""
    import urllib.error
    import urllib.parse
    import urllib.request

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers=headers or {})
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


@contextmanager
def publishing_to(url: str) -> Iterator[None]:
    """This test process publishes its tasks, for real, to the given broker (the Celery
    app read the settings once into app.conf and caches its pools, so those are swapped,
    and put back afterwards; as tests/reminders/test_broker_down.py does)."""
    from ifss.celery import app

    amqp = app.amqp
    saved = (app.conf.broker_url, app.conf.task_always_eager, app._pool, amqp._producer_pool)
    app.conf.task_always_eager = False
    app.conf.broker_url = url
    app._pool = None
    amqp._producer_pool = None
    try:
        yield
    finally:
        if app._pool is not None:
            app._pool.force_close_all()
        app.conf.broker_url, app.conf.task_always_eager, app._pool, amqp._producer_pool = saved
