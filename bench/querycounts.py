"""Query count and server time of each benchmarked page, in-process (Django's test client),
against the database in DATABASE_URL. Prints a table; --json writes it too.

    DATABASE_URL=... DJANGO_SECRET_KEY=x IFSS_TWO_FACTOR_ROLES= IFSS_BENCH_FLOOR=true \
        IFSS_TWO_FACTOR_FOR_ADMINS=false DJANGO_ALLOWED_HOSTS=testserver,127.0.0.1 \
        python bench/querycounts.py [--json out.json]
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
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ifss.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from targets import pick  # noqa: E402

from accounts.models import User  # noqa: E402


def warm_report_figures(chosen: dict) -> None:
    """The card page reads stored figures (reporting/store.py): compute the benchmarked
    team's last quarter and its trend quarters once, as the quarterly job or the first
    viewer's worker would. Computed after the quarter settled, they are kept."""
    from django.utils import timezone

    from accounts.models import Team
    from reporting import store
    from reporting.periods import previous_quarter, quarter_containing
    from reporting.queries import team_scope

    scope = team_scope(Team.objects.get(pk=chosen["team_id"]))
    quarter = previous_quarter(quarter_containing(timezone.localdate()))
    t0 = time.perf_counter()
    store.gather(scope, quarter, "events")
    print(
        f"report figures stored for {scope.label}, {quarter.label}: "
        f"{time.perf_counter() - t0:.1f} s"
    )


def main() -> None:
    chosen = pick()
    out_dir = ROOT / "bench" / "out"
    out_dir.mkdir(exist_ok=True)
    (out_dir / "targets.json").write_text(json.dumps(chosen, indent=1, default=str))
    warm_report_figures(chosen)
    clients: dict[str, Client] = {}
    rows = []
    for name, path in chosen["pages"].items():
        username = chosen["users"][name]
        client = clients.get(username)
        if client is None:
            client = clients[username] = Client()
            client.force_login(User.objects.get(username=username))
            client.get("/accounts/password/")  # the first request settles the session
        times = []
        for _ in range(3):
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                response = client.get(path)
                times.append(time.perf_counter() - t0)
            if response.status_code != 200:
                raise SystemExit(f"{name}: {path} answered {response.status_code}")
            if name == "report card" and b'data-testid="report-card"' not in response.content:
                raise SystemExit(
                    "report card: the figures were not stored (see warm_report_figures)"
                )
            # The last of three: a running server has its per-process caches (content types
            # for the audit log) warm after its first request.
            queries = ctx.captured_queries
        slowest = sorted(queries, key=lambda q: -float(q["time"]))[:3]
        rows.append(
            {
                "page": name,
                "path": path,
                "user": username,
                "queries": len(queries),
                "median_ms": round(statistics.median(times[1:]) * 1000, 1),
                "slowest": [
                    {"ms": round(float(q["time"]) * 1000, 1), "sql": q["sql"]} for q in slowest
                ],
            }
        )
    print(
        f"Team {chosen['team']} ({chosen['open_cases']} open cases); manager "
        f"{chosen['manager']}; worker {chosen['worker']}; case {chosen['case']} with "
        f"{chosen['case_members']} members"
    )
    print(f"{'page':<28}{'queries':>8}{'in-process ms':>15}")
    for r in rows:
        print(f"{r['page']:<28}{r['queries']:>8}{r['median_ms']:>15}")
    if "--json" in sys.argv:
        out = Path(sys.argv[sys.argv.index("--json") + 1])
        out.write_text(json.dumps({"chosen": chosen, "rows": rows}, indent=1, default=str))


if __name__ == "__main__":
    main()
