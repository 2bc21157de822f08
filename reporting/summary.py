"""The summary page of a quarter's report card: for each headline measure, the value, the
change since the last quarter and since the same quarter a year before (better or worse,
by the measure's polarity), how many quarters it has moved the right way, where it stands
against its baseline and target, and a small chart with its values beside it.

Every value goes through the card's small-number rule first (reporting.card.figure_text):
a value the card hides is hidden here too, and no change is worked out from it."""

from __future__ import annotations

from dataclasses import dataclass, field

from . import measures
from .charts import SMALL, trend_svg
from .models import Polarity
from .periods import Period, quarter_containing
from .queries import Figure, Scope
from .targets import current_targets

# The measures on the summary page, in its order: a few from each RBA quadrant.
HEADLINE = [
    "referrals_received",
    "families_worked_with",
    "direct_hours",
    "first_contact",
    "assessment_time",
    "reviews_on_time",
    "goals_at_zero",
    "wemwbs_change",
    "sdq_change",
    "not_rereferred",
]

# Icons are characters (DejaVu Sans has them), so the page and the PDF show the same, and
# each comes with its words: nothing is said by colour alone.
MET, MISSED, BETTER, WORSE, SAME, NEUTRAL = "✓", "✗", "▲", "▼", "▬", "•"


def baselines_and_targets(scope: Scope, period: Period | None = None) -> dict[str, tuple]:
    """{measure code: (baseline, target)} for the scope: every reader of baselines and
    targets (the card, its summary, the PDF) goes through here, whatever keeps them."""
    return current_targets(scope.team_id if scope.kind == "team" else None)


def is_quarter(period: Period) -> bool:
    q = quarter_containing(period.start)
    return (q.start, q.end) == (period.start, period.end)


def _format(value: float, unit: str) -> str:
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return f"{text}%" if unit == "percent" else text


def _amount(delta: float, unit: str) -> str:
    """A change as said: '4.5 points' (of a percentage), '12 hours', '3'."""
    text = f"{abs(delta):,.0f}" if float(delta).is_integer() else f"{abs(delta):,.1f}"
    if unit == "percent":
        return f"{text} point{'' if abs(delta) == 1 else 's'}"
    if unit == "hours":
        return f"{text} hour{'' if abs(delta) == 1 else 's'}"
    return text


def judge(polarity: str, delta: float) -> str:
    """'better', 'worse', 'same', or 'higher'/'lower' for a measure with no good direction."""
    if delta == 0:
        return "same"
    if polarity == Polarity.NEUTRAL:
        return "higher" if delta > 0 else "lower"
    return "better" if (delta > 0) == (polarity == Polarity.UP) else "worse"


@dataclass
class Change:
    since: str  # the quarter compared with
    judgement: str = ""  # better, worse, same, higher, lower; "" when it cannot be said
    words: str = ""
    icon: str = ""

    @property
    def short(self) -> str:
        """The change without the quarter it is since (a column heading says it)."""
        if not self.judgement:
            return "not comparable (a figure is missing or hidden)"
        return self.words.replace(f" since {self.since}", "")

    @classmethod
    def between(
        cls, since: str, now: float | None, then: float | None, unit: str, polarity: str
    ) -> Change:
        if now is None or then is None:
            return cls(since, "", f"not comparable with {since} (a figure is missing or hidden)")
        delta = round(now - then, 1)
        judgement = judge(polarity, delta)
        if judgement == "same":
            return cls(since, judgement, f"no change since {since}", SAME)
        direction = "up" if delta > 0 else "down"
        said = {"better": ": better", "worse": ": worse"}.get(judgement, "")
        icon = {"better": BETTER, "worse": WORSE}.get(judgement, NEUTRAL)
        words = f"{direction} {_amount(delta, unit)} since {since}{said}"
        return cls(since, judgement, words, icon)


@dataclass
class Headline:
    definition: measures.Definition
    value: float | None
    value_text: str
    fraction: str
    last_quarter: Change
    last_year: Change
    streak: str
    baseline_text: str
    target_text: str
    status: str  # met, missed, improving, worsening, steady, none
    status_words: str
    status_icon: str
    chart: str
    series: list[tuple[str, str]] = field(default_factory=list)


def _streak(values: list[float | None], polarity: str) -> tuple[int, str]:
    """How many quarters in a row, up to the latest, the measure moved the same way."""
    run, way = 0, ""
    for now, then in zip(reversed(values), list(reversed(values))[1:], strict=False):
        if now is None or then is None:
            break
        j = judge(polarity, now - then)
        if j == "same" or (way and j != way):
            break
        way = j
        run += 1
    return run, way


