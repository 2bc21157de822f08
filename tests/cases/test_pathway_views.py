"""The case pathway pages: clear errors for bad input, only the moves the pathway allows,
the Phase 1 panel, overdue items, stale edits, who may open what, and booster limits.

The clock is frozen on Wednesday 18 November 2026 at noon (GMT). Cases are built through
the services by tests/cases/journey.py, with their history in the weeks before that.
"""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.models import Assessment, Case, Closure, Contact, StageChange
from outcomes.models import Goal, GoalScore, Reading
from reference.models import ClosureReason, GoalCategory
from reviews.models import Booster, Review
from tests.cases.journey import Stage, make_case

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 18, 12, 0, tzinfo=LONDON)
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


@pytest.fixture
def build(team_a, manager, practitioner, referrer):
    def build(stage: str, **kwargs):
        return make_case(team_a, manager, practitioner, referrer, stage=stage, **kwargs)

    return build


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def pclient(practitioner) -> Client:
    return login(practitioner)


# --- Reading pages ----------------------------------------------------------------------


def page_text(response) -> str:
    """The page as a person reads it: entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(response.content.decode()).split())


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class _Finder(HTMLParser):
    """Collects the HTML of every element carrying data-testid=<testid>."""

    def __init__(self, source: str, testid: str) -> None:
        super().__init__(convert_charrefs=True)
        self.source = source
        self.testid = testid
        self.lines = [0]
        for line in source.splitlines(keepends=True):
            self.lines.append(self.lines[-1] + len(line))
        self.depth = 0
        self.open: list[tuple[int, int]] = []  # (depth, start offset)
        self.found: list[str] = []

    def _offset(self) -> int:
        line, col = self.getpos()
        return self.lines[line - 1] + col

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in VOID:
            return
        self.depth += 1
        if dict(attrs).get("data-testid") == self.testid:
            self.open.append((self.depth, self._offset()))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if self.open and self.open[-1][0] == self.depth:
            _depth, start = self.open.pop()
            end = self.source.index(">", self._offset()) + 1
            self.found.append(self.source[start:end])
        self.depth -= 1


def html_of(response, testid: str) -> str:
    source = response.content.decode()
    finder = _Finder(source, testid)
    finder.feed(source)
    assert finder.found, f'no element with data-testid="{testid}" on the page'
    return "\n".join(finder.found)


def text_of(response, testid: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", html_of(response, testid))).split())


def version_on_page(response) -> int:
    match = re.search(r'name="version" value="(\d+)"', response.content.decode())
    assert match, "the form carries no version"
    return int(match.group(1))


def assert_form_error(response, message: str, field: str | None = None) -> None:
    assert response.status_code == 200, response.status_code
    assert message in page_text(response), f"{message!r} not on the page"
    errors = response.context["form"].errors
    key = field or "__all__"
    assert any(message in e for e in errors.get(key, [])), errors


def local_input(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


# --- Bad input: a clear form error, never a 500, nothing saved --------------------------


def contact_post(j, **changes) -> dict:
    data = {
        "started_at": local_input(NOW - timedelta(hours=2)),
        "duration_minutes": "90",
        "mode": "home_visit",
        "work_type": "direct",
        "people_seen": [j.adult.pk, j.child.pk],
        "notes": "Talked about the morning routine.",
    }
    return {**data, **changes}


@pytest.mark.parametrize(
    ("changes", "message", "field"),
    [
        (
            {"duration_minutes": "-5"},
            "Ensure this value is greater than or equal to 1.",
            "duration_minutes",
        ),
        (
            {"duration_minutes": "0"},
            "Ensure this value is greater than or equal to 1.",
            "duration_minutes",
        ),
        (
            {"duration_minutes": "1441"},
            "Ensure this value is less than or equal to 1440.",
            "duration_minutes",
        ),
        (
            {"started_at": local_input(NOW + timedelta(days=1))},
            "A contact cannot be recorded in the future.",
            None,
        ),
    ],
    ids=["negative-duration", "zero-duration", "over-a-day", "in-the-future"],
)
def test_bad_contact_is_refused_with_a_clear_message(build, pclient, changes, message, field):
    j = build(Stage.PHASE1, contacts=1)
    url = reverse("cases:add_contact", args=[j.case.pk])

    response = pclient.post(url, contact_post(j, **changes))

    assert_form_error(response, message, field)
    assert Contact.objects.filter(case=j.case).count() == 1
    # What was typed stays in the form.
    assert "Talked about the morning routine." in page_text(response)


def test_the_same_contact_with_good_values_is_saved(build, pclient):
    """The control for the refusals above: the payload itself is valid."""
    j = build(Stage.PHASE1, contacts=1)

    response = pclient.post(reverse("cases:add_contact", args=[j.case.pk]), contact_post(j))

    assert response.status_code == 302
    assert Contact.objects.filter(case=j.case).count() == 2


def goal_post(**changes) -> dict:
    data = {
        "title": "Mum stops drinking during the week",
        "category": GoalCategory.objects.get(code="substance-use").pk,
        "is_substance": "on",
        "level_minus2": "Drinking every day",
        "level_minus1": "Drinking most days",
        "level_0": "Drinking only at weekends",
        "level_plus1": "Drinking once a fortnight",
        "level_plus2": "Not drinking",
        "baseline": "-1",
    }
    return {**data, **changes}


@pytest.mark.parametrize(
    ("changes", "message", "field"),
    [
        (
            {"baseline": "3"},
            "Select a valid choice. 3 is not one of the available choices.",
            "baseline",
        ),
        (
            {"baseline": "-3"},
            "Select a valid choice. -3 is not one of the available choices.",
            "baseline",
        ),
        ({"level_plus2": ""}, "This field is required.", "level_plus2"),
        ({"level_0": "   "}, "This field is required.", "level_0"),
    ],
    ids=["baseline-3", "baseline-minus-3", "missing-level", "blank-level"],
)
def test_bad_goal_is_refused_with_a_clear_message(build, pclient, changes, message, field):
    j = build(Stage.PHASE1, goals=1)

    response = pclient.post(reverse("outcomes:add_goal", args=[j.case.pk]), goal_post(**changes))

    assert_form_error(response, message, field)
    assert Goal.objects.filter(case=j.case).count() == 1
    assert GoalScore.objects.filter(goal__case=j.case).count() == 1
    assert "Mum stops drinking during the week" in page_text(response)


def test_a_good_goal_is_saved_with_its_baseline(build, pclient):
    j = build(Stage.PHASE1, goals=1)

    response = pclient.post(reverse("outcomes:add_goal", args=[j.case.pk]), goal_post())

    assert response.status_code == 302
    goal = Goal.objects.get(case=j.case, title="Mum stops drinking during the week")
    assert [s.score for s in goal.scores.all()] == [-1]


def reading_post(j, person: str, **changes) -> dict:
    data = {
        "person": getattr(j, person).pk,
        "occasion": "start",
        "taken_on": TODAY.isoformat(),
    }
    return {**data, **changes}


@pytest.mark.parametrize(
    ("person", "changes", "message", "field"),
    [
        (
            "adult",
            {"instrument": "wemwbs", "total": "71"},
            "Ensure this value is less than or equal to 70.",
            "total",
        ),
        (
            "adult",
            {"instrument": "wemwbs", "total": "13"},
            "Give the WEMWBS total (14-70).",
            "total",
        ),
        ("adult", {"instrument": "wemwbs"}, "Give the WEMWBS total (14-70).", "total"),
        (
            "child",
            {
                "instrument": "sdq",
                "sdq_emotional": "11",
                "sdq_conduct": "2",
                "sdq_hyperactivity": "3",
                "sdq_peer": "1",
                "sdq_prosocial": "8",
                "sdq_informant": "parent",
                "sdq_version": "4_17",
            },
            "Ensure this value is less than or equal to 10.",
            "sdq_emotional",
        ),
        ("child", {"instrument": "wemwbs", "total": "40"}, "WEMWBS is for adults.", None),
        (
            "adult",
            {
                "instrument": "sdq",
                "sdq_emotional": "1",
                "sdq_conduct": "2",
                "sdq_hyperactivity": "3",
                "sdq_peer": "1",
                "sdq_prosocial": "8",
                "sdq_informant": "parent",
                "sdq_version": "4_17",
            },
            "The SDQ is for children and young people aged 2 to 17.",
            None,
        ),
    ],
    ids=[
        "wemwbs-71",
        "wemwbs-13",
        "wemwbs-missing",
        "sdq-11",
        "wemwbs-for-a-child",
        "sdq-for-an-adult",
    ],
)
def test_bad_reading_is_refused_with_a_clear_message(
    build, pclient, person, changes, message, field
):
    j = build(Stage.PHASE1)

    response = pclient.post(
        reverse("outcomes:add_reading", args=[j.case.pk]), reading_post(j, person, **changes)
    )

    assert_form_error(response, message, field)
    assert not Reading.objects.filter(case=j.case).exists()


@pytest.mark.parametrize(
    ("person", "changes", "total"),
    [
        ("adult", {"instrument": "wemwbs", "total": "70"}, 70),
        ("adult", {"instrument": "wemwbs", "total": "14"}, 14),
        (
            "child",
            {
                "instrument": "sdq",
                "sdq_emotional": "10",
                "sdq_conduct": "2",
                "sdq_hyperactivity": "3",
                "sdq_peer": "0",
                "sdq_prosocial": "10",
                "sdq_informant": "parent",
                "sdq_version": "4_17",
            },
            15,
        ),
    ],
    ids=["wemwbs-70", "wemwbs-14", "sdq-10"],
)
def test_readings_at_the_edges_are_saved(build, pclient, person, changes, total):
    j = build(Stage.PHASE1)

    response = pclient.post(
        reverse("outcomes:add_reading", args=[j.case.pk]), reading_post(j, person, **changes)
    )

    assert response.status_code == 302, page_text(response)[-600:]
    assert Reading.objects.get(case=j.case).total == total


def closure_post(j, **changes) -> dict:
    data = {
        "version": j.case.version,
        "reason": ClosureReason.objects.get(code="completed").pk,
        "closed_on": TODAY.isoformat(),
        "substance_change": "reduced",
        f"child_{j.child.pk}": "stayed_home",
        "notes": "The family met its goals.",
        # Asked for only while closing readings or goal scores are missing.
        "measures_missing_reason": "Closed before the first review.",
    }
    return {**data, **changes}


def test_closure_without_a_reason_is_refused(build, pclient):
    j = build(Stage.PHASE2)

    response = pclient.post(reverse("cases:close", args=[j.case.pk]), closure_post(j, reason=""))

    assert_form_error(response, "This field is required.", "reason")
    assert j.reload().stage == Stage.PHASE2
    assert not Closure.objects.filter(case=j.case).exists()


def test_an_untouched_closure_form_records_no_outcome(build, pclient):
    """Issue 14: substance use and each child's outcome must be chosen; "not known" needs
    its reason; missing closing measures need theirs. What was typed stays in the form."""
    j = build(Stage.PHASE2)
    url = reverse("cases:close", args=[j.case.pk])
    child = f"child_{j.child.pk}"

    response = pclient.post(url, closure_post(j, substance_change="", **{child: ""}))
    assert_form_error(response, "This field is required.", "substance_change")
    assert_form_error(response, "This field is required.", child)
    assert "The family met its goals." in response.content.decode()  # kept in the form

    response = pclient.post(url, closure_post(j, **{child: "not_known"}))
    assert_form_error(response, "Say why this child's outcome is not known.", f"{child}_why")

    response = pclient.post(url, closure_post(j, measures_missing_reason=""))
    assert_form_error(response, "This field is required.", "measures_missing_reason")
    assert "has not been scored since its baseline" in page_text(response)
    assert not Closure.objects.filter(case=j.case).exists()

    response = pclient.post(
        url, closure_post(j, **{child: "not_known", f"{child}_why": "Moved to her father."})
    )
    assert response.status_code == 302
    outcome = Closure.objects.get(case=j.case).child_outcomes.get()
    assert (outcome.outcome, outcome.reason_not_known) == ("not_known", "Moved to her father.")


def test_closure_with_a_reason_closes_the_case(build, pclient):
    j = build(Stage.PHASE2)

    response = pclient.post(reverse("cases:close", args=[j.case.pk]), closure_post(j))

    assert response.status_code == 302
    assert j.reload().stage == Stage.CLOSED
    assert Closure.objects.get(case=j.case).child_outcomes.get().outcome == "stayed_home"


def review_post(j, review: Review, **changes) -> dict:
    data = {
        "version": review.version,
        "held_on": TODAY.isoformat(),
        "attendees": "Mum, social worker",
        "progress": "Mornings are calmer.",
        "children_wellbeing": "Safe at home.",
        "plan_still_fit": "yes",
        "outside_window_reason": "Held early: the family moves house next month.",
        **{f"goal_{g.pk}": "1" for g in j.goals},
    }
    return {**data, **changes}


def test_a_review_held_before_the_end_of_phase1_is_refused(build, pclient):
    j = build(Stage.PHASE2, phase1_ended_days_ago=10, goals=2)
    review = j.reviews[0]
    before_end = j.case.phase1_end - timedelta(days=1)

    response = pclient.post(
        reverse("reviews:record", args=[review.pk]),
        review_post(j, review, held_on=before_end.isoformat()),
    )

    assert_form_error(response, "A review cannot be held before the end of Phase 1.")
    review.refresh_from_db()
    assert review.held_on is None
    assert not GoalScore.objects.filter(review=review).exists()


def test_a_review_missing_a_goal_score_is_refused(build, pclient):
    j = build(Stage.PHASE2, goals=2)
    review = j.reviews[0]
    data = review_post(j, review)
    del data[f"goal_{j.goals[1].pk}"]

    response = pclient.post(reverse("reviews:record", args=[review.pk]), data)

    assert_form_error(response, "This field is required.", f"goal_{j.goals[1].pk}")
    review.refresh_from_db()
    assert review.held_on is None
    assert not GoalScore.objects.filter(review=review).exists()


def test_a_review_with_every_goal_scored_is_saved(build, pclient):
    j = build(Stage.PHASE2, goals=2)
    review = j.reviews[0]

    response = pclient.post(reverse("reviews:record", args=[review.pk]), review_post(j, review))

    assert response.status_code == 302
    assert sorted(GoalScore.objects.filter(review=review).values_list("score", flat=True)) == [1, 1]


def decide_post(j, **changes) -> dict:
    return {"version": j.case.version, "decision": "proceed", **changes}


def test_phase1_start_slipping_more_than_a_week_is_refused(build, pclient):
    j = build(Stage.ASSESSMENT, received_days_ago=2, complete_assessment=True)
    completed = timezone.localtime(j.assessment.completed_at).date()

    response = pclient.post(
        reverse("cases:decide", args=[j.case.pk]),
        decide_post(
            j,
            phase1_start=(completed + timedelta(days=8)).isoformat(),
            slip_reason="School holidays",
        ),
    )

    assert_form_error(response, "Phase 1 can start at most a week after the assessment.")
    case = j.reload()
    assert case.stage == Stage.ASSESSMENT
    assert case.phase1_start is None
    assert Assessment.objects.get(case=case).decision == ""


def test_phase1_start_slipping_exactly_a_week_with_a_reason_is_accepted(build, pclient):
    j = build(Stage.ASSESSMENT, received_days_ago=2, complete_assessment=True)
    completed = timezone.localtime(j.assessment.completed_at).date()

    response = pclient.post(
        reverse("cases:decide", args=[j.case.pk]),
        decide_post(
            j,
            phase1_start=(completed + timedelta(days=7)).isoformat(),
            slip_reason="School holidays",
        ),
    )

    assert response.status_code == 302
    case = j.reload()
    assert case.stage == Stage.PHASE1
    assert case.phase1_start == completed + timedelta(days=7)
    assert case.phase1_slip_reason == "School holidays"


# --- Stale edits: the second save is told, keeps its text, sees the first, then wins ---


def assessment_post(version: int, safety_plan: str) -> dict:
    return {
        "version": version,
        "completed_at": local_input(NOW - timedelta(hours=1)),
        "hours_spent": "8",
        "safety_plan": safety_plan,
        "safety_plan_agreed_on": TODAY.isoformat(),
    }


def test_stale_assessment_edit_keeps_both_versions_visible_then_saves(build, practitioner, manager):
    j = build(Stage.ASSESSMENT, received_days_ago=2)
    url = reverse("cases:assessment", args=[j.case.pk])
    first, second = login(practitioner), login(manager)
    first_version = version_on_page(first.get(url))
    second_version = version_on_page(second.get(url))
    assert first_version == second_version

    saved = first.post(url, assessment_post(first_version, "FIRST: Nan collects the children."))
    assert saved.status_code == 302

    stale = second.post(url, assessment_post(second_version, "SECOND: Dad stays sober at home."))

    assert stale.status_code == 200
    text = page_text(stale)
    assert "Someone else updated this assessment while you were working on it." in text
    # The second user's text is still in the form...
    form_html = stale.content.decode().split('data-testid="latest-version"')[1]
    assert "SECOND: Dad stays sober at home." in html.unescape(form_html)
    # ...and the first user's saved text is shown as the latest version.
    latest = text_of(stale, "latest-version")
    assert "FIRST: Nan collects the children." in latest
    assert "SECOND" not in latest
    assert Assessment.objects.get(case=j.case).safety_plan == "FIRST: Nan collects the children."

    again = second.post(
        url, assessment_post(version_on_page(stale), "SECOND: Dad stays sober at home.")
    )

    assert again.status_code == 302
    assert Assessment.objects.get(case=j.case).safety_plan == "SECOND: Dad stays sober at home."


def test_stale_end_of_phase1_is_refused_and_changes_nothing_more(build, practitioner, manager):
    j = build(Stage.PHASE1, phase1_started_days_ago=30, plans=1)
    j.team.phase1_min_hours = 0  # a practitioner ends it: the model is met
    j.team.save()
    url = reverse("cases:end_phase1", args=[j.case.pk])
    first, second = login(practitioner), login(manager)
    version = version_on_page(first.get(url))
    assert version_on_page(second.get(url)) == version

    ended = {"version": version, "ended_on": TODAY.isoformat(), "outcomes_missing_reason": "x"}
    assert first.post(url, ended).status_code == 302

    yesterday = (TODAY - timedelta(days=1)).isoformat()
    stale = second.post(url, {"version": version, "ended_on": yesterday})

    assert_form_error(stale, "Someone else updated this case while you were working on it.")
    case = j.reload()
    assert case.stage == Stage.PHASE2
    assert case.phase1_end == TODAY
    assert StageChange.objects.filter(case=case, to_stage=Stage.PHASE2).count() == 1
    assert Review.objects.filter(case=case).count() == len(j.team.review_offsets_months)


def test_stale_review_edit_keeps_both_versions_visible_then_saves(build, practitioner, manager):
    j = build(Stage.PHASE2, goals=1)
    review = j.reviews[0]
    url = reverse("reviews:record", args=[review.pk])
    first, second = login(practitioner), login(manager)
    version = version_on_page(first.get(url))
    assert version_on_page(second.get(url)) == version

    saved = first.post(url, review_post(j, review, progress="FIRST: mornings are calmer."))
    assert saved.status_code == 302

    stale = second.post(
        url, review_post(j, review, progress="SECOND: school attendance is up.", version=version)
    )

    assert stale.status_code == 200
    assert "Someone else updated this review while you were working on it." in page_text(stale)
    form_html = stale.content.decode().split('data-testid="latest-version"')[1]
    assert "SECOND: school attendance is up." in html.unescape(form_html)
    latest = text_of(stale, "latest-version")
    assert "FIRST: mornings are calmer." in latest
    assert "SECOND" not in latest

    # The review is held now: saving over it would rewrite the record. It is corrected
    # instead, with a reason, and the first record is kept (cases.amendments).
    again = second.post(
        url,
        review_post(
            j, review, progress="SECOND: school attendance is up.", version=version_on_page(stale)
        ),
    )
    assert again.status_code == 200
    assert "already recorded" in page_text(again)
    corrected = second.post(
        reverse("reviews:correct", args=[review.pk]),
        {
            **review_post(
                j,
                review,
                progress="SECOND: school attendance is up.",
                version=version_on_page(stale),
            ),
            "reason": "Both of us recorded it; mine has the school's figures.",
        },
    )

    assert corrected.status_code == 302
    current = Review.objects.get(case=j.case, offset_months=review.offset_months)
    assert current.progress == "SECOND: school attendance is up."
    assert current.corrects_id == review.pk
    review.refresh_from_db()
    assert review.progress == "FIRST: mornings are calmer."  # kept, marked amended
    assert (review.entry_status, review.retired_by) == ("amended", manager)


def test_stale_closure_is_refused_with_the_typed_text_kept(build, practitioner, manager):
    j = build(Stage.PHASE1, phase1_started_days_ago=30, plans=1)
    close_url = reverse("cases:close", args=[j.case.pk])
    closer = login(practitioner)
    version = version_on_page(closer.get(close_url))
    # Meanwhile the manager ends Phase 1: the case moves on and its version with it.
    ended = login(manager).post(
        reverse("cases:end_phase1", args=[j.case.pk]),
        {
            "version": version,
            "ended_on": TODAY.isoformat(),
            "outcomes_missing_reason": "Scores taken at the first review.",
            "early_reason": "The family is moving away.",
        },
    )
    assert ended.status_code == 302

    stale = closer.post(close_url, closure_post(j, version=version, notes="TYPED: goals met."))

    assert_form_error(stale, "Someone else updated this case while you were working on it.")
    assert "TYPED: goals met." in page_text(stale)
    assert j.reload().stage == Stage.PHASE2
    assert not Closure.objects.filter(case=j.case).exists()


def test_after_a_stale_closure_saving_again_closes_the_case(build, practitioner, manager):
    j = build(Stage.PHASE1, phase1_started_days_ago=30, plans=1)
    close_url = reverse("cases:close", args=[j.case.pk])
    closer = login(practitioner)
    version = version_on_page(closer.get(close_url))
    login(manager).post(
        reverse("cases:end_phase1", args=[j.case.pk]),
        {
            "version": version,
            "ended_on": TODAY.isoformat(),
            "outcomes_missing_reason": "Scores taken at the first review.",
            "early_reason": "The family is moving away.",
        },
    )
    stale = closer.post(close_url, closure_post(j, version=version, notes="TYPED: goals met."))
    assert stale.status_code == 200

    again = closer.post(
        close_url, closure_post(j, version=version_on_page(stale), notes="TYPED: goals met.")
    )

    assert again.status_code == 302
    assert j.reload().stage == Stage.CLOSED
    assert 'data-testid="latest-version"' in stale.content.decode()


# --- Actions: only the moves the pathway allows ---------------------------------------


def actions(client: Client, case: Case) -> str:
    response = client.get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 200
    return text_of(response, "actions")


def test_awaiting_assessment_offers_the_assessment_not_phase1(build, pclient):
    j = build(Stage.AWAITING_ASSESSMENT)

    offered = actions(pclient, j.case)

    assert "Start the assessment" in offered
    assert "End Phase 1" not in offered
    assert "Decision to proceed" not in offered
    assert "Log a contact" not in offered
    assert "Close the case" in offered


def test_assessment_offers_the_decision_not_the_end_of_phase1(build, pclient):
    j = build(Stage.ASSESSMENT)

    offered = actions(pclient, j.case)

    assert "Record the assessment" in offered
    assert "Decision to proceed" in offered
    assert "Start the assessment" not in offered
    assert "End Phase 1" not in offered


def test_phase1_offers_the_end_of_phase1_not_the_decision(build, pclient):
    j = build(Stage.PHASE1)

    offered = actions(pclient, j.case)

    assert "End Phase 1" in offered
    assert "Decision to proceed" not in offered
    assert "Start the assessment" not in offered
    assert "Record a booster" not in offered
    assert "Log a contact" in offered
    assert "Agree the Family Plan" in offered


def test_phase2_offers_boosters_and_closure(build, pclient):
    j = build(Stage.PHASE2)

    offered = actions(pclient, j.case)

    assert "Record a booster" in offered
    assert "Revise the Family Plan" in offered
    assert "Close the case" in offered
    assert "End Phase 1" not in offered


def test_a_closed_case_offers_nothing_to_change(build, pclient):
    j = build(Stage.CLOSED)

    offered = actions(pclient, j.case)

    assert "Close the case" not in offered
    assert "Log a contact" not in offered
    assert "Add a goal" not in offered
    assert "Record a booster" not in offered
    assert "End Phase 1" not in offered


def test_ending_phase1_of_a_case_in_assessment_is_refused_clearly(build, pclient):
    j = build(Stage.ASSESSMENT, complete_assessment=True)
    version = j.case.version

    response = pclient.post(
        reverse("cases:end_phase1", args=[j.case.pk]),
        {"version": version, "ended_on": TODAY.isoformat()},
    )

    assert_form_error(response, "Only a case in Phase 1 can end Phase 1.")
    case = j.reload()
    assert case.stage == Stage.ASSESSMENT
    assert case.version == version
    assert case.phase1_end is None
    assert not Review.objects.filter(case=case).exists()


def test_a_contact_on_a_closed_case_is_refused_clearly(build, pclient):
    j = build(Stage.CLOSED, contacts=1)

    response = pclient.post(reverse("cases:add_contact", args=[j.case.pk]), contact_post(j))

    assert_form_error(response, "Contacts cannot be added to a closed case.")
    assert Contact.objects.filter(case=j.case).count() == 1


# --- The Phase 1 panel ------------------------------------------------------------------


def test_phase1_panel_with_few_hours_warns(build, pclient):
    # Started 10 days ago (day 11: week 2); 2 hours so far projects to 7.6 of 50.
    j = build(Stage.PHASE1, phase1_started_days_ago=10, contacts=2, contact_minutes=60)

    response = pclient.get(reverse("cases:detail", args=[j.case.pk]))

    panel = text_of(response, "phase1")
    assert "Week 2 of the 4-6 week target" in panel
    assert "2.0 direct hours delivered, against the 40-120 hour guideline." in panel
    warning = text_of(response, "hours-warning")
    assert "below the team's minimum of 50 hours" in warning


def test_phase1_panel_with_many_hours_does_not_warn(build, pclient):
    # 20 contacts of 3 hours: 60 hours in 11 days projects well past the minimum.
    j = build(Stage.PHASE1, phase1_started_days_ago=10, contacts=20, contact_minutes=180)

    response = pclient.get(reverse("cases:detail", args=[j.case.pk]))

    panel = text_of(response, "phase1")
    assert "Week 2 of the 4-6 week target" in panel
    assert "60.0 direct hours delivered, against the 40-120 hour guideline." in panel
    assert 'data-testid="hours-warning"' not in response.content.decode()


def test_phase1_panel_counts_only_direct_work(build, pclient):
    j = build(Stage.PHASE1, phase1_started_days_ago=10, contacts=1, contact_minutes=120)
    indirect = contact_post(j, work_type="indirect", duration_minutes="600")
    assert pclient.post(reverse("cases:add_contact", args=[j.case.pk]), indirect).status_code == 302

    response = pclient.get(reverse("cases:detail", args=[j.case.pk]))

    assert "2.0 direct hours delivered" in text_of(response, "phase1")


# --- Overdue items are red --------------------------------------------------------------


def review_rows(response) -> list[str]:
    body = html_of(response, "reviews").split("<tbody>")[1]
    return re.findall(r"<tr>.*?</tr>", body, flags=re.S)


def test_a_review_past_due_is_marked_overdue_on_the_case_page(build, pclient):
    # Phase 1 ended on 4 October: the 1-month review was due on 4 November.
    j = build(Stage.PHASE2, phase1_ended_days_ago=45)

    response = pclient.get(reverse("cases:detail", args=[j.case.pk]))

    rows = review_rows(response)
    assert re.search(r'<td class="overdue">4 Nov 2026 \(overdue\)</td>', rows[0])
    assert "overdue" not in rows[1]  # the 3-month review is not due yet
    next_due = html_of(response, "next-due")
    assert re.match(r'<div class="[^"]*\boverdue\b', next_due)
    assert "Review: 4 Nov 2026 (overdue)" in text_of(response, "next-due")


def test_a_review_not_yet_due_is_not_marked_overdue(build, pclient):
    j = build(Stage.PHASE2, phase1_ended_days_ago=10)

    response = pclient.get(reverse("cases:detail", args=[j.case.pk]))

    assert "overdue" not in " ".join(review_rows(response))
    assert "overdue" not in html_of(response, "next-due")


def test_a_held_review_is_not_overdue(build, pclient):
    j = build(Stage.PHASE2, phase1_ended_days_ago=45, reviews_held=1)

    response = pclient.get(reverse("cases:detail", args=[j.case.pk]))

    rows = review_rows(response)
    assert "overdue" not in rows[0]
    assert re.search(r'<td class="">4 Nov 2026</td>\s*<td>4 Nov 2026</td>', rows[0])  # due, held


def test_my_cases_next_due_overdue_is_red(build, pclient):
    build(Stage.PHASE2, phase1_ended_days_ago=45, family_name="Late family")
    build(Stage.PHASE2, phase1_ended_days_ago=10, family_name="Timely family")

    response = pclient.get(reverse("cases:mine"))

    table = html_of(response, "case-table")
    rows = re.findall(r"<tr>.*?</tr>", table, flags=re.S)
    late_row = next(r for r in rows if "Late family" in r)
    timely_row = next(r for r in rows if "Timely family" in r)
    assert re.search(r'<span class="overdue">Review: 4 Nov 2026 \(overdue\)</span>', late_row)
    assert "overdue" not in timely_row


def test_an_assessment_past_its_72_hours_is_overdue_in_my_cases(build, pclient):
    build(Stage.AWAITING_ASSESSMENT, received_days_ago=4, family_name="Waiting family")

    response = pclient.get(reverse("cases:mine"))

    row = html_of(response, "case-table")
    assert re.search(r'<span class="overdue">Assessment: [^<]*\(overdue\)</span>', row)


def week_hours_cell(response, family: str) -> str:
    rows = re.findall(r"<tr>.*?</tr>", html_of(response, "case-table"), flags=re.S)
    row = next(r for r in rows if family in r)
    return re.findall(r'<td class="text-end">([^<]*)</td>', row)[-1]


def test_my_cases_shows_this_weeks_direct_hours_in_phase1(build, pclient):
    j = build(Stage.PHASE1, contacts=0, family_name="Phase one family")
    assert (
        pclient.post(reverse("cases:add_contact", args=[j.case.pk]), contact_post(j)).status_code
        == 302
    )

    response = pclient.get(reverse("cases:mine"))

    assert week_hours_cell(response, "Phase one family") == "1.5"


def test_my_cases_shows_this_weeks_direct_hours_in_phase2(build, pclient):
    """Regression: the hours were once summed over a join with the case's reviews, so a
    Phase 2 case with 4 scheduled reviews showed 4x its direct hours (6.0 for 1.5)."""
    j = build(Stage.PHASE2, family_name="Phase two family")
    assert len(j.reviews) == 4
    assert (
        pclient.post(reverse("cases:add_contact", args=[j.case.pk]), contact_post(j)).status_code
        == 302
    )

    response = pclient.get(reverse("cases:mine"))

    assert week_hours_cell(response, "Phase two family") == "1.5"


# --- Access: another team, a referrer and a board member see no case page --------------


def case_urls(j) -> list[str]:
    pk = j.case.pk
    review = j.reviews[0]
    return [
        reverse("cases:detail", args=[pk]),
        reverse("cases:start_assessment", args=[pk]),
        reverse("cases:assessment", args=[pk]),
        reverse("cases:decide", args=[pk]),
        reverse("cases:add_contact", args=[pk]),
        reverse("cases:add_plan", args=[pk]),
        reverse("cases:plan_pdf", args=[j.plans[0].pk]),
        reverse("cases:end_phase1", args=[pk]),
        reverse("cases:finish_step_down", args=[pk]),
        reverse("cases:close", args=[pk]),
        reverse("cases:override", args=[pk]),
        reverse("outcomes:add_goal", args=[pk]),
        reverse("outcomes:add_reading", args=[pk]),
        reverse("reviews:record", args=[review.pk]),
        reverse("reviews:report", args=[review.pk]),
        reverse("reviews:report_pdf", args=[review.pk]),
        reverse("reviews:add_booster", args=[pk]),
    ]


@pytest.mark.parametrize(
    "outsider", ["other_practitioner", "referrer", "other_referrer", "board_member"]
)
def test_case_pages_are_404_for_outsiders(build, request, outsider):
    """The referrer who made the referral is an outsider to the case too, except for the
    held review reports sent to them (see the next test)."""
    j = build(Stage.PHASE2, reviews_held=1)
    user = request.getfixturevalue(outsider)
    client = login(user)
    report = reverse("reviews:report_pdf", args=[j.reviews[0].pk])
    urls = [u for u in case_urls(j) if not (outsider == "referrer" and u == report)]
    before = (
        Contact.objects.count(),
        Goal.objects.count(),
        Booster.objects.count(),
        Reading.objects.count(),
        j.case.version,
    )

    for url in urls:
        assert client.get(url).status_code == 404, f"GET {url} as {outsider}"
        posted = client.post(url, {"version": j.case.version, "reason": "x"})
        assert posted.status_code == 404, f"POST {url} as {outsider}"

    after = (
        Contact.objects.count(),
        Goal.objects.count(),
        Booster.objects.count(),
        Reading.objects.count(),
        j.reload().version,
    )
    assert after == before


def test_the_referrer_may_download_only_the_held_review_reports_sent_to_them(
    build, referrer, other_referrer
):
    j = build(Stage.PHASE2, reviews_held=1)
    held, pending = j.reviews[0], j.reviews[1]
    mine = login(referrer)

    response = mine.get(reverse("reviews:report_pdf", args=[held.pk]))

    assert response.status_code == 200
    assert response.content[:5] == b"%PDF-"
    assert mine.get(reverse("reviews:report_pdf", args=[pending.pk])).status_code == 404
    assert mine.get(reverse("reviews:record", args=[held.pk])).status_code == 404
    assert mine.get(reverse("cases:detail", args=[j.case.pk])).status_code == 404
    other = login(other_referrer)
    assert other.get(reverse("reviews:report_pdf", args=[held.pk])).status_code == 404


def test_case_pages_open_for_the_team(build, pclient):
    """The control for the 404s above: the team's practitioner can open the same pages."""
    j = build(Stage.PHASE2, reviews_held=1)
    get_only_404 = {
        reverse("cases:finish_step_down", args=[j.case.pk]),  # POST only
        reverse("cases:override", args=[j.case.pk]),  # managers only
    }
    for url in case_urls(j):
        expected = 404 if url in get_only_404 else 200
        assert pclient.get(url).status_code == expected, url


