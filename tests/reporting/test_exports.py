"""CSV and XLSX exports of the report card: every measure and the throughput table, with
numbers as numbers and text a spreadsheet would run as a formula neutralised."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from families.models import MemberKind, Person, Relationship
from reporting import measures
from reporting.models import Quadrant

from .expected import CONTEXT, EXPECTED, THROUGHPUT
from .fixture import REPORT_NOW

pytestmark = pytest.mark.django_db

Q1_QUERY = "period_kind=quarter&year=2025&quarter=1"


@pytest.fixture(autouse=True)
def frozen(time_machine) -> None:
    time_machine.move_to(REPORT_NOW, tick=False)


def export(user, fmt: str, scope: str, basis: str = "events"):
    client = Client()
    client.force_login(user)
    url = f"{reverse('reporting:export', args=[fmt])}?scope={scope}&{Q1_QUERY}&basis={basis}"
    return client.get(url)


def csv_rows(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def xlsx_rows(response) -> list[list[object]]:
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(io.BytesIO(response.content))["Report card"]
    return [[c for c in row] for row in sheet.iter_rows(values_only=True)]


QUADRANTS = {q.value: str(q.label) for q in Quadrant}
HEADER = ["Quadrant", "Measure", "Value", "Unit", "Numerator", "Denominator"]
THROUGHPUT_HEADER = [
    "Throughput",
    "Team",
    "Referrals",
    "Inappropriate",
    "Progressing to assessment",
    "of which re-referrals",
    "Accepted to Phase 1",
    "Completed Phase 1",
    "Completed Phase 2 (planned end)",
    "Closed in Phase 2 for another reason",
]


def expected_measure_rows(scope: str, basis: str) -> list[list[object]]:
    """The measure lines and their breakdowns, in catalogue order, as Python values."""
    rows = []
    for definition in measures.CATALOGUE:
        f = EXPECTED[scope][basis][definition.code]
        quadrant = QUADRANTS[definition.quadrant]
        rows.append(
            [quadrant, definition.name, f["value"], f["unit"], f["numerator"], f["denominator"]]
        )
        for r in f["rows"]:
            if "before" in r:
                for when in ("before", "after"):
                    label = f"  {definition.name}: {r['label']}, {when}"
                    rows.append([quadrant, label, r[when], "count", r[when], None])
            elif r.get("label"):
                rows.append(
                    [
                        quadrant,
                        f"  {definition.name}: {r['label']}",
                        r.get("mean", r["n"]),
                        "mean" if "mean" in r else "count",
                        r["n"],
                        r.get("of"),
                    ]
                )
    return rows


def expected_throughput_rows(scope: str) -> list[list[object]]:
    return [
        [
            "Throughput",
            r["team"],
            r["referrals"],
            r["inappropriate"],
            r["assessed"],
            r["assessed_re"],
            r["accepted"],
            r["completed_phase1"],
            r["completed_phase2"],
            r["closed_phase2_other"],
        ]
        for r in THROUGHPUT[scope]
    ]


def as_csv(value: object) -> str:
    return "" if value is None else str(value)


def split(rows: list[list]) -> tuple[list, list, list]:
    """(measure rows, throughput rows, context rows) of an export."""
    blank = next(i for i, r in enumerate(rows) if not any(c not in (None, "") for c in r))
    assert rows[blank + 1][: len(THROUGHPUT_HEADER)] == THROUGHPUT_HEADER
    rest = rows[blank + 2 :]
    throughput = [r for r in rest if r[0] == "Throughput"]
    context = [r for r in rest if r[0] == "Context"]
    assert len(throughput) + len(context) == len(rest)
    return rows[1:blank], throughput, context


@pytest.mark.parametrize(("scope", "basis"), [("taff", "events"), ("taff", "cohort")])
def test_csv_has_every_measure_and_the_throughput_table(world, scope, basis) -> None:
    response = export(world.manager_a, "csv", f"team-{world.taff.pk}", basis)

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="report-card-team-{world.taff.pk}-20250401-20250630.csv"'
    )
    rows = csv_rows(response)
    assert rows[0] == HEADER
    measure_rows, throughput, context = split(rows)
    assert measure_rows == [[as_csv(c) for c in r] for r in expected_measure_rows(scope, basis)]
    assert throughput == [[as_csv(c) for c in r] for r in expected_throughput_rows(scope)]
    context_names = {r[1] for r in context}
    assert context_names == set(CONTEXT[scope])
    assert ["Context", "Male presence", "Families with an adult male", "4"] in context


def test_xlsx_has_every_measure_with_numbers_as_numbers(world) -> None:
    response = export(world.manager_a, "xlsx", f"team-{world.taff.pk}")

    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('-20250401-20250630.xlsx"')
    rows = xlsx_rows(response)
    assert rows[0][:6] == HEADER
    measure_rows, throughput, _context = split(rows)
    assert [r[:6] for r in measure_rows] == expected_measure_rows("taff", "events")
    assert [r[:10] for r in throughput] == expected_throughput_rows("taff")
    by_name = {r[1]: r for r in measure_rows}
    # Numbers, not text: counts are ints; percentages, hours and means (even negative
    # ones) are floats.
    assert type(by_name["Referrals received"][2]) is int
    assert by_name["First contact with the referrer in time"][2:6] == [80.0, "percent", 8, 10]
    assert type(by_name["Hours of direct work"][2]) is float
    assert by_name["SDQ total difficulties change (paired)"][2] == -5.5
    assert type(throughput[0][2]) is int


def test_xlsx_cells_are_typed_as_numbers(world) -> None:
    response = export(world.manager_a, "xlsx", f"team-{world.taff.pk}")
    sheet = load_workbook(io.BytesIO(response.content))["Report card"]
    sdq = next(
        r for r in sheet.iter_rows() if r[1].value == "SDQ total difficulties change (paired)"
    )
    assert sdq[2].data_type == "n" and sdq[2].value == -5.5
    formulas = [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []


def test_all_teams_export_for_the_administrator(world) -> None:
    rows = csv_rows(export(world.admin, "csv", "all"))
    measure_rows, throughput, _ = split(rows)
    assert measure_rows == [[as_csv(c) for c in r] for r in expected_measure_rows("all", "events")]
    assert throughput == [[as_csv(c) for c in r] for r in expected_throughput_rows("all")]


def test_exports_are_refused_to_other_roles(world) -> None:
    assert export(world.board_a, "csv", f"team-{world.taff.pk}").status_code == 404
    assert export(world.manager_b, "xlsx", f"team-{world.taff.pk}").status_code == 404
    assert export(world.manager_a, "pdf", f"team-{world.taff.pk}").status_code == 404


# --- Formula injection ------------------------------------------------------------------------

HYPERLINK = '=HYPERLINK("http://x")'


@pytest.fixture
def hostile_names(world):
    """Team names and a recorded ethnicity that a spreadsheet would run as formulas."""
    world.taff.name = HYPERLINK
    world.taff.save(update_fields=["name"])
    world.usk.name = "+cmd"
    world.usk.save(update_fields=["name"])
    Person.objects.create(
        family=world.fams["A1"].family,
        kind=MemberKind.ADULT,
        first_name="Eve",
        last_name="Morgan",
        relationship=Relationship.OTHER,
        ethnicity="@SUM(1+1)*cmd",
    )
    yield
    world.taff.name, world.usk.name = "Taff IFST", "Usk IFST"


def test_csv_neutralises_formulas(world, hostile_names) -> None:
    rows = csv_rows(export(world.admin, "csv", "all"))

    _, throughput, context = split(rows)
    assert sorted(r[1] for r in throughput) == ["'+cmd", "'" + HYPERLINK]
    assert ["Context", "Ethnicity", "'@SUM(1+1)*cmd", "1"] in context
    cells = [c for r in rows for c in r]
    assert not [c for c in cells if c[:1] in ("=", "+", "@")]
    assert not [c for c in cells if c.startswith("-") and not _is_number(c)]


def test_xlsx_neutralises_formulas(world, hostile_names) -> None:
    response = export(world.admin, "xlsx", "all")
    sheet = load_workbook(io.BytesIO(response.content))["Report card"]

    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    texts = [c.value for c in cells if c.data_type == "s"]
    assert "'" + HYPERLINK in texts
    assert "'+cmd" in texts
    assert "'@SUM(1+1)*cmd" in texts
    assert not [t for t in texts if t[:1] in ("=", "+", "-", "@")]
    # The throughput counts next to the hostile names are still numbers.
    row = next(r for r in sheet.iter_rows(values_only=True) if r[1] == "'" + HYPERLINK)
    assert row[2:9] == (10, 1, 8, 1, 5, 6, 1)


def test_a_team_manager_export_neutralises_their_own_team_name(world, hostile_names) -> None:
    rows = csv_rows(export(world.manager_a, "csv", f"team-{world.taff.pk}"))
    _, throughput, _ = split(rows)
    assert throughput == [["Throughput", "'" + HYPERLINK, "10", "1", "8", "1", "5", "6", "1", "0"]]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
