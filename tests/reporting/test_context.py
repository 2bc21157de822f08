"""The report's context (who was referred) counts each member of a referred family once,
however often the family was referred in the period (reporting.queries.Report.context reads
the members by `family_id IN (...)`, not through a join with the referrals)."""

from __future__ import annotations

import pytest

from reporting.periods import quarter
from reporting.queries import Report, team_scope

from .fixture import adult, at, child, d, fam, make_cast

pytestmark = pytest.mark.django_db


def test_the_context_counts_each_member_once_however_often_the_family_was_referred(
    time_machine,
) -> None:
    """A family referred twice in the quarter, and a member using two substances, are
    counted once."""
    cast = make_cast(prefix="ctx")
    f = fam(
        cast,
        "A",
        "Twice",
        "cardiff",
        "lone_mother",
        [
            adult("Ann", "female", "White Welsh", ("alcohol", "cannabis")),
            child("Bo", d(2020, 1, 1)),
        ],
    )
    f.refer(at(2023, 10, 2))
    f.refer(at(2023, 11, 6), again=True)
    time_machine.move_to(at(2024, 1, 5), tick=False)

    for basis in ("events", "cohort"):
        tables = Report(team_scope(cast.taff), quarter(2023, 3), basis).context()
        pairs = {name: [(r["label"], r["n"]) for r in rows] for name, rows in tables.items()}
        assert pairs["Ethnicity"] == [("White Welsh", 1)], basis
        assert pairs["Sex of substance users"] == [("Female", 1)], basis
        assert sorted(pairs["Substances"]) == [("Alcohol", 1), ("Cannabis", 1)], basis
        assert dict(pairs["Children by age band"])["3-6"] == 1, basis
        assert pairs["Household type"][0][1] == 1, basis
        assert tables["Male presence"][0]["of"] == 1, basis
