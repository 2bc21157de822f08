"""About three years of history for the demo teams (accounts' load_demo), made by the
synthetic generator at a small scale and tied to the demo's own teams and people.

The national generator (synthetic/generator.py) invents its 15 teams and their staff;
this one uses the demo's teams as they are, and its managers, practitioners, consultant
social worker, referrer, performance officer and board members: the families' cases are
allocated to the demo practitioners, screened by the demo manager, and so on. One former
practitioner per team (who left, their cases all closed) is the only person added.

Volumes are DOMAIN.md section 7's for one team (60-140 referrals a year), so each
quarter's report card has figures above the small-number rule. The rows are written in
bulk like the national dataset's, so loading them takes a second or two.

It runs once: its referrals carry submission keys derived from "ifss-demo-history", and
the first one's presence means the history is there already.
"""

from __future__ import annotations

import random
import uuid
from datetime import date, datetime, time, timedelta

from accounts.models import Membership, Role, Team, User

from .generator import DAY, FEMALE, SURNAMES, Generator, TeamData, Worker

# First referrals of new families a year, per demo team (re-referrals come on top).
FAMILIES_A_YEAR = {"Gwent IFST": 64, "Cardiff and Vale IFST": 44}
DEFAULT_FAMILIES_A_YEAR = 40
YEARS = 3


def history_key(n: int) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"ifss-demo-history/{n}")


def history_start(today: date) -> date:
    """The first day of the financial quarter three years before today's."""
    from reporting.periods import quarter_containing

    return quarter_containing(date(today.year - YEARS, today.month, min(today.day, 28))).start


def loaded() -> bool:
    from referrals.models import Referral

    return Referral.objects.filter(submission_key=history_key(1)).exists()


class DemoHistory(Generator):
    """The generator over the demo's teams and people, from `history_start(end)` to end."""

    def __init__(self, *, teams: list[Team], end: date, seed: int = 2016, out=None) -> None:
        super().__init__(
            factor=0.0,
            seed=seed,
            end=end,
            password="",
            out=out,
            start=history_start(end),
        )
        self.demo_teams = teams
        self._keys = 0

    # --- hooks -------------------------------------------------------------------------
    def _n_families(self) -> int:
        years = self.now / (365.25 * DAY)
        return round(sum(self._rate(t) for t in self.demo_teams) * years)

    def _team_weights(self) -> list[float]:
        return [float(self._rate(t)) for t in self.demo_teams]

    @staticmethod
    def _rate(team: Team) -> int:
        return FAMILIES_A_YEAR.get(team.name, DEFAULT_FAMILIES_A_YEAR)

    def _submission_key(self, drawn: uuid.UUID) -> uuid.UUID:
        self._keys += 1
        return history_key(self._keys)

    def _generated(self, deadline) -> bool:
        if deadline.case_id is not None:
            return deadline.case_id > self.first_ids["case"]
        return deadline.item_type == "referral" and deadline.item_id > self.first_ids["referral"]

    # --- the demo's teams and people, instead of invented ones ---------------------------
    def _teams(self) -> None:
        rng = self.rng
        self._emails = dict(User.objects.values_list("pk", "email"))
        self.password_hash = "!"  # the former practitioners added here cannot sign in
        self.teams = []
        span = self.now
        memberships = list(
            Membership.objects.filter(team__in=self.demo_teams, active=True, user__is_active=True)
            .select_related("user")
            .order_by("pk")
        )
        for index, team in enumerate(self.demo_teams):
            data = TeamData(
                team.pk,
                index,
                team.name,
                list(team.local_authorities.values_list("pk", flat=True)),
                team.step_down_enabled,
                list(team.review_offsets_months),
            )
            for m in (m for m in memberships if m.team_id == team.pk):
                user = m.user
                if m.role == Role.MANAGER:
                    data.managers.append(user.pk)
                elif m.role in (Role.PRACTITIONER, Role.CSW):
                    data.workers.append(Worker(user.pk, 0.0, None, user.email))
                elif m.role == Role.REFERRER:
                    data.referrers.append((user.pk, user.get_full_name(), user.email))
                elif m.role == Role.BOARD:
                    data.board.append(user.pk)
                elif m.role == Role.PERFORMANCE:
                    data.performance.append(user.pk)
            if not data.managers or not data.workers or not data.referrers:
                raise RuntimeError(f"{team.name}: no manager, worker or referrer in the demo")
            # A practitioner who left half way through: their cases are all closed.
            tag = team.name.split()[0].lower()
            left = rng.uniform(span * 0.35, span * 0.5)
            u = self._user(f"former.{tag}", rng.choice(FEMALE), rng.choice(SURNAMES), active=False)
            self._membership(u, team.pk, "practitioner", False, 0)
            data.workers.append(Worker(u, 0.0, left, self._emails[u]))
            self.teams.append(data)
            self._activity(data, rng, span)

    def _activity(self, team: TeamData, rng: random.Random, span: float) -> None:
        """Consultations to the wider workforce and training sessions, each quarter."""
        quarters = span / (91.3 * DAY)
        for _ in range(round(9 * quarters)):
            self.sink.add(
                "consultation",
                (
                    self.next_id("consultation"),
                    team.pk,
                    self.ldate(rng.uniform(0, span - DAY)),
                    f"{rng.choice(FEMALE)} {rng.choice(SURNAMES)}",
                    rng.choice(
                        ["Children's services", "Health visiting", "Education", "Police", "Housing"]
                    ),
                    rng.choice(
                        [
                            "Parental alcohol use",
                            "Drug use and parenting",
                            "Whether to refer",
                            "Safety planning",
                        ]
                    ),
                    rng.random() < 0.3,
                ),
            )
        for _ in range(round(2.5 * quarters)):
            self.sink.add(
                "training",
                (
                    self.next_id("training"),
                    team.pk,
                    rng.choice(
                        [
                            "Substance misuse awareness",
                            "Motivational interviewing",
                            "Hidden harm",
                            "Working with fathers",
                        ]
                    ),
                    self.ldate(rng.uniform(0, span - DAY)),
                    rng.randint(6, 30),
                    "Children's services; health; education",
                ),
            )


