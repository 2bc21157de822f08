"""The pathway table, tested without a database: every pair of stages, both team settings."""

from __future__ import annotations

from itertools import product

import pytest

from cases import pathway
from cases.pathway import Stage

AA, AS, P1, SD, P2, CL = (
    Stage.AWAITING_ASSESSMENT,
    Stage.ASSESSMENT,
    Stage.PHASE1,
    Stage.STEP_DOWN,
    Stage.PHASE2,
    Stage.CLOSED,
)

# The allowed moves, written out by hand from DOMAIN.md section 3 (not read from TRANSITIONS).
ALLOWED_ALWAYS = {
    (AA, AS),
    (AA, CL),
    (AS, P1),
    (AS, CL),
    (P1, P2),
    (P1, CL),
    # A case already in step-down can always finish it, even if the team turned it off.
    (SD, P2),
    (SD, CL),
    (P2, CL),
}
ALLOWED_ONLY_WITH_STEP_DOWN = {(P1, SD)}

ALL_MOVES = list(product(Stage, Stage))


def expected(current: Stage, target: Stage, step_down_enabled: bool) -> bool:
    if (current, target) in ALLOWED_ALWAYS:
        return True
    return step_down_enabled and (current, target) in ALLOWED_ONLY_WITH_STEP_DOWN


def test_the_table_covers_six_stages_in_pathway_order():
    assert list(Stage) == [AA, AS, P1, SD, P2, CL]
    assert set(pathway.TRANSITIONS) == set(Stage)


@pytest.mark.parametrize("step_down_enabled", [False, True], ids=["no-step-down", "step-down"])
@pytest.mark.parametrize(("current", "target"), ALL_MOVES, ids=[f"{a}->{b}" for a, b in ALL_MOVES])
def test_can_move_matches_the_expected_table(current, target, step_down_enabled):
    assert pathway.can_move(current, target, step_down_enabled=step_down_enabled) is expected(
        current, target, step_down_enabled
    )


@pytest.mark.parametrize(("current", "target"), ALL_MOVES, ids=[f"{a}->{b}" for a, b in ALL_MOVES])
def test_can_move_accepts_the_stored_string_values(current, target):
    for enabled in (False, True):
        assert pathway.can_move(current.value, target.value, step_down_enabled=enabled) is expected(
            current, target, enabled
        )


def test_step_down_is_reachable_only_from_phase1_and_only_when_the_team_enables_it():
    assert pathway.can_move(P1, SD, step_down_enabled=True)
    assert not pathway.can_move(P1, SD, step_down_enabled=False)
    for current in Stage:
        if current is not P1:
            assert not pathway.can_move(current, SD, step_down_enabled=True)


@pytest.mark.parametrize("current", pathway.OPEN_STAGES)
def test_every_open_stage_may_close_early(current):
    assert pathway.can_move(current, CL, step_down_enabled=False)


def test_a_closed_case_cannot_move_anywhere():
    for target in Stage:
        for enabled in (False, True):
            assert not pathway.can_move(CL, target, step_down_enabled=enabled)


def test_no_stage_moves_to_itself_or_backwards():
    order = list(Stage)
    for current, target in ALL_MOVES:
        if order.index(target) <= order.index(current):
            assert not pathway.can_move(current, target, step_down_enabled=True), (current, target)


@pytest.mark.parametrize(
    ("current", "without_step_down", "with_step_down"),
    [
        (AA, [AS, CL], [AS, CL]),
        (AS, [P1, CL], [P1, CL]),
        (P1, [P2, CL], [SD, P2, CL]),
        (SD, [P2, CL], [P2, CL]),
        (P2, [CL], [CL]),
        (CL, [], []),
    ],
)
def test_next_stages_lists_the_allowed_moves_in_pathway_order(
    current, without_step_down, with_step_down
):
    assert pathway.next_stages(current, step_down_enabled=False) == without_step_down
    assert pathway.next_stages(current, step_down_enabled=True) == with_step_down


def test_an_unknown_stage_is_an_error_not_a_refusal():
    with pytest.raises(ValueError):
        pathway.can_move("intake", AS, step_down_enabled=False)
    with pytest.raises(ValueError):
        pathway.can_move(AA, "intake", step_down_enabled=False)


def test_intensive_stages_are_the_open_stages_before_phase2():
    assert set(pathway.INTENSIVE_STAGES) == {AA, AS, P1, SD}
    assert set(pathway.OPEN_STAGES) == set(Stage) - {CL}
    assert [value for value, _label in pathway.CHOICES] == [s.value for s in Stage]
