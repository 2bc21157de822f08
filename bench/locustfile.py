"""Locust load test: each simulated user holds a signed-in session for each account the
benchmark uses (the busiest team's manager, its busiest practitioner, a board member) and
is one role of a realistic mix (targets.py: six practitioners, three managers and a board
member in every ten; BENCH_MIX=0 asks every page in turn instead), requesting its role's
pages in turn, back to back or with BENCH_THINK seconds between requests; the floor page is
among every role's pages, so it shares the run with the others. Pages, users and sessions come from
bench/out/ (written by bench/run.sh).

At the end it writes bench/out/locust_<users>.json: p50, p95 and errors per page."""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from pathlib import Path

from locust import HttpUser, events, task
from locust.clients import HttpSession

OUT = Path(__file__).parent / "out"
TARGETS = json.loads((OUT / "targets.json").read_text())
SESSIONS = json.loads((OUT / "sessions.json").read_text())
PASSWORD = os.environ.get("BENCH_PASSWORD", "synthetic-pass")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_slot = itertools.count()
_checked = set()


def check_password_sign_in(session, username: str) -> None:
    """One real sign-in per account, to show the password path works (not timed as a page)."""
    page = session.get("/accounts/login/", name="sign in (form)")
    token = CSRF.search(page.text).group(1)
    with session.post(
        "/accounts/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        name="sign in (password)",
        allow_redirects=False,
        catch_response=True,
    ) as response:
        if response.status_code != 302:
            response.failure(f"sign-in of {username} answered {response.status_code}")


# Think time between one user's requests, in seconds: BENCH_THINK="5-10" waits a random
# 5 to 10 s (issue 15: realistic load); unset or empty, none (each user back to back).
_THINK = os.environ.get("BENCH_THINK", "").strip()


def think_time() -> float:
    if not _THINK:
        return 0.0
    low, _sep, high = _THINK.partition("-")
    return random.uniform(float(low), float(high or low))


class Staff(HttpUser):
    wait_time = staticmethod(think_time)

    def on_start(self) -> None:
        slot = next(_slot)
        self.sessions = {}
        for username in sorted(set(TARGETS["users"].values())):
            session = HttpSession(
                base_url=self.host, request_event=self.environment.events.request, user=self
            )
            if username not in _checked:
                _checked.add(username)
                check_password_sign_in(session, username)
            else:
                key = SESSIONS[username][slot % len(SESSIONS[username])]
                session.cookies.set("sessionid", key)
            self.sessions[username] = session
        # BENCH_EXCLUDE: pages left out of this run (comma-separated names).
        skip = {n.strip() for n in os.environ.get("BENCH_EXCLUDE", "").split(",") if n.strip()}
        names = list(TARGETS["pages"])
        if os.environ.get("BENCH_MIX", "1") != "0" and TARGETS.get("mix"):
            # A realistic mix: each simulated user is one role (six practitioners, three
            # managers and a board member in every ten) asking for that role's pages.
            roles = [r for r, w in TARGETS["mix_weights"].items() for _ in range(w)]
            names = TARGETS["mix"][roles[slot % len(roles)]]
        self.pages = [(n, TARGETS["pages"][n]) for n in names if n not in skip]
        self.i = random.randrange(len(self.pages))

    @task
    def next_page(self) -> None:
        name, path = self.pages[self.i % len(self.pages)]
        self.i += 1
        session = self.sessions[TARGETS["users"][name]]
        with session.get(path, name=name, allow_redirects=False, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"{path} answered {r.status_code}")


@events.quitting.add_listener
def _write_results(environment, **_kwargs) -> None:
    users = os.environ.get("BENCH_USERS", "x") + os.environ.get("BENCH_TAG", "")
    rows = {}
    for (name, _method), entry in environment.stats.entries.items():
        rows[name] = {
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "p50": entry.get_response_time_percentile(0.5),
            "p95": entry.get_response_time_percentile(0.95),
            "rps": entry.total_rps,
        }
    total = environment.stats.total
    rows["Aggregated"] = {
        "requests": total.num_requests,
        "failures": total.num_failures,
        "p50": total.get_response_time_percentile(0.5),
        "p95": total.get_response_time_percentile(0.95),
        "rps": total.total_rps,
    }
    (OUT / f"locust_{users}.json").write_text(json.dumps(rows, indent=1))