def test_override_page_is_for_managers_only(build, practitioner, manager):
    j = build(Stage.CLOSED)
    url = reverse("cases:override", args=[j.case.pk])

    assert login(practitioner).get(url).status_code == 404
    assert login(practitioner).post(url, {"successful": "no", "reason": "x"}).status_code == 404
    assert Closure.objects.get(case=j.case).success_override is None

    mclient = login(manager)
    assert mclient.get(url).status_code == 200
    reason = {"successful": "no", "reason": "Child accommodated after all.", "version": 1}
    response = mclient.post(url, reason)
    assert response.status_code == 302
    closure = Closure.objects.get(case=j.case)
    assert closure.success_override is False
    assert closure.overridden_by == manager


def test_override_needs_a_reason(build, manager):
    j = build(Stage.CLOSED)

    response = login(manager).post(
        reverse("cases:override", args=[j.case.pk]),
        {"successful": "no", "reason": " ", "version": 1},
    )

    assert_form_error(response, "Give the reason for overriding the success class.", "reason")
    assert Closure.objects.get(case=j.case).success_override is None


# --- Boosters past the team's limit -----------------------------------------------------


def booster_post(j, **changes) -> dict:
    data = {
        "requested_by": "family",
        "requested_on": TODAY.isoformat(),
        "delivered_by": j.worker.pk,
        "delivered_on": TODAY.isoformat(),
        "duration_minutes": "60",
        "notes": "Relapse after a bereavement.",
        "over_limit_reason": "",
    }
    return {**data, **changes}


