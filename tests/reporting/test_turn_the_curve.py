"""Turning the curve (issue 16, item 4) and the publish -> correct -> revision path end to
end through the pages (issue 16, "done when").

- A performance officer writes a measure's story for a quarter; the card shows it under the
  measure. The next quarter's card shows it, labelled with its quarter, until the new one is
  written and no longer a draft.
- A manager publishes the quarter; a practitioner corrects a contact with the correction
  flow (a reason, the original kept); the manager sees the difference and publishes a
  revision with a reason; the board sees the frozen figure, the revision with what changed
  and why, and the story as published, never a silently different number.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from cases.models import Contact
from reporting.models import Narrative, PublishedCard, TeamAgenda
from tests.security.walk import page_forms

from .fixture import at, make_cast
from .test_publishing import direct_hours_shown, in_phase1

pytestmark = pytest.mark.django_db

Q1 = "period_kind=quarter&year=2025&quarter=1&basis=events"
Q2 = "period_kind=quarter&year=2025&quarter=2&basis=events"


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def cast():
    return make_cast(prefix="ttc")


def story_post(version: int, story: str, *, draft: bool = False) -> dict:
    data = {
        "version": str(version),
        "story": story,
        "partners": "The drug and alcohol service",
        "what_works": "Visits at home, early in the day",
        "action_plan": "Recruit a second worker by March",
    }
    if draft:
        data["draft"] = "on"
    return data


def measure_cell(page: str, code: str) -> str:
    return re.search(rf'data-measure="{code}".*?</tr>', page, re.S)[0]


def test_a_measures_story_is_kept_per_quarter_and_carried_while_drafted(
    cast,
    time_machine,
) -> None:
    in_phase1(cast)
    time_machine.move_to(at(2025, 10, 10, 12), tick=False)
    taff = f"scope=team-{cast.taff.pk}"
    perf = login(cast.performance_a)
    write_q1 = f"{reverse('reporting:narrative')}?{taff}&{Q1}&measure=direct_hours"

    response = perf.post(write_q1, story_post(1, "Hours fell when a worker left."))
    assert response.status_code == 302
    assert "measure=" not in response["Location"]
    q1_card = perf.get(f"{reverse('reporting:card')}?{taff}&{Q1}").text
    cell = measure_cell(q1_card, "direct_hours")
    assert "Hours fell when a worker left." in cell
    assert "Recruit a second worker by March" in cell
    assert 'data-testid="carried-story"' not in cell
    saved = Narrative.objects.get(measure_code="direct_hours")
    assert (saved.version, saved.updated_by, saved.draft) == (2, cast.performance_a, False)

    # Q2 has no story yet: Q1's is shown, labelled as Q1's.
    q2_url = f"{reverse('reporting:card')}?{taff}&{Q2}"
    cell = measure_cell(perf.get(q2_url).text, "direct_hours")
    assert "Hours fell when a worker left." in cell
    assert "from Q1 2025-26" in cell and "Not written for this period yet" in cell

    # A draft of Q2's keeps Q1's on the card, saying this one is being drafted.
    write_q2 = write_q1.replace(Q1, Q2)
    assert perf.post(write_q2, story_post(1, "Half written", draft=True)).status_code == 302
    cell = measure_cell(perf.get(q2_url).text, "direct_hours")
    assert "Half written" not in cell
    assert "Hours fell when a worker left." in cell and "being drafted" in cell
    # The form shows what the card shows meanwhile.
    assert 'data-testid="earlier-story"' in perf.get(write_q2).text

    # Saved as final, Q2's replaces it; Q1's is kept for Q1.
    assert perf.post(write_q2, story_post(2, "Hours are back up.")).status_code == 302
    cell = measure_cell(perf.get(q2_url).text, "direct_hours")
    assert "Hours are back up." in cell and "from Q1" not in cell
    q1_card = perf.get(f"{reverse('reporting:card')}?{taff}&{Q1}").text
    assert "Hours fell when a worker left." in q1_card
    assert Narrative.objects.filter(measure_code="direct_hours").count() == 2

    # An unknown measure is a 404, not a new row; practitioners and the board write nothing.
    assert perf.get(write_q1.replace("direct_hours", "no_such")).status_code == 404
    for who in ("worker_a", "board_a", "manager_b"):
        assert login(cast.users[who]).get(write_q1).status_code == 404, who


def test_the_data_development_agenda(cast, time_machine) -> None:
    time_machine.move_to(at(2025, 10, 10, 12), tick=False)
    taff = f"scope=team-{cast.taff.pk}"
    card = f"{reverse('reporting:card')}?{taff}&{Q1}"
    manager = login(cast.manager_a)
    page = manager.get(card).text
    assert 'data-testid="data-agenda"' in page and "School attendance" in page
    assert "a suggested list" in page

    url = f"{reverse('reporting:agenda')}?team={cast.taff.pk}"
    assert "School attendance" in manager.get(url).text  # the suggestion, to edit
    response = login(cast.performance_a).post(
        url, {"version": "1", "items": "Housing stability\n- Adults in work"}
    )
    assert response.status_code == 302
    page = manager.get(card).text
    agenda = re.search(r'data-testid="data-agenda".*?</section>', page, re.S)[0]
    assert "<li>Housing stability</li>" in agenda and "<li>Adults in work</li>" in agenda
    assert "School attendance" not in agenda
    # A stale save is refused and shows the other person's list.
    refused = manager.post(url, {"version": "1", "items": "Mine"})
    assert "Someone else changed this agenda" in refused.text
    assert "Housing stability" in refused.text
    assert TeamAgenda.objects.get().items == "Housing stability\n- Adults in work"
    for who in ("worker_a", "board_a"):
        assert login(cast.users[who]).get(url).status_code == 404, who
    other = f"{reverse('reporting:agenda')}?team={cast.usk.pk}"
    assert manager.get(other).status_code == 404


def correct_contact(client: Client, contact: Contact, minutes: int, reason: str) -> None:
    """The practitioner's correction flow, through its page's own form."""
    url = reverse("cases:correct_contact", args=[contact.pk])
    page = client.get(url)
    assert page.status_code == 200
    [form] = [f for f in page_forms(page.text) if f["method"] == "post" and "reason" in f["names"]]
    data = {k: v if len(v) > 1 else v[0] for k, v in form["data"].items()}
    data.update({"duration_minutes": str(minutes), "reason": reason})
    response = client.post(form["action"] or url, data)
    assert response.status_code == 302, re.findall(r"invalid-feedback[^>]*>([^<]*)", response.text)


def test_publish_correct_revise_end_to_end(
    cast,
    time_machine,
    eager_celery,
    django_capture_on_commit_callbacks,
) -> None:
    family = in_phase1(cast)  # one contact of 120 minutes in Q1
    taff = f"scope=team-{cast.taff.pk}"
    manager, board, worker = login(cast.manager_a), login(cast.board_a), login(family.worker)

    # The manager writes the story of the hours, and publishes the quarter.
    time_machine.move_to(at(2025, 7, 10, 12), tick=False)
    write = f"{reverse('reporting:narrative')}?{taff}&{Q1}&measure=direct_hours"
    assert manager.post(write, story_post(1, "Two hours in the first week.")).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        manager.post(f"{reverse('reporting:publish')}?{taff}&{Q1}")
    first = PublishedCard.objects.get()
    assert first.data["narratives"]["direct_hours"]["story"] == "Two hours in the first week."

    # The practitioner corrects the contact: it lasted 60 minutes more than recorded.
    time_machine.move_to(at(2025, 8, 4, 12), tick=False)
    contact = Contact.objects.get(case=family.case)
    correct_contact(worker, contact, 180, "The visit lasted three hours, not two.")
    # The story is rewritten after publication: the published card keeps the first one.
    assert manager.post(write, story_post(2, "Rewritten later.")).status_code == 302

    # The board still sees the frozen figure and story.
    first_url = reverse("reporting:published_card", args=[first.pk])
    page = board.get(first_url).text
    assert direct_hours_shown(page) == "2"
    assert "Two hours in the first week." in page and "Rewritten later." not in page

    # The manager sees the difference, and publishes the revision with its reason.
    revision_url = f"{reverse('reporting:revision')}?{taff}&{Q1}"
    page = manager.get(revision_url).text
    assert "Hours of direct work: value" in page and ">2.0<" in page and ">3.0<" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(
            revision_url, {"revision": "0", "reason": "The length of a visit was corrected."}
        )
    second = PublishedCard.objects.get(revision=1)
    assert response["Location"] == reverse("reporting:published_card", args=[second.pk])

    # The board: revision 1 with what changed and why; revision 0 unchanged; no page shows
    # a number other than the one published for it.
    page = board.get(reverse("reporting:published_card", args=[second.pk])).text
    assert direct_hours_shown(page) == "3"
    assert "The length of a visit was corrected." in page
    differences = re.search(r'data-testid="revision-differences".*?</table>', page, re.S)[0]
    assert "Hours of direct work: value" in differences
    assert direct_hours_shown(board.get(first_url).text) == "2"
    # The revision carries the story as it stood when the revision was published.
    assert "Rewritten later." in page
    # The board is told, and downloads the revision's figures (suppressed).
    notices = cast.board_a.notifications.values_list("subject", flat=True)
    assert "Report card revised: Taff IFST, Q1 2025-26" in notices
    csv_text = board.get(
        reverse("reporting:published_export", args=[second.pk, "csv"])
    ).content.decode("utf-8-sig")
    assert "Hours of direct work,3" in csv_text
    assert "Referrals received,<5" in csv_text
    # The live card moved on; the board still cannot see it.
    assert board.get(f"{reverse('reporting:card')}?{taff}&{Q1}").status_code == 404
    assert second.published_at - first.published_at > timedelta(days=20)
