"""Pages that slow down once PostgreSQL plans a prepared statement generically (issue 15).

The app's connections prepare their statements (ifss/settings.py, IFSS_DB_PREPARED_STATEMENTS)
and keep them for ten minutes. PostgreSQL plans a prepared statement for its parameters five
times, then may switch to one generic plan for every parameter: a plan that is right for the
average value and can be very wrong for a rare one (the administrator's home page, thirteenth
session: 8 ms for five requests, then 80-700 ms). A survey (bench/survey.py) asks for each
page four times, so it can miss this. This script asks for every page the survey answered
ten times on one connection, and gives the median of requests 6-10; run it with and without
prepared statements and compare:

    DATABASE_URL=... DJANGO_SECRET_KEY=x IFSS_TWO_FACTOR_ROLES= IFSS_BENCH_FLOOR=true \\
        IFSS_TWO_FACTOR_FOR_ADMINS=false DJANGO_ALLOWED_HOSTS=testserver,127.0.0.1 \\
        python bench/generic_plans.py bench/out/survey-f1.0.json bench/out/plans-prepared.json
    IFSS_DB_PREPARED_STATEMENTS=false ... python bench/generic_plans.py \\
        bench/out/survey-f1.0.json bench/out/plans-unprepared.json
    python bench/generic_plans.py --compare bench/out/plans-prepared.json \\
        bench/out/plans-unprepared.json

A page much slower prepared than unprepared has a query whose generic plan is wrong: give
that query an index both plans use (referrals 0008). Run by hand; never in the test suite
(the suite's small worlds make every plan cheap).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ifss.settings")

REQUESTS = 10
# A page is listed when, prepared, its requests 6-10 are this much slower than unprepared
# (a statement may already be generic by the page's first request: another role's requests
# ran it) or than its own first three; and by at least AT_LEAST_MS. Lower ratios were this
# host's noise between two passes: a page that runs no query of its own was 1.6x.
SLOWER = 2.0
AT_LEAST_MS = 10


def walk(survey_path: str, out_path: str) -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from accounts.models import User

    survey = json.loads(Path(survey_path).read_text())
    clients = {}
    for role, username in survey["info"]["users"].items():
        client = Client(raise_request_exception=False)
        client.force_login(User.objects.get(username=username))
        client.get("/accounts/password/")
        clients[role] = client
    out = {"prepared": connection.settings_dict["OPTIONS"].get("prepare_threshold"), "pages": {}}
    for row in survey["rows"]:
        if row["status"] != 200:
            continue
        url, times = row["url"], []  # the URL the survey asked for, with its page
        for _ in range(REQUESTS):
            t0 = time.perf_counter()
            clients[row["role"]].get(url)
            times.append((time.perf_counter() - t0) * 1000)
        out["pages"][f"{row['route']} | {row['role']}"] = {
            "url": url,
            "first": round(statistics.median(times[:3]), 1),
            "later": round(statistics.median(times[5:]), 1),
        }
    Path(out_path).write_text(json.dumps(out, indent=1))
    print(f"{len(out['pages'])} pages, {REQUESTS} requests each: {out_path}")


def compare(prepared_path: str, unprepared_path: str) -> None:
    prepared = json.loads(Path(prepared_path).read_text())["pages"]
    unprepared = json.loads(Path(unprepared_path).read_text())["pages"]
    rows = []
    for page, p in prepared.items():
        u = unprepared.get(page)
        if u is None:
            continue
        worse = max(p["later"] / u["later"], p["later"] / p["first"])
        base = min(u["later"], p["first"])
        if worse >= SLOWER and p["later"] - base >= AT_LEAST_MS:
            rows.append((worse, page, p, u))
    print("| page | role | prepared: first 3 → requests 6-10 | unprepared: requests 6-10 |")
    print("|---|---|---:|---:|")
    for _, page, p, u in sorted(rows, reverse=True):
        route, role = page.split(" | ")
        print(f"| `{route}` | {role} | {p['first']} → {p['later']} | {u['later']} |")
    print(f"\n{len(rows)} of {len(prepared)} pages {SLOWER}× slower prepared (by {AT_LEAST_MS} ms)")


if __name__ == "__main__":
    if sys.argv[1] == "--compare":
        compare(sys.argv[2], sys.argv[3])
    else:
        walk(sys.argv[1], sys.argv[2])
