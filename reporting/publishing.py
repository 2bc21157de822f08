"""Published report cards: the figures the board sees, frozen when a manager or performance
officer publishes them (reporting.services.publish_card).

- A published card keeps every figure as computed at publication (reporting.store.compute)
  and the narrative as it stood; nothing recorded later changes it.
- A correction to the records shows as a revision: the figures computed again, the
  differences from the published ones listed, and a reason required to publish them
  (reporting.services.publish_revision). Earlier revisions stay, so a period can be shown
  as at any date: the revision in force then.
- Board members see published cards only; managers and performance officers also see the
  live card (reporting.views.report_card).
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.db.models import QuerySet
from django.utils import timezone

from accounts import permissions
from accounts.models import User

from . import measures, store, story
from .access import board_teams
from .card import build_card, shown
from .models import PublishedCard
from .periods import Period, last_quarters
from .queries import Scope

NARRATIVE_FIELDS = ("story", "partners", "what_works", "action_plan")

THROUGHPUT_LABELS = {
    "referrals": "Referrals",
    "inappropriate": "Inappropriate",
    "assessed": "Progressing to assessment",
    "assessed_re": "of which re-referrals",
    "accepted": "Accepted to Phase 1",
    "completed_phase1": "Completed Phase 1",
    "completed_phase2": "Completed Phase 2 (planned end)",
    "closed_phase2_other": "Closed in Phase 2 for another reason",
}


def card_rows(scope: Scope, period: Period, basis: str) -> QuerySet[PublishedCard]:
    """Every revision of one card, latest first."""
    return PublishedCard.objects.filter(
        scope_key=scope.key, period_start=period.start, period_end=period.end, basis=basis
    ).order_by("-revision")


def latest(scope: Scope, period: Period, basis: str) -> PublishedCard | None:
    return card_rows(scope, period, basis).select_related("published_by").first()


def as_at(rows: list[PublishedCard], day: date) -> PublishedCard | None:
    """The revision in force at the end of `day` (None if the card was not published yet)."""
    end = timezone.make_aware(datetime.combine(day, time.max))
    standing = [r for r in rows if r.published_at <= end]
    return max(standing, key=lambda r: r.revision, default=None)


def frozen(scope: Scope, period: Period, basis: str) -> dict:
    """The figures as they stand now, with the narratives as the card shows them (each
    measure's, and the card's) and the data development agenda, ready to be kept."""
    data = store.compute(scope, period, basis)
    stories = story.narratives(scope, period)
    card_story = stories.pop("", None)
    data["narrative"] = card_story or {f: "" for f in NARRATIVE_FIELDS}
    data["narratives"] = stories
    data["agenda"] = story.agenda(scope)
    if scope.kind != "all":
        # The all-teams figures beside the card's, frozen with them.
        others, _trends, _at = store.gather(store.ALL_TEAMS, period, basis, with_trends=False)
        data["comparison"] = {"label": store.ALL_TEAMS.label, "measures": others["measures"]}
    return data


def _flat_rows(rows: list[dict]) -> dict[str, object]:
    """A breakdown as {name: value}: "Accepted for assessment" -> 3, "children" -> 12."""
    out: dict[str, object] = {}
    for r in rows:
        label = r.get("label")
        for key, value in r.items():
            if key == "label":
                continue
            if label is None:
                out[key.replace("_", " ")] = value
            elif key == "n":
                out[str(label)] = value
            else:
                out[f"{label} ({key})"] = value
    return out


def differences(before: dict, after: dict) -> list[dict]:
    """What changed between two sets of figures, measure by measure, then the throughput
    table: [{"what", "published", "now"}]."""
    out: list[dict] = []

    def compare(what: str, old: object, new: object) -> None:
        if old != new:
            out.append({"what": what, "published": old, "now": new})

    for definition in measures.CATALOGUE:
        old = before["measures"].get(definition.code)
        new = after["measures"].get(definition.code)
        if old is None or new is None:
            compare(str(definition.name), old and old["value"], new and new["value"])
            continue
        for key in ("value", "numerator", "denominator"):
            compare(f"{definition.name}: {key}", old[key], new[key])
        old_rows, new_rows = _flat_rows(old["rows"]), _flat_rows(new["rows"])
        for name in dict.fromkeys([*old_rows, *new_rows]):
            compare(f"{definition.name}: {name}", old_rows.get(name), new_rows.get(name))
    old_teams = {r["team"]: r for r in before.get("throughput", [])}
    new_teams = {r["team"]: r for r in after.get("throughput", [])}
    for team in dict.fromkeys([*old_teams, *new_teams]):
        for key, label in THROUGHPUT_LABELS.items():
            compare(
                f"Throughput, {team}: {label}",
                old_teams.get(team, {}).get(key),
                new_teams.get(team, {}).get(key),
            )
    return out


def shown_differences(rows: list[dict], suppress: int | None) -> list[dict]:
    """Differences as printed, small counts hidden as on the card."""
    return [
        {
            "what": d["what"],
            "published": shown(d["published"], suppress),
            "now": shown(d["now"], suppress),
        }
        for d in rows
    ]


def may_publish(user: User, scope: Scope) -> bool:
    """A team's managers and performance officers publish its card; other scopes (a local
    authority, all teams) are published by an administrator."""
    if user.is_superuser:
        return True
    return scope.kind == "team" and permissions.may_report_on(user, scope.team_id)


def sees_live_figures(user: User, team_id: int | None) -> bool:
    """Managers and performance officers see the live card; board members do not."""
    return user.is_superuser or (team_id is not None and permissions.may_report_on(user, team_id))


def visible_to(user: User) -> QuerySet[PublishedCard]:
    """Published cards of the user's teams (board members, managers, performance officers)."""
    qs = PublishedCard.objects.select_related("published_by", "team")
    if user.is_superuser:
        return qs
    return qs.filter(team__in=board_teams(user))