def load_history(teams: list[Team], *, today: date, out=None) -> dict | None:
    """Write the demo's history once. Returns the generator's result, or None if it was
    there already."""
    if loaded():
        return None
    return DemoHistory(teams=teams, end=today, out=out).run()


PUBLISHED_QUARTERS = 8  # two years of cards: a full trend, and a year against the year before


def quarters_to_publish(today: date) -> list:
    """The last eight complete quarters, oldest first: the cards the board finds published
    (the year of history before them is the caseload they carry forward)."""
    from reporting.periods import last_quarters, previous_quarter, quarter_containing

    return last_quarters(previous_quarter(quarter_containing(today)), PUBLISHED_QUARTERS)


NARRATIVE = {
    "story": (
        "Referrals held steady this quarter. First contact with referrers within 24 hours "
        'stays high; the "72-hour" assessment is still the measure furthest from its '
        "target, because most assessments wait for a joint visit with the social worker."
    ),
    "partners": "Children's services duty teams; the drug and alcohol service; health visiting.",
    "what_works": "Joint first visits booked at allocation; weekly case discussion with the CSW.",
    "action_plan": (
        "Book the joint assessment visit when the case is allocated; report the assessment "
        "time from allocation as well as from referral next quarter."
    ),
}


def publish_history(teams: list[Team], *, today: date) -> int:
    """Publish each team's card for the last eight complete quarters, as its performance
    officer (or manager) would have a few weeks after each quarter ended.
    Only the latest quarter's publication goes through the whole service (its PDF built,
    the board told); the earlier ones are kept as they would have been, without building
    a PDF each. Returns the cards published (0 when they were already)."""
    from django.db import transaction
    from django.utils import timezone

    from reporting import publishing, services
    from reporting.models import Narrative, PublishedCard
    from reporting.queries import team_scope

    made = 0
    quarters = quarters_to_publish(today)
    now = timezone.now()
    for team in teams:
        scope = team_scope(team)
        staff = {
            role: User.objects.filter(
                memberships__team=team, memberships__role=role, memberships__active=True
            ).first()
            for role in (Role.PERFORMANCE, Role.MANAGER)
        }
        manager = staff[Role.MANAGER]
        publisher = staff[Role.PERFORMANCE] or manager
        if publisher is None:
            continue  # a team with no manager or performance officer publishes nothing
        for i, period in enumerate(quarters):
            if publishing.card_rows(scope, period, "events").exists():
                continue
            latest = i == len(quarters) - 1
            if (
                latest
                and manager is not None
                and not Narrative.objects.filter(
                    scope_key=scope.key, period_start=period.start, period_end=period.end
                ).exists()
            ):
                services.save_narrative(
                    user=manager,
                    scope=scope,
                    period=period,
                    version=1,
                    story=NARRATIVE["story"],
                    partners=NARRATIVE["partners"],
                    what_works=NARRATIVE["what_works"],
                    action_plan=NARRATIVE["action_plan"],
                )
            when = min(
                now,
                timezone.make_aware(
                    datetime.combine(period.end + timedelta(days=18), time(10, 30))
                ),
            )
            with transaction.atomic():
                if latest:
                    card = services.publish_card(
                        user=publisher, scope=scope, period=period, basis="events"
                    )
                else:
                    card = PublishedCard.objects.create(
                        scope_key=scope.key,
                        scope_label=scope.label,
                        team_id=scope.team_id,
                        period_start=period.start,
                        period_end=period.end,
                        period_label=period.label,
                        basis="events",
                        revision=0,
                        data=publishing.frozen(scope, period, "events"),
                        published_at=when,
                        published_by=publisher,
                    )
                PublishedCard.objects.filter(pk=card.pk).update(published_at=when)
            made += 1
    return made


