"""What a case page offers comes from pathway.actions() (issue 19): unit tests of the
table per stage and role (no database), and a scan of every template that fails if one
decides by comparing stage strings instead of asking it."""

from __future__ import annotations

import re

import pytest

from cases.pathway import MANAGER_ACTIONS, Action, CaseFacts, Stage, actions
from tests.codescan import templates

A = Action
ALWAYS = {A.CORRECTIONS, A.CONSENT}
# Per stage, what any member who may see the case is offered (step-down off).
EXPECTED = {
    Stage.AWAITING_ASSESSMENT: {A.START_ASSESSMENT, A.RECORD_REVIEW, A.CLOSE},
    Stage.ASSESSMENT: {A.RECORD_ASSESSMENT, A.DECIDE, A.LOG_WORK, A.RECORD_REVIEW, A.CLOSE},
    Stage.PHASE1: {A.END_PHASE1, A.LOG_WORK, A.WRITE_PLAN, A.RECORD_REVIEW, A.CLOSE},
    Stage.STEP_DOWN: {A.FINISH_STEP_DOWN, A.LOG_WORK, A.WRITE_PLAN, A.RECORD_REVIEW, A.CLOSE},
    Stage.PHASE2: {
        A.RECORD_BOOSTER,
        A.LOG_WORK,
        A.WRITE_PLAN,
        A.RECORD_REVIEW,
        A.RECORD_SERVICES_AFTER,
        A.CLOSE,
    },
    Stage.CLOSED: {A.RECORD_SERVICES_AFTER},
}


@pytest.mark.parametrize("stage", list(Stage))
def test_a_practitioner_is_offered_what_the_stage_allows(stage):
    assert actions(CaseFacts(stage=stage), is_manager=False) == EXPECTED[stage] | ALWAYS


@pytest.mark.parametrize("stage", list(Stage))
def test_a_manager_is_also_offered_restriction_override_and_corrections_of_anyone(stage):
    offered = actions(CaseFacts(stage=stage), is_manager=True)
    assert offered == EXPECTED[stage] | ALWAYS | MANAGER_ACTIONS
    assert {A.RESTRICT, A.OVERRIDE, A.CORRECT_ANY} <= offered


def test_only_a_manager_is_offered_to_sign_off_a_pending_request():
    facts = CaseFacts(stage=Stage.PHASE1)
    assert A.SIGN_OFF in actions(facts, is_manager=True, signoff_pending=True)
    assert A.SIGN_OFF not in actions(facts, is_manager=True, signoff_pending=False)
    assert A.SIGN_OFF not in actions(facts, is_manager=False, signoff_pending=True)


def test_a_closed_case_offers_no_work_and_no_move():
    offered = actions(CaseFacts(stage=Stage.CLOSED), is_manager=True)
    moving = {A.START_ASSESSMENT, A.DECIDE, A.END_PHASE1, A.FINISH_STEP_DOWN, A.CLOSE}
    assert not offered & (moving | {A.LOG_WORK, A.WRITE_PLAN, A.RECORD_REVIEW})


def test_offers_follow_the_table_whether_step_down_is_on_or_off():
    # Step-down changes where Phase 1 may go, not what the page offers at each stage.
    for stage in Stage:
        on = actions(CaseFacts(stage=stage, step_down_enabled=True), is_manager=False)
        assert on == actions(CaseFacts(stage=stage), is_manager=False)


def test_every_action_is_offered_somewhere():
    offered = set()
    for stage in Stage:
        offered |= actions(CaseFacts(stage=stage), is_manager=True, signoff_pending=True)
    assert offered == set(Action)


# --- Templates ask, they do not decide ------------------------------------------------
STAGE_VALUES = "|".join(re.escape(s.value) for s in Stage)
DECIDING_TAG = re.compile(r"{%\s*(?:if|elif)\b(?P<test>.*?)%}", re.DOTALL)
STAGE_TESTS = [
    re.compile(r"\b\w+\.stage\b"),  # case.stage == ..., c.stage in ...
    re.compile(rf"""["'](?:{STAGE_VALUES})["']"""),  # a stage's value as a literal
    re.compile(r"\ballowed\b"),  # the next stages, compared by value
    re.compile(r"\bStage\."),
]


def stage_decisions(sources):
    found = []
    for rel, text in sources:
        for match in DECIDING_TAG.finditer(text):
            test = match.group("test")
            if any(p.search(test) for p in STAGE_TESTS):
                line = text.count("\n", 0, match.start()) + 1
                found.append((rel, line, match.group(0)))
    return found


def test_no_template_decides_by_comparing_stage_strings():
    assert stage_decisions(templates()) == [], (
        f"Ask pathway.actions() (the view passes `actions`): {stage_decisions(templates())}"
    )


def test_the_scan_sees_a_stage_comparison():
    samples = [
        ("t.html", '{% if case.stage == "phase1" %}x{% endif %}'),
        ("t.html", "{% elif c.stage in stages %}"),
        ("t.html", '{% if "closed" in allowed %}'),
        ("t.html", '{% if stage == "step_down" %}'),
    ]
    assert len(stage_decisions(samples)) == 4
    assert stage_decisions([("t.html", '{% if "close" in actions %}')]) == []