def _against(
    value: float | None, reference: float | None, unit: str, polarity: str, name: str
) -> tuple[str, str]:
    """('met'/'missed'/'', words) of a value against a baseline or target."""
    if reference is None:
        return "", f"No {name} set"
    ref = _format(reference, unit)
    if value is None:
        return "", f"{name.capitalize()} {ref}: not comparable (the figure is missing or hidden)"
    delta = round(value - reference, 1)
    if polarity == Polarity.NEUTRAL:
        side = "at" if delta == 0 else "above" if delta > 0 else "below"
        if delta == 0:
            return "", f"{name.capitalize()} {ref}: at it"
        return "", f"{name.capitalize()} {ref}: {_amount(delta, unit)} {side}"
    good = delta >= 0 if polarity == Polarity.UP else delta <= 0
    if name == "target":
        if good:
            return "met", f"Target {ref}: met" + (f" by {_amount(delta, unit)}" if delta else "")
        return "missed", f"Target {ref}: missed by {_amount(delta, unit)}"
    if delta == 0:
        return "", f"Baseline {ref}: at the baseline"
    return "", f"Baseline {ref}: {_amount(delta, unit)} {'better' if good else 'worse'}"


def build(
    quarters: list[Period],
    history: list[dict | None],
    suppress: int | None,
    targets: dict[str, tuple],
) -> list[Headline]:
    """The headline measures of the latest of `quarters` (oldest first), from the stored or
    published figures of each (`history`, None where there are none)."""
    from .card import figure_text, visible_value

    labels = [q.label for q in quarters]
    out = []
    for code in HEADLINE:
        definition = measures.BY_CODE[code]
        figures = [
            Figure(**h["measures"][code]) if h and code in h.get("measures", {}) else None
            for h in history
        ]
        texts = [figure_text(f, suppress) if f else None for f in figures]
        values = [visible_value(f, suppress) if f else None for f in figures]
        own, text = figures[-1], texts[-1]
        if own is None or text is None:
            continue
        unit, polarity = own.unit, definition.polarity
        value = values[-1]
        baseline, target = targets.get(code, (None, None))
        last_quarter = Change.between(
            labels[-2] if len(labels) > 1 else "the quarter before",
            value,
            values[-2] if len(values) > 1 else None,
            unit,
            polarity,
        )
        last_year = Change.between(
            labels[-5] if len(labels) > 4 else "a year before",
            value,
            values[-5] if len(values) > 4 else None,
            unit,
            polarity,
        )
        run, way = _streak(values, polarity)
        streak = f"{way.capitalize()} {run} quarter{'s' if run > 1 else ''} running" if run else ""
        target_state, target_text = _against(value, target, unit, polarity, "target")
        _b, baseline_text = _against(value, baseline, unit, polarity, "baseline")
        if target_state == "met":
            status, icon, words = "met", MET, "Target met"
        elif target_state == "missed" and last_quarter.judgement == "better":
            status, icon, words = "improving", BETTER, "Improving, target not met yet"
        elif target_state == "missed":
            status, icon, words = "missed", MISSED, "Target missed"
        elif polarity == Polarity.NEUTRAL:
            status, icon, words = "none", NEUTRAL, "Neither higher nor lower is better"
        elif last_quarter.judgement == "better":
            status, icon, words = "improving", BETTER, "Improving"
        elif last_quarter.judgement == "worse":
            status, icon, words = "worsening", WORSE, "Getting worse"
        elif last_quarter.judgement == "same":
            status, icon, words = "steady", SAME, "No change"
        else:
            status, icon, words = "none", NEUTRAL, "Not comparable"
        shown = [v for v in values if v is not None]
        description = (
            f"{definition.name} by quarter, {labels[0]} to {labels[-1]}"
            + (f": from {_format(shown[0], unit)} to {_format(shown[-1], unit)}" if shown else "")
            + (f"; baseline {_format(baseline, unit)}" if baseline is not None else "")
            + (f"; target {_format(target, unit)}" if target is not None else "")
            + ". The values are in the table beside the chart."
        )
        chart = trend_svg(
            labels,
            values,
            baseline=baseline,
            target=target,
            title=f"{definition.name}: last {len(labels)} quarters",
            unit=unit,
            size=SMALL,
            description=description,
        )
        fraction = ""
        if text["numerator"] and text["denominator"]:
            fraction = f"{text['numerator']} of {text['denominator']}"
        elif text["denominator"]:
            fraction = f"n = {text['denominator']}"
        out.append(
            Headline(
                definition,
                value,
                text["value"],
                fraction,
                last_quarter,
                last_year,
                streak,
                baseline_text,
                target_text,
                status,
                words,
                icon,
                chart,
                [(lab, t["value"] if t else "–") for lab, t in zip(labels, texts, strict=True)],
            )
        )
    return out