def set_targets(teams: list[Team]) -> int:
    """Baselines and targets for the headline measures of a team that has none: the
    baseline is the mean of a baseline year (the four published quarters a year before
    the last four), the target a step better. A team's own settings are never
    overwritten."""
    from reporting import measures
    from reporting.card import board_suppression, visible_value
    from reporting.models import Measure, MeasureTarget, Polarity, PublishedCard
    from reporting.queries import Figure
    from reporting.summary import HEADLINE

    suppress = board_suppression()
    made = 0
    by_code = {m.code: m for m in Measure.objects.filter(code__in=HEADLINE)}
    for team in teams:
        if MeasureTarget.objects.filter(team=team).exists():
            continue
        cards = list(
            PublishedCard.objects.filter(team=team, basis="events", revision=0).order_by(
                "period_start"
            )
        )
        first = cards[-8:-4] if len(cards) >= 8 else cards[:4]
        for code in HEADLINE:
            # Only what the board sees: a baseline from hidden small numbers would show them.
            values = [
                v
                for c in first
                if code in c.data["measures"]
                and (v := visible_value(Figure(**c.data["measures"][code]), suppress)) is not None
            ]
            if len(values) < 3 or code not in by_code:
                continue
            unit = first[0].data["measures"][code]["unit"]
            baseline = round(sum(values) / len(values), 1)
            polarity = measures.BY_CODE[code].polarity
            if polarity == Polarity.NEUTRAL:
                target = None
            elif unit == "percent":
                target = min(100.0, round(baseline + 10)) if polarity == Polarity.UP else None
            elif unit == "mean":
                target = baseline + 1 if polarity == Polarity.UP else baseline - 1
            else:
                target = round(baseline * (1.15 if polarity == Polarity.UP else 0.85))
            MeasureTarget.objects.create(
                measure=by_code[code],
                team=team,
                baseline=round(baseline, 1),
                target=round(target, 1) if target is not None else None,
            )
            made += 1
    return made


__all__ = [
    "set_targets",
    "DemoHistory",
    "history_start",
    "load_history",
    "loaded",
    "publish_history",
    "quarters_to_publish",
]
