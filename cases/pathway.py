"""The IFSS pathway as a table. No ORM here: this module is tested without a database."""

from __future__ import annotations

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
