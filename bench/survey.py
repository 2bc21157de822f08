"""Every GET route × every role, in-process, on the dataset in DATABASE_URL (issue 15, item 2).

Run by hand, not in the suite (the suite's tests/performance/test_query_growth.py walks the
same routes on two small worlds and pins their query counts):

    DATABASE_URL=... DJANGO_SECRET_KEY=x IFSS_TWO_FACTOR_ROLES= IFSS_BENCH_FLOOR=true \\
        IFSS_TWO_FACTOR_FOR_ADMINS=false DJANGO_ALLOWED_HOSTS=testserver,127.0.0.1 \\
        python bench/survey.py --label f0.01 [--repeat 5] [--only admin:,families:]
    python bench/survey.py --compare bench/out/survey-f0.01.json bench/out/survey-f0.04.json

The routes are the URL resolver's (tests.performance.test_query_growth.every_route), so a new
route is surveyed without being listed. Each is asked for by every role of the busiest team
(practitioner: its busiest worker; CSW; manager; performance officer; board member; referrer)
and, for the Django admin's routes, by the administrator alone (the admin sends the rest to
its login page). Ids are realistic: the team's case with the most contacts (its family, an
adult of it, its latest review, plan, goal, contact and reading, its screening decision), the
team's oldest referral awaiting screening, a family due for the retention review; the admin's
change, delete and history pages use the same records, or a model's newest row. A page whose
first answer links to page 2 is also asked for at ?page=999999 (a counted list's last page,
the notifications' deepest, page 40), and a list read from where its last page ended at
?page=last (its oldest page), and the searches are asked for with a term
(SEARCHES).

Each (route, role) is asked for once (warm: templates, content types, prepared statements),
then `--repeat` times, timed; the queries are those of the timed request that ran fewest
(the once-a-minute session write is not the page's). The floor
(/bench/floor/: signed in, one query, a one-line template) is measured the same way, 30
times, before and after the walk. Writes bench/out/survey-<label>.json and .md.

The timings are in-process (Django's test client, no HTTP server) and, on a shared host,
noisy: compare query counts freely, and milliseconds only within one run.
"""

from __future__ import annotations

import json
import math
import os
import sys
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ifss.settings")

QUERY_BUDGET = 15
FLOOR_RATIO = 5
GROWTH_RATIO = 2
ROLES = ["practitioner", "csw", "manager", "performance", "board", "referrer", "admin"]


def _arg(name: str, default: str | None = None) -> str | None:
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


def pctl(times: list[float], p: float) -> float:
    """Nearest-rank percentile, in ms."""
    ordered = sorted(times)
    return ordered[max(0, math.ceil(p * len(ordered)) - 1)] * 1000


