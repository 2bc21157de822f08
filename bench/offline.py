"""The work that is not a page: the all-teams quarterly report card (figures alone, with
the 8-quarter trends, and the PDF) and the reminder sweep over the whole dataset. Times
each step and counts its queries. Run inside the bench environment (see run.sh).

The sweep writes reminders and notifications: run it on a bench database only."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ifss.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from reminders import deadlines, services  # noqa: E402
from reporting.card import board_suppression, build_card  # noqa: E402
from reporting.models import FigureSet  # noqa: E402
from reporting.pdf import render_report_card_pdf  # noqa: E402
from reporting.periods import previous_quarter, quarter_containing  # noqa: E402
from reporting.queries import Scope  # noqa: E402


def timed(label: str, fn, rows: list, slow: dict):
    with CaptureQueriesContext(connection) as ctx:
        t0 = time.perf_counter()
        value = fn()
        seconds = time.perf_counter() - t0
    rows.append({"what": label, "seconds": round(seconds, 2), "queries": len(ctx)})
    slow[label] = [
        {"ms": round(float(q["time"]) * 1000, 1), "sql": q["sql"]}
        for q in sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[:5]
    ]
    print(f"{label:<52}{seconds:>8.2f} s{len(ctx):>6} queries", flush=True)
    return value


def main() -> None:
    rows: list[dict] = []
    slow: dict = {}
    quarter = previous_quarter(quarter_containing(timezone.localdate()))
    scope = Scope("all")
    print(f"All teams, {quarter.label} ({quarter.start} to {quarter.end})")
    for label in ("first run", "again"):
        timed(
            f"all-teams quarterly figures (no trends), {label}",
            lambda: build_card(scope, quarter, with_trends=False),
            rows,
            slow,
        )
    FigureSet.objects.filter(scope_key=scope.key).delete()
    timed(
        "all-teams card, nothing stored (computes 8 quarters)",
        lambda: build_card(scope, quarter, suppress=board_suppression()),
        rows,
        slow,
    )
    card = timed(
        "all-teams card, trend quarters stored",
        lambda: build_card(scope, quarter, suppress=board_suppression()),
        rows,
        slow,
    )
    pdf = timed("report card PDF (render only)", lambda: render_report_card_pdf(card), rows, slow)
    rows.append(
        {
            "what": "report card PDF, all teams (card with stored trends + render)",
            "seconds": round(rows[-2]["seconds"] + rows[-1]["seconds"], 2),
            "queries": rows[-2]["queries"] + rows[-1]["queries"],
        }
    )
    print(f"  PDF: {len(pdf):,} bytes")
    if "--no-sweep" not in sys.argv:
        found = timed(
            "deadlines over all teams (collect)",
            lambda: deadlines.collect(timezone.now()),
            rows,
            slow,
        )
        print(f"  {len(found):,} open deadlines")
        result = timed("reminder sweep, whole dataset (first run)", services.sweep, rows, slow)
        print(f"  {result}")
        result = timed("reminder sweep again (nothing new)", services.sweep, rows, slow)
        print(f"  {result}")
    if "--json" in sys.argv:
        out = Path(sys.argv[sys.argv.index("--json") + 1])
        out.write_text(json.dumps({"rows": rows, "slow": slow}, indent=1, default=str))


if __name__ == "__main__":
    main()
