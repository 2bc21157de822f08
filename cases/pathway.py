"""The IFSS pathway as a table. No ORM here: this module is tested without a database."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class Stage(StrEnum):
    AWAITING_ASSESSMENT = "awaiting_assessment"
    ASSESSMENT = "assessment"
    PHASE1 = "phase1"
    STEP_DOWN = "step_down"
    PHASE2 = "phase2"
    CLOSED = "closed"


LABELS = {
    Stage.AWAITING_ASSESSMENT: _("Awaiting assessment"),
    Stage.ASSESSMENT: _("Assessment"),
    Stage.PHASE1: _("Phase 1"),
    Stage.STEP_DOWN: _("Step-down"),
    Stage.PHASE2: _("Phase 2"),
    Stage.CLOSED: _("Closed"),
}

CHOICES = [(stage.value, LABELS[stage]) for stage in Stage]

# Where every case starts: allocation opens it awaiting its assessment.
FIRST_STAGE = Stage.AWAITING_ASSESSMENT
OPEN_STAGES = tuple(s for s in Stage if s is not Stage.CLOSED)
# Stages that count against a practitioner's intensive capacity (DOMAIN.md section 2).
INTENSIVE_STAGES = (
    Stage.AWAITING_ASSESSMENT,
    Stage.ASSESSMENT,
    Stage.PHASE1,
    Stage.STEP_DOWN,
)

# Which stage may follow which. Early closure is allowed from any open stage.
TRANSITIONS: dict[Stage, frozenset[Stage]] = {
    Stage.AWAITING_ASSESSMENT: frozenset({Stage.ASSESSMENT, Stage.CLOSED}),
    Stage.ASSESSMENT: frozenset({Stage.PHASE1, Stage.CLOSED}),
    Stage.PHASE1: frozenset({Stage.STEP_DOWN, Stage.PHASE2, Stage.CLOSED}),
    Stage.STEP_DOWN: frozenset({Stage.PHASE2, Stage.CLOSED}),
    Stage.PHASE2: frozenset({Stage.CLOSED}),
    Stage.CLOSED: frozenset(),
}


def can_move(current: Stage | str, target: Stage | str, *, step_down_enabled: bool) -> bool:
    current, target = Stage(current), Stage(target)
    if target not in TRANSITIONS[current]:
        return False
    if target is Stage.STEP_DOWN and not step_down_enabled:
        return False
    return True


def next_stages(current: Stage | str, *, step_down_enabled: bool) -> list[Stage]:
    return [s for s in Stage if can_move(current, s, step_down_enabled=step_down_enabled)]


# --- Guards -------------------------------------------------------------------------
# A guard looks at plain facts about a case (gathered by the service) and returns the
# reason a move is refused, or None. No database access here.


class CaseFacts:
    __slots__ = ("stage", "step_down_enabled", "assessment_decision", "has_plan")

    def __init__(
        self,
        *,
        stage: Stage | str,
        step_down_enabled: bool = False,
        assessment_decision: str = "",
        has_plan: bool = False,
    ) -> None:
        self.stage = Stage(stage)
        self.step_down_enabled = step_down_enabled
        self.assessment_decision = assessment_decision
        self.has_plan = has_plan


def refusal(facts: CaseFacts, target: Stage | str) -> str | None:
    """Why the case may not move to target, or None if it may."""
    target = Stage(target)
    if not can_move(facts.stage, target, step_down_enabled=facts.step_down_enabled):
        return str(
            _("A case cannot move from %(a)s to %(b)s.")
            % {"a": LABELS[facts.stage], "b": LABELS[target]}
        )
    if target is Stage.PHASE1 and facts.assessment_decision != "proceed":
        return str(_("Phase 1 starts only after a decision to proceed at assessment."))
    if target in (Stage.STEP_DOWN, Stage.PHASE2) and not facts.has_plan:
        return str(_("Agree the Family Plan before Phase 1 ends."))
    return None


# --- Phase 1 progress ----------------------------------------------------------------

GUIDELINE_MIN_HOURS = 40
GUIDELINE_MAX_HOURS = 120
# Hours are projected only from a full week of work: a day or two says nothing.
PROJECT_AFTER_DAYS = 7


def phase1_progress(
    *,
    start: date,
    today: date,
    direct_hours: float,
    min_weeks: int,
    max_weeks: int,
    min_hours: int,
) -> dict[str, float | int | bool]:
    """Week number against the 4-6 week target, and hours projected to the planned end.
    The projection warns (below the team's minimum, or past the guideline's maximum) only
    once a full week has passed."""
    elapsed_days = max((today - start).days + 1, 1)
    week = (elapsed_days - 1) // 7 + 1
    planned_days = max_weeks * 7
    projected = direct_hours / elapsed_days * planned_days if elapsed_days else 0.0
    can_project = (today - start).days >= PROJECT_AFTER_DAYS
    return {
        "week": week,
        "min_weeks": min_weeks,
        "max_weeks": max_weeks,
        "direct_hours": round(direct_hours, 1),
        "projected_hours": round(projected, 1),
        "guideline_min": GUIDELINE_MIN_HOURS,
        "guideline_max": GUIDELINE_MAX_HOURS,
        "can_project": can_project,
        "below_minimum": can_project and projected < min_hours,
        "above_maximum": can_project and projected > GUIDELINE_MAX_HOURS,
        "min_hours": min_hours,
        "overrun": week > max_weeks,
        "percent_of_guideline": min(round(direct_hours / GUIDELINE_MAX_HOURS * 100), 100),
    }


def phase1_shortfall(
    *, start: date, ended_on: date, direct_hours: float, min_weeks: int, min_hours: int
) -> list[str]:
    """How a Phase 1 ending on ended_on falls short of the team's model: fewer days than
    its minimum weeks, or fewer direct hours than its minimum. Empty when it does not."""
    short = []
    days = (ended_on - start).days
    if days < min_weeks * 7:
        short.append(
            str(_("%(days)s days of the %(min)s-week minimum") % {"days": days, "min": min_weeks})
        )
    if direct_hours < min_hours:
        short.append(
            str(
                _("%(hours)s of the %(min)s-hour minimum of direct work")
                % {"hours": f"{round(direct_hours, 1):g}", "min": min_hours}
            )
        )
    return short