def users_and_records() -> tuple[dict, SimpleNamespace, dict]:
    """role -> user; the world of ids (the attributes URL_KWARGS reads); model -> record."""
    from django.db.models import Count, Max
    from targets import pick

    from accounts.models import Membership, Team, User
    from cases.models import Case, Contact, FamilyPlan
    from families.models import Person
    from notifications.models import Notification
    from outcomes.models import Goal, Reading
    from privacy.services import retention_due
    from referrals.models import Referral, ReferralDraft, ScreeningDecision, WaitingListEntry
    from reporting.models import PublishedCard, ReportBuild
    from reviews.models import Review
    from teamwork.models import Complaint, Consultation, Feedback, TrainingSession

    chosen = pick()
    team = Team.objects.get(pk=chosen["team_id"])

    def member(role: str) -> User | None:
        m = (
            Membership.objects.active()
            .filter(team=team, role=role, user__is_active=True)
            .order_by("user__username")
            .first()
        )
        return m.user if m else None

    csw = (
        User.objects.filter(memberships__team=team, memberships__role="csw", is_active=True)
        .annotate(n=Count("co_worked_cases", distinct=True))
        .order_by("-n", "pk")
        .first()
    ) or member("csw")
    referrer = (
        User.objects.filter(memberships__team=team, memberships__role="referrer")
        .annotate(n=Count("referrals_made"))
        .order_by("-n", "pk")
        .first()
    )
    users = {
        "practitioner": User.objects.get(username=chosen["worker"]),
        "csw": csw,
        "manager": User.objects.get(username=chosen["manager"]),
        "performance": member("performance"),
        "board": member("board"),
        "referrer": referrer,
        "admin": User.objects.filter(is_superuser=True).order_by("pk").first(),
    }
    case = Case.objects.select_related("family", "referral").get(pk=chosen["case"]["pk"])
    adult = (
        Person.objects.filter(family=case.family, kind="adult").order_by("pk").first()
        or Person.objects.filter(family=case.family).order_by("pk").first()
    )
    latest = lambda qs: qs.order_by("-pk").first()  # noqa: E731
    review = latest(Review.objects.filter(case=case, held_on__isnull=False)) or latest(
        Review.objects.filter(case=case)
    )
    goal = Goal.objects.filter(case=case).annotate(n=Count("scores")).order_by("-n", "pk").first()
    due = retention_due(team_ids=[team.pk]).first()
    retention_case = latest(Case.objects.filter(family=due)) if due else None
    referral = (
        Referral.objects.filter(team=team, status="submitted").order_by("received_at").first()
        or case.referral
    )
    notifications = {
        role: latest(Notification.objects.filter(recipient=user))
        for role, user in users.items()
        if user is not None
    }
    world = SimpleNamespace(
        users=users,
        team_a=team,
        case=case,
        journey=SimpleNamespace(case=case, adult=adult),
        review=review,
        plan=latest(FamilyPlan.objects.filter(case=case)),
        goal=goal,
        contact=latest(Contact.objects.filter(case=case)),
        reading=latest(Reading.objects.filter(case=case)),
        decision=latest(ScreeningDecision.objects.filter(referral=case.referral_id)),
        referral=referral,
        waiting=latest(WaitingListEntry.objects.current().filter(referral__team=team)),
        retention=SimpleNamespace(case=retention_case),
        notifications=notifications,
        draft=latest(ReferralDraft.objects.filter(owner=referrer)),
        report_build=latest(ReportBuild.objects.all()),
        published_card=latest(PublishedCard.objects.all()),
        teamwork={
            "consultations": latest(Consultation.objects.filter(team=team)),
            "training": latest(TrainingSession.objects.filter(team=team)),
            "feedback": latest(Feedback.objects.filter(case__team=team)),
            "complaints": latest(Complaint.objects.filter(team=team)),
        },
        import_run=None,
        api_token=None,
    )
    try:
        from imports.models import ImportRun

        world.import_run = latest(ImportRun.objects.all())
    except ImportError:
        pass
    try:
        from api.models import ApiToken

        world.api_token = latest(ApiToken.objects.all())
    except ImportError:
        pass
    records = {
        Case: case,
        type(case.family): case.family,
        Person: adult,
        Referral: case.referral,
        User: users["practitioner"],
        Team: team,
        Goal: goal,
        Contact: world.contact,
        Review: review,
        FamilyPlan: world.plan,
        Reading: world.reading,
        ScreeningDecision: world.decision,
        Membership: Membership.objects.filter(user=users["practitioner"]).first(),
    }
    info = {
        "team": team.name,
        "open_cases": chosen["open_cases"],
        "users": {r: (u.username if u else None) for r, u in users.items()},
        "case": case.pk,
        "case_contacts": chosen["case"]["n"],
        "case_members": chosen["case_members"],
        "family": case.family.name,
        "referral": referral.pk if referral else None,
        "retention_family": due.pk if due else None,
        "server": _server_settings(),
        "rows": {
            "cases": Case.objects.count(),
            "referrals": Referral.objects.count(),
            "people": Person.objects.count(),
            "contacts": Contact.objects.aggregate(n=Max("pk"))["n"],
        },
    }
    return users, world, {"records": records, "info": info}


# Searches asked for with a term, besides their bare page: (label, route, query string of
# the world). A term that finds the case's family, as a manager would type it.
def searches(world: SimpleNamespace) -> list[tuple[str, str, str]]:
    surname = world.journey.adult.last_name if world.journey.adult else "a"
    worker = world.users["practitioner"].username
    return [
        ("audit log: a user's name", "audit:log", f"actor={worker}"),
        ("audit log: a case's entries", "audit:log", f"record=case&record_id={world.case.pk}"),
        ("subject access: a surname", "privacy:subject_access", f"name={surname}"),
        ("subject access: 3 letters", "privacy:subject_access", f"name={surname[:3]}"),
    ]


def route_urls(world: SimpleNamespace, records: dict) -> tuple[dict[str, str], dict[str, str]]:
    """route name -> URL, and route name -> why it is not surveyed."""
    from django.urls import NoReverseMatch, reverse

    from tests.performance.test_query_growth import ALLOWED, admin_models, every_route
    from tests.security.access_matrix import URL_KWARGS

    models = admin_models()
    urls, skipped = {}, {}
    for name in every_route():
        if name in ALLOWED:
            skipped[name] = ALLOWED[name]
            continue
        try:
            if name in URL_KWARGS:
                kwargs = URL_KWARGS[name](world)
            elif name in models:
                model, action = models[name]
                if action in ("changelist", "add"):
                    kwargs = {}
                else:
                    obj = records.get(model) or model._default_manager.order_by("-pk").first()
                    if obj is None:
                        skipped[name] = "no row of the model in the dataset"
                        continue
                    kwargs = {"object_id": obj.pk}
            elif name == "admin:app_list":
                kwargs = {"app_label": "cases"}
            elif name == "admin:auth_user_password_change":
                kwargs = {"id": world.users["practitioner"].pk}
            else:
                kwargs = {}
            urls[name] = reverse(name, kwargs=kwargs)
        except (AttributeError, KeyError, TypeError):
            skipped[name] = "no such record in the dataset"
        except NoReverseMatch:
            skipped[name] = "needs ids this survey does not fill"
    return urls, skipped


