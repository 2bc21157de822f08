"""A Celery worker for the fault tests: `python slow_worker.py worker <celery args>`.

With IFSS_TEST_SLOW_PDF=<seconds> the report card's PDF render first waits that long, so
that a test can kill the worker in the middle of a build. Nothing else is changed."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ifss.settings")

import django

django.setup()

from reporting import services  # noqa: E402

SLOW = float(os.environ.get("IFSS_TEST_SLOW_PDF") or 0)
if SLOW:
    real_render = services.render_report_card_pdf

    def slow_render(card: dict) -> bytes:
        time.sleep(SLOW)
        return real_render(card)

    services.render_report_card_pdf = slow_render

from ifss.celery import app  # noqa: E402

if __name__ == "__main__":
    app.worker_main(argv=sys.argv[1:])
