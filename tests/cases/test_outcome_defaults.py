"""Issue 14, finding 1: no outcome is ever recorded by leaving a form untouched.

"Substance use at closure" came preset to "Stopped": a case closed without touching it
was recorded as a success. Every form of the cases, outcomes and reviews apps is listed
here (a new form fails the test until it is), and each page is opened as a user would:
what the browser would send for each choice untouched (the selected or first option of
a list, the checked radio button or box) must never be a value that counts as success.
The models' defaults are walked the same way.
"""

from __future__ import annotations

import inspect
from html.parser import HTMLParser

import pytest
from django import forms
from django.apps import apps
from django.db.models import NOT_PROVIDED
from django.test import Client
from django.urls import reverse

import cases.forms
import outcomes.forms
import reviews.forms
from cases import pathway
from cases.models import ChildOutcomeKind, SubstanceChange
from tests.cases.journey import make_case

pytestmark = pytest.mark.django_db

Stage = pathway.Stage

# Values that count as success in a figure: a substance-use change for the better, a
# child's good outcome, a goal at 0 or above, a plan still fit, a successful class.
SUCCESS = {
    SubstanceChange.STOPPED,
    SubstanceChange.REDUCED,
    ChildOutcomeKind.DEREGISTERED,
    ChildOutcomeKind.RETURNED_HOME,
    ChildOutcomeKind.STAYED_HOME,
    ChildOutcomeKind.CLOSED_TO_SOCIAL_SERVICES,
    "0",
    "1",
    "2",
    "+1",
    "+2",
    "yes",
    "proceed",
}

# Every form of the three apps: the page that shows it (name, case stage, extra args), or
# None with why it records no outcome. Model choices (reference lists) are not outcomes.
FORMS = {
    "SignOffRequestForm": None,  # a reason to end Phase 1 early
    "SignOffDecisionForm": None,  # a manager's yes or no, with a reason: nothing counted
    "ReportSendForm": None,  # sends or submits a review report: no outcome
    "StartAssessmentForm": None,  # a start time
    "AssessmentForm": None,  # times, hours and the Safety Plan
    "ProceedForm": ("cases:decide", Stage.ASSESSMENT),
    "ContactForm": None,  # a contact's mode and type
    "FamilyPlanForm": None,  # the plan's text
    "EndPhase1Form": None,  # a date
    "ClosureForm": ("cases:close", Stage.PHASE2),
    "OverrideForm": ("cases:override", Stage.CLOSED),
    "RestrictionForm": None,  # who may see the case
    "GoalForm": ("outcomes:add_goal", Stage.PHASE1),
    "ReadingForm": ("outcomes:add_reading", Stage.PHASE1),
    "ServiceUseForm": ("outcomes:record_services", Stage.PHASE2),
    "ReviewForm": ("reviews:record", Stage.PHASE2),
    "BoosterForm": None,  # who asked, who gave it, when
}


def form_classes() -> set[str]:
    return {
        name
        for module in (cases.forms, outcomes.forms, reviews.forms)
        for name, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__
    }


class Untouched(HTMLParser):
    """What a browser sends for each select, radio group and checkbox left alone."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: dict[str, list[str]] = {}
        self._select: str | None = None
        self._first: str | None = None
        self._chosen: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "select":
            self._select, self._first, self._chosen = a.get("name"), None, None
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._first is None:
                self._first = value
            if "selected" in a:
                self._chosen = value
        elif tag == "input" and a.get("type") in {"radio", "checkbox"} and "checked" in a:
            self.sent.setdefault(a.get("name", ""), []).append(a.get("value", "on"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select:
            value = self._chosen if self._chosen is not None else self._first
            self.sent.setdefault(self._select, []).append(value or "")
            self._select = None


def test_every_form_is_listed() -> None:
    assert form_classes() == set(FORMS)


@pytest.fixture
def page_for(team_a, manager, practitioner, referrer):
    def page_for(name: str, stage: str) -> str:
        j = make_case(
            team_a, manager, practitioner, referrer, stage=stage, complete_assessment=True
        )
        args = [j.case.pk]
        if name == "outcomes:record_services":
            args = [j.case.pk, j.adult.pk, "after"]
        elif name == "reviews:record":
            args = [j.reviews[0].pk]
        client = Client()
        client.force_login(manager)
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200, name
        return response.content.decode()

    return page_for


OUTCOME_PAGES = {k: v for k, v in FORMS.items() if v}


@pytest.mark.parametrize("form_name", list(OUTCOME_PAGES))
def test_an_untouched_outcome_form_sends_no_success(page_for, form_name) -> None:
    name, stage = OUTCOME_PAGES[form_name]
    parser = Untouched()
    parser.feed(page_for(name, stage))
    assert parser.sent or form_name in {"ServiceUseForm"}, "no choices found on the page"
    preset = {
        field: values for field, values in parser.sent.items() if any(v in SUCCESS for v in values)
    }
    assert preset == {}, f"{form_name} presets a success"


def test_the_closure_page_presets_no_outcome_at_all(page_for) -> None:
    """Not even a neutral one: substance use and each child's outcome start empty."""
    parser = Untouched()
    parser.feed(page_for("cases:close", Stage.PHASE2))
    chosen = {
        f: v for f, v in parser.sent.items() if f == "substance_change" or f.startswith("child_")
    }
    assert chosen and all(v == [""] for v in chosen.values()), chosen


def test_no_model_default_counts_as_success() -> None:
    """Every field default in the apps that hold outcomes."""
    offending = [
        f"{model.__name__}.{field.name}={field.default!r}"
        for label in ("cases", "outcomes", "reviews")
        for model in apps.get_app_config(label).get_models()
        for field in model._meta.get_fields()
        if getattr(field, "default", NOT_PROVIDED) is not NOT_PROVIDED
        and not callable(field.default)
        and field.choices
        and str(field.default) in SUCCESS
    ]
    # GAS scores have no choices on the model: a preset baseline of 0 or more would count.
    from outcomes.models import Goal, GoalScore

    for model, name in ((Goal, "baseline"), (GoalScore, "score")):
        field = model._meta.get_field(name)
        if field.has_default() and field.default >= 0:
            offending.append(f"{model.__name__}.{name}={field.default}")
    assert offending == []


def test_not_known_counts_as_neither_success_nor_failure(
    time_machine, team_a, manager, practitioner, referrer
) -> None:
    """ "Not known" is its own row of the children's outcomes, never a good or a bad one."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from cases.services import close_case
    from reference.models import ClosureReason
    from reporting.periods import quarter_containing
    from reporting.queries import Report, team_scope

    time_machine.move_to(datetime(2027, 5, 10, 12, tzinfo=ZoneInfo("Europe/London")), tick=False)
    j = make_case(team_a, manager, practitioner, referrer, stage=Stage.PHASE2)
    close_case(
        case_id=j.case.pk,
        user=practitioner,
        reason=ClosureReason.objects.get(code="disengaged"),
        closed_on=j.case.phase1_end,
        substance_change=SubstanceChange.UNKNOWN,
        child_outcomes={j.child.pk: ChildOutcomeKind.NOT_KNOWN},
        reasons_not_known={j.child.pk: "The family moved away without notice."},
        destination_services=[],
        measures_missing_reason="The family moved away.",
    )
    figure = Report(team_scope(team_a), quarter_containing(j.case.phase1_end)).child_outcomes()
    rows = {r["label"]: r["n"] for r in figure.rows}
    assert rows.pop(str(ChildOutcomeKind.NOT_KNOWN.label)) == 1
    assert set(rows.values()) == {0}