def test_a_practitioner_cannot_go_past_the_booster_limit(build, pclient):
    j = build(Stage.PHASE2, boosters=3)
    url = reverse("reviews:add_booster", args=[j.case.pk])
    assert "3 of 3 booster sessions used." in page_text(pclient.get(url))

    response = pclient.post(url, booster_post(j, over_limit_reason="Please"))

    assert_form_error(
        response,
        "This family has had 3 booster sessions, the team's limit. "
        "A manager must approve another, with a reason.",
    )
    assert Booster.objects.filter(case=j.case).count() == 3


def test_a_manager_goes_past_the_booster_limit_only_with_a_reason(build, manager):
    j = build(Stage.PHASE2, boosters=3)
    url = reverse("reviews:add_booster", args=[j.case.pk])
    mclient = login(manager)

    refused = mclient.post(url, booster_post(j))
    assert_form_error(refused, "Give the reason for going past the booster limit.")
    assert Booster.objects.filter(case=j.case).count() == 3

    response = mclient.post(url, booster_post(j, over_limit_reason="Relapse risk over Christmas."))

    assert response.status_code == 302
    fourth = Booster.objects.filter(case=j.case).order_by("pk").last()
    assert Booster.objects.filter(case=j.case).count() == 4
    assert fourth.approved_by == manager
    assert fourth.over_limit_reason == "Relapse risk over Christmas."
    page = page_text(mclient.get(reverse("cases:detail", args=[j.case.pk])))
    assert "Boosters: 4 of 3 used." in page
    assert "over the limit, approved by" in page


