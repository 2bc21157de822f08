"""Baselines and targets set in the app (issue 16, item 5): a team's managers and
performance officers change them with a reason; each change is kept (who, when, why, before
and after); the card reads the current ones (reporting.targets.current_targets); nobody
else reaches the pages; a stale change is refused and shows the other person's."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from reporting.models import MeasureTarget, TargetChange
from reporting.targets import current_targets

from .fixture import at, make_cast

pytestmark = pytest.mark.django_db

Q1 = "period_kind=quarter&year=2025&quarter=1&basis=events"


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def cast():
    return make_cast(prefix="tgt")


def test_a_performance_officer_sets_a_target_with_its_reason(cast, time_machine) -> None:
    time_machine.move_to(at(2025, 7, 10, 12), tick=False)
    team = cast.taff
    perf = login(cast.performance_a)
    url = f"{reverse('reporting:target', args=['first_contact'])}?team={team.pk}"
    assert perf.get(f"{reverse('reporting:targets')}?team={team.pk}").status_code == 200

    # The reason is required: nothing is saved without it, and what was typed stays.
    refused = perf.post(url, {"version": "0", "baseline": "60", "target": "90", "reason": ""})
    assert refused.status_code == 200 and "This field is required" in refused.text
    assert 'value="90"' in refused.text
    assert not MeasureTarget.objects.exists()

    response = perf.post(
        url, {"version": "0", "baseline": "60", "target": "90", "reason": "Agreed with the board."}
    )
    assert response.status_code == 302
    assert current_targets(team.pk)["first_contact"] == (60.0, 90.0)

    # The manager raises it; the history keeps both changes, newest first.
    time_machine.move_to(at(2025, 8, 1, 12), tick=False)
    login(cast.manager_a).post(
        url, {"version": "1", "baseline": "60", "target": "95", "reason": "Raised after Q1."}
    )
    changes = list(TargetChange.objects.filter(team=team))
    assert [(c.changed_by, c.target_before, c.target_after, c.reason) for c in changes] == [
        (cast.manager_a, Decimal("90.00"), Decimal("95.00"), "Raised after Q1."),
        (cast.performance_a, None, Decimal("90.00"), "Agreed with the board."),
    ]
    history = perf.get(url).text
    table = re.search(r'data-testid="target-history".*?</table>', history, re.S)[0]
    assert "Raised after Q1." in table and "Agreed with the board." in table
    assert table.index("Raised after Q1.") < table.index("Agreed with the board.")

    # The card shows the current baseline and target.
    card = perf.get(f"{reverse('reporting:card')}?scope=team-{team.pk}&{Q1}").text
    row = re.search(r'data-measure="first_contact".*?</tr>', card, re.S)[0]
    assert "Baseline 60.0" in row and "Target 95.0" in row

    # A stale change is refused and shows what is saved now.
    stale = perf.post(
        url, {"version": "1", "baseline": "50", "target": "80", "reason": "Old form."}
    )
    assert "Someone else changed this target" in stale.text
    assert "95.00" in re.search(r'data-testid="latest-version".*?</div>', stale.text, re.S)[0]
    assert current_targets(team.pk)["first_contact"] == (60.0, 95.0)


def test_only_the_teams_managers_and_performance_officers_reach_targets(cast) -> None:
    team = cast.taff
    url = f"{reverse('reporting:target', args=['first_contact'])}?team={team.pk}"
    data = {"version": "0", "baseline": "1", "target": "2", "reason": "Mine."}
    for who in ("board_a", "worker_a", "referrer_a", "manager_b", "board_b"):
        client = login(cast.users[who])
        assert client.get(url).status_code == 404, who
        assert client.post(url, data).status_code == 404, who
        assert client.get(f"{reverse('reporting:targets')}?team={team.pk}").status_code == 404
    assert not MeasureTarget.objects.exists()
    assert login(cast.manager_a).get(url.replace("first_contact", "nothing")).status_code == 404
