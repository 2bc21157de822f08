"""`manage.py report_card`: the figures as JSON equal the hand-worked ones, --pdf writes a
PDF, and bad input is a CommandError that says what is wrong."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from .expected import CONTEXT, EXPECTED, THROUGHPUT
from .fixture import REPORT_NOW
from .test_card_views import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen(time_machine) -> None:
    time_machine.move_to(REPORT_NOW, tick=False)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("report_card", *args, stdout=out)
    return out.getvalue()


def figures(*args: str) -> dict:
    return json.loads(run(*args, "--json"))


def assert_matches(data: dict, scope: str, basis: str) -> None:
    assert list(data["measures"]) == list(EXPECTED[scope][basis])
    for code, expected in EXPECTED[scope][basis].items():
        got = data["measures"][code]
        assert {k: got[k] for k in expected} == expected, code
    assert data["throughput"] == THROUGHPUT[scope]
    for name, rows in CONTEXT[scope].items():
        got = [
            tuple(r.values()) if name != "Male presence" else (r["label"], r["n"])
            for r in data["context"][name]
        ]
        want = [tuple(r[:2]) for r in rows]
        if name in ("Ethnicity", "Substances"):
            got, want = sorted(got), sorted(want)
        assert got == want, name


def test_team_quarter_json(world) -> None:
    data = figures("--team", "Taff IFST", "--period", "2025Q1")

    assert data["scope"] == "Taff IFST"
    assert data["period"] == {"label": "Q1 2025-26", "start": "2025-04-01", "end": "2025-06-30"}
    assert data["basis"] == "events"
    assert data["measures"]["first_contact"]["name"] == "First contact with the referrer in time"
    assert_matches(data, "taff", "events")


def test_local_authority_cohort_json(world) -> None:
    data = figures("--la", "Cardiff", "--period", "2025Q1", "--cohort")

    assert (data["scope"], data["basis"]) == ("Cardiff", "cohort")
    assert_matches(data, "cardiff", "cohort")


def test_all_teams_date_range_json(world) -> None:
    data = figures("--all", "--period", "2025-04-01..2025-06-30")

    assert data["scope"] == "All teams"
    assert data["period"]["label"] == "01 Apr 2025 to 30 Jun 2025"
    assert_matches(data, "all", "events")


def test_usk_json_uses_its_48_hour_first_contact_target(world) -> None:
    data = figures("--team", "Usk IFST", "--period", "2025Q1")
    assert data["measures"]["first_contact"]["numerator"] == 3
    assert_matches(data, "usk", "events")


def test_pdf(world, tmp_path, settings) -> None:
    settings.REPORT_SUPPRESS_BELOW = 5
    target = tmp_path / "card.pdf"

    out = run("--team", "Taff IFST", "--period", "2025Q1", "--pdf", str(target))

    assert f"Wrote {target}" in out
    text = pdf_text(target.read_bytes())
    assert "Results Based Accountability report card" in text
    assert "Taff IFST · Q1 2025-26" in text
    assert "8 / 10" in text  # first contact: both counts at least 5
    assert 'Counts below 5 are shown as "<5"' in text  # a board output


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2025Q5", "not a period: '2025Q5'"),
        ("last quarter", "not a period: 'LAST QUARTER'"),
        ("2025-06-30..2025-04-01", "the period ends before it starts"),
        ("2025-02-30..2025-03-31", "day is out of range for month"),
    ],
)
def test_a_bad_period_is_a_command_error(world, period, message) -> None:
    with pytest.raises(CommandError, match=message):
        run("--team", "Taff IFST", "--period", period, "--json")


def test_an_unknown_team_or_authority_is_a_command_error(world) -> None:
    with pytest.raises(CommandError, match="No team called 'Nowhere IFST'"):
        run("--team", "Nowhere IFST", "--period", "2025Q1", "--json")
    with pytest.raises(CommandError, match="No local authority called 'Atlantis'"):
        run("--la", "Atlantis", "--period", "2025Q1", "--json")


@pytest.mark.parametrize(
    "args",
    [
        ("--period", "2025Q1", "--json"),  # no scope
        ("--team", "Taff IFST", "--all", "--period", "2025Q1", "--json"),  # two scopes
        ("--team", "Taff IFST", "--period", "2025Q1"),  # neither --json nor --pdf
        ("--team", "Taff IFST", "--json"),  # no period
    ],
)
def test_missing_or_conflicting_options_are_command_errors(world, args) -> None:
    with pytest.raises(CommandError):
        run(*args)