def _server_settings() -> dict:
    """The PostgreSQL settings the timings depend on (docs/performance.md, "The machine")."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, current_setting(name) FROM pg_settings WHERE name IN "
            "('shared_buffers', 'work_mem', 'effective_cache_size', 'jit', 'server_version')"
        )
        return dict(cursor.fetchall())


def measure(client, url: str, repeat: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)  # warm
    status = response.status_code
    if status != 200:
        return {"status": status}
    times, queries = [], None
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - t0)
        # The fewest of the timed requests: the session is written at most once a minute
        # (accounts/middleware.py), one or two queries more on the request that does it.
        if queries is None or len(ctx.captured_queries) < len(queries):
            queries = ctx.captured_queries
    return {
        "status": response.status_code,
        "queries": len(queries),
        "p50": round(pctl(times, 0.5), 1),
        "p95": round(pctl(times, 0.95), 1),
        "paged": "seek"
        if b'data-testid="page-oldest"' in response.content
        else b"page=2" in response.content,
        "slowest": sorted(
            ({"ms": float(q["time"]) * 1000, "sql": q["sql"][:300]} for q in queries),
            key=lambda q: -q["ms"],
        )[:2],
    }


def survey() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    # The manifest the templates' {% static %} reads, as bench/run.sh makes it: without it
    # (collected with DEBUG on) the storage hashes the file on every tag, 0.3 ms a page.
    call_command("collectstatic", interactive=False, verbosity=0)
    label = _arg("--label", "survey")
    repeat = int(_arg("--repeat", "5"))
    only = _arg("--only")
    started = time.perf_counter()
    users, world, extra = users_and_records()
    urls, skipped = route_urls(world, extra["records"])
    clients = {}
    for role, user in users.items():
        if user is None:
            print(f"no {role} in the busiest team: not surveyed")
            continue
        client = Client(raise_request_exception=False)
        client.force_login(user)
        client.get("/accounts/password/")
        clients[role] = client

    def floor() -> dict:
        return measure(clients["manager"], "/bench/floor/", 30)

    floor_before = floor()
    if floor_before["status"] != 200:
        raise SystemExit("/bench/floor/ is off: set IFSS_BENCH_FLOOR=true")
    rows = []
    walk = [(name, url, name) for name, url in urls.items()]
    walk += [(f"{name}?{qs}", f"{urls[name]}?{qs}", label_) for label_, name, qs in searches(world)]
    for key, url, name in walk:
        if only and not key.startswith(tuple(only.split(","))):
            continue
        roles = ["admin"] if name.startswith("admin:") else [r for r in ROLES if r in clients]
        for role in roles:
            result = measure(clients[role], url, repeat)
            rows.append({"route": key, "role": role, "url": url, **result})
            if result.get("paged") and "?" not in url:
                # The last page: a counted list's, or the oldest of a list read from where
                # its last page ended (accounts.paging.seek_page).
                last = "last" if result["paged"] == "seek" else "999999"
                deep_url = f"{url}?page={last}"
                deep = measure(clients[role], deep_url, repeat)
                rows.append({"route": f"{key} (last page)", "role": role, "url": deep_url, **deep})
            if name.startswith("admin:") and name.endswith("_changelist") and "?" not in url:
                deep_url = f"{url}?p=200"  # the 10,000-row cap
                deep = measure(clients[role], deep_url, repeat)
                rows.append({"route": f"{key} (page 200)", "role": role, "url": deep_url, **deep})
    floor_after = floor()
    out = {
        "label": label,
        "repeat": repeat,
        "seconds": round(time.perf_counter() - started),
        "floor": {"before": floor_before, "after": floor_after},
        "info": extra["info"],
        "skipped": skipped,
        "rows": rows,
    }
    out_dir = ROOT / "bench" / "out"
    out_dir.mkdir(exist_ok=True)
    (out_dir / f"survey-{label}.json").write_text(json.dumps(out, indent=1, default=str))
    (out_dir / f"survey-{label}.md").write_text(markdown(out))
    print(markdown(out))


def floor_p95(out: dict) -> float:
    return max(out["floor"]["before"]["p95"], out["floor"]["after"]["p95"])


def markdown(out: dict) -> str:
    fl = floor_p95(out)
    lines = [
        f"Survey `{out['label']}`: {len(out['rows'])} requests of route × role, "
        f"{out['repeat']} timed each, {out['seconds']} s. Floor /bench/floor/ p50 "
        f"{out['floor']['before']['p50']} / {out['floor']['after']['p50']} ms, p95 "
        f"{out['floor']['before']['p95']} / {out['floor']['after']['p95']} ms (before / after "
        "the walk; the ratios below divide by the larger p95).",
        "",
        "| route | role | status | queries | p50 ms | p95 ms | × floor p95 |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in out["rows"]:
        if r["status"] != 200:
            continue
        flag = " **!**" if r["queries"] > QUERY_BUDGET or r["p95"] > FLOOR_RATIO * fl else ""
        lines.append(
            f"| {r['route']}{flag} | {r['role']} | {r['status']} | {r['queries']} | "
            f"{r['p50']} | {r['p95']} | {r['p95'] / fl:.1f} |"
        )
    others: dict[int, int] = {}
    for r in out["rows"]:
        if r["status"] != 200:
            others[r["status"]] = others.get(r["status"], 0) + 1
    lines += ["", "Not 200 (refused, redirected or POST only): " + str(others)]
    lines += ["", "Not surveyed: " + "; ".join(f"{k}: {v}" for k, v in out["skipped"].items())]
    return "\n".join(lines) + "\n"


def compare(small_path: str, large_path: str) -> None:
    small = json.loads(Path(small_path).read_text())
    large = json.loads(Path(large_path).read_text())
    fs, fl = floor_p95(small), floor_p95(large)
    before = {(r["route"], r["role"]): r for r in small["rows"] if r["status"] == 200}
    lines = [
        f"| route | role | queries {small['label']} → {large['label']} | p95 ms "
        f"{small['label']} → {large['label']} | growth | × floor ({large['label']}) |",
        "|---|---|---:|---:|---:|---:|",
    ]
    flagged = []
    for r in large["rows"]:
        b = before.get((r["route"], r["role"]))
        if r["status"] != 200 or b is None:
            continue
        # Time relative to each run's floor, so that a slower host at one size is not
        # taken for growth.
        growth = (r["p95"] / fl) / (b["p95"] / fs)
        over = []
        if r["queries"] > QUERY_BUDGET:
            over.append(f"{r['queries']} queries")
        if r["queries"] > b["queries"]:
            over.append("queries grow")
        if r["p95"] > FLOOR_RATIO * fl:
            over.append(f"{r['p95'] / fl:.1f}× floor")
        if growth > GROWTH_RATIO:
            over.append(f"{growth:.1f}× slower")
        row = (
            f"| {r['route']} | {r['role']} | {b['queries']} → {r['queries']} | "
            f"{b['p95']} → {r['p95']} | {growth:.1f}× | {r['p95'] / fl:.1f} |"
        )
        lines.append(row)
        if over:
            flagged.append(f"- `{r['route']}` as {r['role']}: " + ", ".join(over))
    text = "\n".join(lines) + "\n\nOver a target:\n" + ("\n".join(flagged) or "- none") + "\n"
    out = ROOT / "bench" / "out" / f"survey-{small['label']}-vs-{large['label']}.md"
    out.write_text(text)
    print(text)
    # One row per route: the most queries and the slowest p95 over the roles it answers.
    per_route: dict[str, dict] = {}
    for r in large["rows"]:
        b = before.get((r["route"], r["role"]))
        if r["status"] != 200 or b is None:
            continue
        row = per_route.setdefault(
            r["route"], {"roles": [], "q0": 0, "q1": 0, "t0": 0.0, "t1": 0.0, "who": ""}
        )
        row["roles"].append(r["role"])
        row["q0"], row["q1"] = max(row["q0"], b["queries"]), max(row["q1"], r["queries"])
        if r["p95"] > row["t1"]:
            row.update(t0=b["p95"], t1=r["p95"], who=r["role"])
    summary = [
        f"| route | roles answered (200) | most queries {small['label']} → {large['label']} | "
        f"slowest p95 ms {small['label']} → {large['label']} (role) | × floor |",
        "|---|---|---:|---:|---:|",
    ]
    for route, row in sorted(per_route.items()):
        flag = " **!**" if row["q1"] > QUERY_BUDGET or row["q1"] > row["q0"] else ""
        summary.append(
            f"| `{route}`{flag} | {len(row['roles'])} | {row['q0']} → {row['q1']} | "
            f"{row['t0']} → {row['t1']} ({row['who']}) | {row['t1'] / fl:.1f} |"
        )
    out = ROOT / "bench" / "out" / f"survey-{small['label']}-vs-{large['label']}-routes.md"
    out.write_text("\n".join(summary) + "\n")


if __name__ == "__main__":
    if "--compare" in sys.argv:
        i = sys.argv.index("--compare")
        compare(sys.argv[i + 1], sys.argv[i + 2])
    else:
        survey()
