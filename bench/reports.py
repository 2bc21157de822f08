"""Issue 15, item 4: the figures and PDFs, each in a fresh process (run by bench/cold.sh
after PostgreSQL is restarted and the OS page cache dropped, so nothing is warm).

    python bench/reports.py all-figures   # all-teams quarterly figures, computed now
    python bench/reports.py la-card       # the busiest local authority's card, nothing stored
    python bench/reports.py team-card     # the busiest team's card, nothing stored
    python bench/reports.py pdf           # all teams: card from stored trends, and its PDF
    python bench/reports.py store-all     # (before a restart) the all-teams card's figures
                                          # stored, as the nightly job keeps them
    python bench/reports.py all-page      # the all-teams card page, first request, stored

Each prints one JSON line: what, seconds, queries. Writes into the bench database only
(stored figure sets are deleted and computed again)."""

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
from django.db.models import Count  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import LocalAuthority  # noqa: E402
from families.models import Family  # noqa: E402
from reporting.card import board_suppression, build_card  # noqa: E402
from reporting.models import FigureSet  # noqa: E402
from reporting.pdf import render_report_card_pdf  # noqa: E402
from reporting.periods import previous_quarter, quarter_containing  # noqa: E402
from reporting.queries import Scope, la_scope, team_scope  # noqa: E402


def timed(label: str, fn):
    with CaptureQueriesContext(connection) as ctx:
        t0 = time.perf_counter()
        value = fn()
        seconds = time.perf_counter() - t0
    print(json.dumps({"what": label, "seconds": round(seconds, 2), "queries": len(ctx)}))
    return value


def busiest_la() -> LocalAuthority:
    la_id = (
        Family.objects.values("local_authority_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("local_authority_id", flat=True)
        .first()
    )
    return LocalAuthority.objects.get(pk=la_id)


def busiest_team_scope() -> Scope:
    from accounts.models import Team

    team = Team.objects.annotate(n=Count("cases")).order_by("-n", "pk").first()
    return team_scope(team)


def main(what: str) -> None:
    quarter = previous_quarter(quarter_containing(timezone.localdate()))
    if what == "all-figures":
        timed(
            f"all-teams quarterly figures {quarter.label}, first request after restart",
            lambda: build_card(Scope("all"), quarter, with_trends=False),
        )
        timed(
            "all-teams quarterly figures, again (same process)",
            lambda: build_card(Scope("all"), quarter, with_trends=False),
        )
    elif what in ("la-card", "team-card"):
        scope = la_scope(busiest_la()) if what == "la-card" else busiest_team_scope()
        FigureSet.objects.filter(scope_key=scope.key).delete()
        timed(
            f"{scope.label} card {quarter.label}, nothing stored (9 sets computed)",
            lambda: build_card(scope, quarter, suppress=board_suppression()),
        )
        card = timed(
            f"{scope.label} card, stored",
            lambda: build_card(scope, quarter, suppress=board_suppression(), fresh=False),
        )
        timed(f"{scope.label} card PDF (render)", lambda: render_report_card_pdf(card))
    elif what == "pdf":
        scope = Scope("all")
        card = timed(
            "all-teams card, trend quarters stored",
            lambda: build_card(scope, quarter, suppress=board_suppression()),
        )
        timed("all-teams card PDF (render)", lambda: render_report_card_pdf(card))
    elif what == "store-all":
        from reporting import store

        timed(
            "all-teams card figures stored", lambda: store.gather(Scope("all"), quarter, "events")
        )
    elif what == "all-page":
        from django.test import Client

        from accounts.models import User

        client = Client()
        client.force_login(User.objects.filter(is_superuser=True).order_by("pk").first())
        fy, q = int(quarter.label.split()[1][:4]), int(quarter.label[1])
        url = f"/reporting/?scope=all&period_kind=quarter&year={fy}&quarter={q}&basis=events"
        response = timed(
            f"all-teams card page {quarter.label}, first request after restart (stored figures)",
            lambda: client.get(url),
        )
        assert response.status_code == 200 and b"data-measure=" in response.content
        timed("all-teams card page, again", lambda: client.get(url))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "")
