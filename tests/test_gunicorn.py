"""The production web server (gunicorn, started as the Dockerfile and docker-compose start
it: from the project directory, so ./gunicorn.conf.py is read) does not name itself."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_responses_carry_no_server_header(tmp_path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SECRET_KEY": "test-only-secret-key-for-gunicorn-0123456789abcdef",
        "DJANGO_DEBUG": "false",
        "IFSS_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    env.pop("REDIS_URL", None)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "ifss.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        headers = None
        for _ in range(100):
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/static/js/app.js"
                ) as response:
                    headers = response.headers
                break
            except OSError:
                time.sleep(0.2)
        assert headers is not None, server.stderr.read1().decode() if server.poll() else "no answer"
    finally:
        server.terminate()
        server.wait(timeout=10)

    assert headers["Date"]  # a real gunicorn response
    assert "Server" not in headers, headers["Server"]
