"""Where one benchmarked page spends its time, in-process: the median of N requests, the
SQL part of it, and the functions that take the most (cProfile, cumulative and own time).

    DATABASE_URL=... DJANGO_SECRET_KEY=x IFSS_TWO_FACTOR_ROLES= \
        IFSS_TWO_FACTOR_FOR_ADMINS=false DJANGO_ALLOWED_HOSTS=testserver \
        python bench/profile_page.py "due and overdue" [--runs 20] [--top 40]

The page names are those of bench/targets.py. Run by hand; never in the test suite.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ifss.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from targets import pick  # noqa: E402

from accounts.models import User  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("page")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--top", type=int, default=35)
    args = parser.parse_args()
    chosen = pick()
    path = chosen["pages"][args.page]
    client = Client()
    client.force_login(User.objects.get(username=chosen["users"][args.page]))
    client.get("/accounts/password/")
    for _ in range(3):  # warm the per-process caches
        client.get(path)
    times, sql = [], []
    for _ in range(args.runs):
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            response = client.get(path)
            times.append(time.perf_counter() - t0)
        assert response.status_code == 200, response.status_code
        sql.append(sum(float(q["time"]) for q in ctx.captured_queries))
    print(
        f"{args.page} {path}: median {statistics.median(times) * 1000:.1f} ms, "
        f"SQL {statistics.median(sql) * 1000:.1f} ms in {len(ctx.captured_queries)} queries, "
        f"{len(response.content):,} bytes"
    )
    for q in sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[:5]:
        print(f"  {float(q['time']) * 1000:6.1f} ms  {q['sql'][:160]}")
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(args.runs):
        client.get(path)
    profile.disable()
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats(order).print_stats(args.top)
        print(out.getvalue())


if __name__ == "__main__":
    main()