def test_boosters_within_the_limit_need_no_manager(build, pclient):
    j = build(Stage.PHASE2, boosters=2)

    response = pclient.post(reverse("reviews:add_booster", args=[j.case.pk]), booster_post(j))

    assert response.status_code == 302
    third = Booster.objects.filter(case=j.case).order_by("pk").last()
    assert third.approved_by is None
    assert Booster.objects.filter(case=j.case).count() == 3


# --- The journey helper builds every stage the pages expect -----------------------------


@pytest.mark.parametrize("stage", [s.value for s in Stage if s is not Stage.STEP_DOWN])
def test_journey_reaches_each_stage_and_the_case_page_renders(build, pclient, stage):
    j = build(stage)

    assert j.case.stage == stage
    response = pclient.get(reverse("cases:detail", args=[j.case.pk]))
    assert response.status_code == 200
    assert text_of(response, "stage") == str(dict(Case._meta.get_field("stage").choices)[stage])
    assert timezone.now() == NOW  # the helper put the clock back


def test_finishing_step_down_on_a_typed_day(team_a, build, pclient):
    """The day typed on the button's form dates the move to Phase 2; a bad one is refused
    with a message, never a 500."""
    from datetime import timedelta

    team_a.step_down_enabled = True
    team_a.save()
    j = build(Stage.PHASE1, plans=1)
    j.case.refresh_from_db()
    from tests.cases.phase1_support import end_phase1  # short of the model: signed off

    ended = TODAY - timedelta(days=5)
    end_phase1(case_id=j.case.pk, user=j.worker, ended_on=ended, step_down=True)
    url = reverse("cases:finish_step_down", args=[j.case.pk])

    response = pclient.post(url, {"finished_on": "31/02/2026"}, follow=True)
    assert "valid date" in page_text(response)
    assert j.reload().stage == Stage.STEP_DOWN

    response = pclient.post(url, {"finished_on": (ended + timedelta(days=2)).isoformat()})
    assert response.status_code == 302
    case = j.reload()
    assert case.stage == Stage.PHASE2
    change = case.stage_changes.get(to_stage=Stage.PHASE2)
    assert timezone.localtime(change.changed_at).date() == ended + timedelta(days=2)


def test_the_case_page_shows_why_an_outcome_is_not_known(build, pclient):
    j = build(Stage.PHASE2)
    child = f"child_{j.child.pk}"
    pclient.post(
        reverse("cases:close", args=[j.case.pk]),
        closure_post(j, **{child: "not_known", f"{child}_why": "Moved to her father."}),
    )

    text = page_text(pclient.get(reverse("cases:detail", args=[j.case.pk])))

    assert "Not known (Moved to her father.)" in text
    assert "Closed before the first review." in text
