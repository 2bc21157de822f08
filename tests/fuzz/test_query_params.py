"""The search and filter parameters of the list pages, fed fuzzed values by Hypothesis.

A GET never writes anything the invariants are about, so the check is the status: below
500 for any value of any parameter (and for parameters the page does not know).
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from cases import pathway
from tests.cases.journey import make_case
from tests.referrals.support import fast_password_hashing  # noqa: F401 - autouse fixture

from .harness import FUZZ, Request, login, send_and_check
from .strategies import values

pytestmark = pytest.mark.django_db

# Each page and the parameters its filters and search form send (with values worth trying).
PAGES: dict[str, dict[str, list[str]]] = {
    "referrals:list": {
        "q": ["Evans", "NP20"],
        "status": ["submitted", "allocated", "bogus"],
        "page": ["1", "2", "last", "0", "-1"],
    },
    "referrals:screening": {"page": ["1", "last", "9999"]},
    "referrals:waiting_list": {"page": ["1", "last"]},
    "cases:list": {
        "stage": ["open", "all", *pathway.Stage, "bogus"],
        "q": ["Evans"],
        "page": ["1", "2", "last"],
    },
    "reminders:due": {"worker": ["none", "1", "2", "-1"], "page": ["1", "last"]},
    "reminders:mine": {"page": ["1", "last", "0", "9999"]},
    "audit:log": {
        "actor": ["manager_a"],
        "record": ["case", "referral", "family", "person", "user", "bogus"],
        "record_id": ["1", "0", "-1"],
        "action": ["0", "1", "2", "3", "99"],
        "date_from": ["2025-01-01"],
        "date_to": ["2025-12-31"],
        "page": ["1", "last"],
    },
    "privacy:subject_access": {"name": ["Kerry", "Jones"], "date_of_birth": ["1990-05-01"]},
    "notifications:list": {"page": ["1", "last"]},
    **{
        f"teamwork:{slug}": {
            "q": ["Health", "Evans", "x" * 201],
            "date_from": ["2025-04-01", "0001-01-01", "2025-02-30"],
            "date_to": ["2025-03-31", "9999-12-31"],
            "page": ["1", "2", "last", "0"],
        }
        for slug in ("consultations", "training", "feedback", "complaints")
    },
    **{
        f"teamwork:{one}_cases": {"case": ["Evans", "1", "case 1", "x", "a\x00b", "9" * 40]}
        for one in ("feedback", "complaint")
    },
    "reporting:card": {
        "scope": ["team-1", "team-2", "la-1", "all"],
        "period_kind": ["quarter", "year", "range"],
        "year": ["2025", "2000", "2100", "2101"],
        "quarter": ["1", "4", "5"],
        "date_from": ["2025-04-01", "0001-01-01"],
        "date_to": ["2025-06-30", "9999-12-31"],
        "basis": ["events", "cohort"],
    },
    "reporting:reports": {"as_at": ["2025-07-01", "0001-01-01", "9999-12-31", "2025-02-30"]},
}
PAGES["reporting:revision"] = PAGES["reporting:card"]


@pytest.fixture
def manager_client(team_a, manager, practitioner, referrer):
    make_case(team_a, manager, practitioner, referrer, stage=pathway.Stage.PHASE1)
    return login(manager)


@pytest.mark.parametrize("page", sorted(PAGES))
@FUZZ
@given(data=st.data())
def test_fuzzed_filters_are_never_a_500(manager_client, page: str, data) -> None:
    known = PAGES[page]
    names = data.draw(
        st.lists(st.sampled_from([*known, "unknown", "page"]), min_size=1, max_size=4, unique=True),
        label="parameters",
    )
    params = {}
    for name in names:
        value = values(known.get(name, []))
        params[name] = data.draw(
            st.one_of(value, st.lists(value, min_size=2, max_size=3)), label=name
        )
    send_and_check(manager_client, Request(reverse(page), params, method="get"))
