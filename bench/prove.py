"""Proof for the proposed changes (docs/performance.md, "Proposed changes"), without
changing the app: each candidate index is created inside a transaction that is rolled
back, and each query rewrite is built here beside the app's own query. For each, the
EXPLAIN ANALYZE before and after. Writes bench/out/prove.txt. Bench database only
(CREATE INDEX locks the table against writes while it runs).

    python bench/prove.py"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ifss.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models import (  # noqa: E402
    Avg,
    Count,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import Cast  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Team  # noqa: E402
from cases import pathway  # noqa: E402
from cases.models import Assessment, Case, Contact  # noqa: E402
from outcomes.models import Occasion, Reading  # noqa: E402
from reminders import deadlines  # noqa: E402
from reporting.periods import previous_quarter, quarter_containing  # noqa: E402
from reporting.queries import Report, Scope, team_scope  # noqa: E402

OUT = ROOT / "bench" / "out"
lines: list[str] = []


def explain(sql: str, params=None) -> tuple[float, str]:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        plan = "\n".join(r[0] for r in cursor.fetchall())
    ms = float(re.search(r"Execution Time: ([\d.]+) ms", plan).group(1))
    return ms, plan


def captured(fn) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return [q["sql"] for q in ctx.captured_queries]


def slowest_sql(fn, must_contain: str) -> str:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    rows = [q for q in ctx.captured_queries if must_contain in q["sql"]]
    return max(rows, key=lambda q: float(q["time"]))["sql"]


def section(title: str, before_sql: str, after_sql: str, setup: str | None = None) -> None:
    before_ms, before_plan = explain(before_sql)
    with transaction.atomic():
        if setup:
            with connection.cursor() as cursor:
                cursor.execute(setup)
                cursor.execute("ANALYZE")
        after_ms, after_plan = explain(after_sql)
        transaction.set_rollback(True)
    print(f"{title}: {before_ms:.1f} ms -> {after_ms:.1f} ms", flush=True)
    lines.append(
        f"### {title}\n\nbefore: {before_ms:.1f} ms, after: {after_ms:.1f} ms"
        + (f"\n\nchange: {setup}" if setup else "")
        + f"\n\nquery before:\n{before_sql}\n\nplan before:\n{before_plan}\n"
        f"\nquery after:\n{after_sql}\n\nplan after:\n{after_plan}\n"
    )


def main() -> None:
    targets = json.loads((OUT / "targets.json").read_text())
    team = Team.objects.get(pk=targets["team_id"])
    quarter = previous_quarter(quarter_containing(timezone.localdate()))

    # 1. The paired reading change: the "before" subquery inherits Reading's default
    # ordering (person, instrument, taken_on), which joins families_person and sorts, for
    # every reading in the period. .order_by() drops both.
    report = Report(team_scope(team), quarter)
    before = slowest_sql(lambda: report.reading_change("wemwbs"), "outcomes_reading")
    start = (
        Reading.objects.filter(
            case=OuterRef("case"),
            person=OuterRef("person"),
            instrument="wemwbs",
            occasion=Occasion.START,
        )
        .order_by()
        .values("total")[:1]
    )
    later_closure = Reading.objects.filter(
        case=OuterRef("case"),
        person=OuterRef("person"),
        instrument="wemwbs",
        occasion=Occasion.CLOSURE,
    )
    qs = Reading.objects.filter(
        report.scope.on("case__"),
        instrument="wemwbs",
        occasion__in=[Occasion.END_PHASE1, Occasion.CLOSURE],
        taken_on__gte=quarter.start,
        taken_on__lte=quarter.end,
    ).exclude(Q(occasion=Occasion.END_PHASE1) & Exists(later_closure))
    after_sql = captured(
        lambda: (
            qs.annotate(before=Subquery(start, output_field=IntegerField()))
            .filter(before__isnull=False)
            .aggregate(n=Count("pk"), mean=Avg(Cast(F("total") - F("before"), FloatField())))
        )
    )[0]
    section(
        "Report card: paired WEMWBS change, one team, one quarter (order_by())", before, after_sql
    )

    # 2. The same measure for all teams: the period filter on taken_on has no index.
    report_all = Report(Scope("all"), quarter)
    before = slowest_sql(lambda: report_all.reading_change("sdq"), "outcomes_reading")
    section(
        "All teams: paired SDQ change, index on Reading(instrument, taken_on)",
        before,
        before,
        'CREATE INDEX prove_reading_taken ON "outcomes_reading" ("instrument", "taken_on")',
    )

    # 3. All teams: direct hours in the period scan every contact.
    before = slowest_sql(report_all.direct_hours, "cases_contact")
    section(
        "All teams: direct hours, index on Contact(started_at)",
        before,
        before,
        'CREATE INDEX prove_contact_started ON "cases_contact" ("started_at")',
    )

    # 4. All teams: stage changes in the period (phases, throughput).
    before = slowest_sql(report_all.phases, "cases_stagechange")
    section(
        "All teams: phases, index on StageChange(changed_at)",
        before,
        before,
        'CREATE INDEX prove_stage_changed ON "cases_stagechange" ("changed_at")',
    )

    # 5. All teams: reviews due in the period.
    before = slowest_sql(report_all.reviews_on_time, "reviews_review")
    section(
        "All teams: reviews on time, index on Review(due_on)",
        before,
        before,
        'CREATE INDEX prove_review_due ON "reviews_review" ("due_on")',
    )

    # 6. The due page / sweep: Phase 1 minutes summed by joining every open case's contacts
    # (all stages). A correlated subquery per Phase 1 case uses contact_case_stage_idx.
    teams = {team.pk: team}
    now = timezone.now()
    before = slowest_sql(lambda: deadlines.case_deadlines([team.pk], teams, now), "cases_case")
    minutes = (
        Contact.objects.filter(case=OuterRef("pk"), stage=pathway.Stage.PHASE1, work_type="direct")
        .order_by()
        .values("case")
        .annotate(total=Sum("duration_minutes"))
        .values("total")
    )
    rewritten = (
        Case.objects.open()
        .filter(team_id__in=[team.pk])
        .select_related("family")
        .annotate(
            assessed=Exists(
                Assessment.objects.filter(case=OuterRef("pk"), completed_at__isnull=False)
            ),
            phase1_minutes=Subquery(minutes, output_field=IntegerField()),
        )
        .only(
            "pk",
            "team_id",
            "stage",
            "worker_id",
            "co_worker_id",
            "phase1_start",
            "allocated_at",
            "assessment_clock_from",
            "family__name",
        )
    )
    after_sql = captured(lambda: list(rewritten))[0]
    section("Due page: open cases with Phase 1 minutes (subquery, no join)", before, after_sql)

    # 7. Home dashboard: the screening counts aggregate every referral of the team.
    from referrals.models import Referral

    def home_counts(statuses=None):
        qs = Referral.objects.filter(team_id__in=[team.pk])
        if statuses:
            qs = qs.filter(status__in=statuses)
        return qs.aggregate(
            awaiting=Count("pk", filter=Q(status="submitted")),
            no_contact=Count("pk", filter=Q(status="submitted", first_contact_at__isnull=True)),
            to_allocate=Count("pk", filter=Q(status="accepted")),
        )

    before = captured(home_counts)[0]
    after_sql = captured(lambda: home_counts(["submitted", "accepted"]))[0]
    section("Home: screening counts, filtered to the two statuses first", before, after_sql)

    (OUT / "prove.txt").write_text("\n".join(lines))
    print(f"written to {OUT / 'prove.txt'}")


if __name__ == "__main__":
    main()