def published_trends(published: PublishedCard) -> dict[tuple, dict]:
    """The published figures of the 8 quarters up to the card's, each quarter's latest
    revision, keyed like stored sets (one query)."""
    quarters = last_quarters(
        Period(published.period_start, published.period_end, published.period_label), 8
    )
    rows = PublishedCard.objects.filter(
        scope_key=published.scope_key,
        basis=store.TREND_BASIS,
        period_start__in=[q.start for q in quarters],
        period_end__in=[q.end for q in quarters],
    ).order_by("period_start", "revision")
    out = {(r.period_start, r.period_end, r.basis): r.data for r in rows}
    # The card itself, whichever revision is shown.
    if published.basis == store.TREND_BASIS:
        out[(published.period_start, published.period_end, published.basis)] = published.data
    return out


def card_of(published: PublishedCard, suppress: int | None) -> dict:
    """The report card as published: the frozen figures, the narrative as it stood, and
    trends drawn from the published figures of the quarters before it (each one's latest
    revision), so the board never sees a figure that was not published."""
    from .services import scope_from_key

    scope = scope_from_key(published.scope_key, published.scope_label)
    period = Period(published.period_start, published.period_end, published.period_label)
    key = (period.start, period.end, published.basis)
    card = build_card(
        scope,
        period,
        basis=published.basis,
        suppress=suppress,
        with_trends=True,
        sets={key: published},
        comparison=published.data.get("comparison"),
        trend_data=published_trends(published),
    )
    card["narrative"] = published.data.get("narrative") or None
    if card["narrative"] and not any(card["narrative"].get(f) for f in NARRATIVE_FIELDS):
        card["narrative"] = None
    # The measures' narratives and the agenda as published (cards published before they
    # were kept have none: the page says so rather than show today's).
    kept = published.data.get("narratives")
    card["narratives_kept"] = kept is not None
    for _quadrant, lines in card["quadrants"]:
        for line in lines:
            line.narrative = (kept or {}).get(line.definition.code)
    card["agenda"] = published.data.get("agenda")
    return card
