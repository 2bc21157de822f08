"""Questions a case's services ask of the apps above cases, answered by the functions those
apps register in their AppConfig.ready() (README "Architecture: layers"). outcomes
registers what the end of Phase 1 and the closure expect to have been measured, so cases
imports nothing of outcomes.

A registry rather than a signal: the services need the answers (a signal's receivers
report back awkwardly), and with no app registered there is simply nothing missing."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Case

# (case, {goal id: score}) -> what is missing, one sentence each. It raises ServiceError
# for scores the case cannot take (another case's goal, a score off the scale).
Phase1Check = Callable[["Case", dict[int, int]], list[str]]
# (case id) -> the missing closing readings and goal scores, one sentence each.
ClosingCheck = Callable[[int], list[str]]

_phase1_checks: list[Phase1Check] = []
_closing_checks: list[ClosingCheck] = []


def register_phase1_check(check: Phase1Check) -> None:
    if check not in _phase1_checks:
        _phase1_checks.append(check)


def register_closing_check(check: ClosingCheck) -> None:
    if check not in _closing_checks:
        _closing_checks.append(check)


def phase1_gaps(case: Case, scores: dict[int, int]) -> list[str]:
    return [gap for check in _phase1_checks for gap in check(case, scores)]


def closing_gaps(case_id: int) -> list[str]:
    return [gap for check in _closing_checks for gap in check(case_id)]
