"""Deadline arithmetic has one home, cases/deadlines.py (issue 19): its functions, and a
scan of every app module (not tests, not migrations) that fails on a bare deadline number
anywhere else: a timedelta of a literal, or 24 * 60 and the like. A named module-level
constant is a name, not a bare number; one calendar day (timedelta(days=1), the step to the
next day) is not a deadline. ALLOWED names the modules that may, and why."""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime, timedelta

from cases import clock, deadlines, pathway
from tests.codescan import app_modules

HOME = "cases/deadlines.py"
# Path ending -> why its literal durations are not deadlines.
ALLOWED: dict[str, str] = {
    "synthetic/generator.py": "random draws of a synthetic history (how late, how long)",
    "management/commands/load_demo.py": "the demo families' story: when each thing happened",
    "synthetic/demo.py": "the demo's history: when each past quarter's card was published",
    "referrals/forms.py": "an unborn child's expected date: pregnancy, not a deadline",
}
TIME_FACTORS = {7, 24, 60}


def _number(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, int | float)
        and not isinstance(node.value, bool)
    )


def _one_day(call: ast.Call) -> bool:
    return (
        not call.args
        and len(call.keywords) == 1
        and call.keywords[0].arg == "days"
        and isinstance(call.keywords[0].value, ast.Constant)
        and call.keywords[0].value.value == 1
    )


def bare_durations(modules=None) -> list[tuple[str, int, str]]:
    found = []
    for rel, tree in app_modules() if modules is None else modules:
        named = set()  # nodes inside a module-level constant: NAME = timedelta(days=7)
        for node in tree.body:
            if isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if all(isinstance(t, ast.Name) and t.id.isupper() for t in targets):
                    named |= {id(sub) for sub in ast.walk(node)}
        for node in ast.walk(tree):
            if id(node) in named:
                continue
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                values = [*node.args, *(k.value for k in node.keywords)]
                if name == "timedelta" and any(map(_number, values)) and not _one_day(node):
                    found.append((rel, node.lineno, ast.unparse(node)))
            elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
                if _number(node.left) and _number(node.right):
                    if {node.left.value, node.right.value} & TIME_FACTORS:
                        found.append((rel, node.lineno, ast.unparse(node)))
    return found


def _allowed(rel: str) -> bool:
    return rel == HOME or any(rel.endswith(ending) for ending in ALLOWED)


def test_no_bare_deadline_numbers_outside_the_deadlines_module():
    outside = [b for b in bare_durations() if not _allowed(b[0])]
    assert outside == [], f"Name the deadline in cases/deadlines.py and use it: {outside}"


def test_the_scan_sees_bare_durations_and_spares_names():
    source = """
LIMIT = timedelta(days=7)
due = start + timedelta(days=7)
soon = now + timezone.timedelta(hours=72)
minutes = 24 * 60
tomorrow = day + timedelta(days=1)
later = start + timedelta(weeks=team.weeks)
"""
    found = [text for _r, _l, text in bare_durations([("x/y.py", ast.parse(source))])]
    assert sorted(found) == ["24 * 60", "timedelta(days=7)", "timezone.timedelta(hours=72)"]


def test_each_allowance_is_still_needed():
    used = {rel for rel, _l, _t in bare_durations()}
    for ending in ALLOWED:
        assert any(rel.endswith(ending) for rel in used), ending


# --- The arithmetic --------------------------------------------------------------------
RECEIVED = datetime(2025, 3, 7, 16, 0, tzinfo=UTC)  # a Friday


def test_first_contact_is_due_the_teams_hours_after_receipt():
    assert deadlines.first_contact_due(RECEIVED, 24) == RECEIVED + timedelta(hours=24)
    assert deadlines.first_contact_due(RECEIVED, 4) == datetime(2025, 3, 7, 20, tzinfo=UTC)


def test_screening_is_due_the_teams_days_after_receipt():
    assert deadlines.screening_due(RECEIVED, 5) == datetime(2025, 3, 12, 16, tzinfo=UTC)


def test_the_assessment_is_due_on_the_teams_clock():
    # Friday 16:00 + 72 working hours skips the weekend: 8 hours on Friday, 24 on Monday
    # and on Tuesday, 16 on Wednesday (GMT in March).
    due = deadlines.assessment_due(RECEIVED, deadlines.ASSESSMENT_HOURS, clock.WORKING)
    assert due.astimezone(UTC) == datetime(2025, 3, 12, 16, tzinfo=UTC)
    clock_due = deadlines.assessment_due(RECEIVED, deadlines.ASSESSMENT_HOURS, clock.CLOCK)
    assert clock_due == RECEIVED + timedelta(hours=72)


def test_phase1_is_due_at_the_teams_maximum_weeks_and_checked_after_its_first_week():
    start = date(2025, 3, 3)
    assert deadlines.phase1_due(start, 6) == date(2025, 4, 14)
    assert deadlines.after_first_week(start) == date(2025, 3, 10)
    assert pathway.PROJECT_AFTER_DAYS == deadlines.PHASE1_FIRST_WEEK.days == 7


def test_a_review_window_is_the_days_either_side_of_its_due_date():
    assert deadlines.review_window(date(2025, 6, 15), 14) == (date(2025, 6, 1), date(2025, 6, 29))


def test_the_report_bands_and_limits_keep_their_values():
    assert deadlines.ASSESSMENT_BANDS == {
        "h72": timedelta(hours=72),
        "week": timedelta(days=7),
        "fortnight": timedelta(days=14),
    }
    assert deadlines.MAX_CONTACT_MINUTES == 1440
    assert deadlines.REVIEW_GRACE == timedelta(days=14)
    assert deadlines.REREFERRAL_WINDOW == timedelta(days=365)
    assert deadlines.DUE_SOON == timedelta(days=7)
