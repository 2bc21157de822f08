"""The summary page of a quarter's card (reporting/summary.py) and its charts
(reporting/charts.py): the change since the last quarter and since the same quarter a year
before, said as better or worse by the measure's polarity; the position against baseline
and target; quarters running; and nothing worked out from, or drawn of, a hidden figure."""

from __future__ import annotations

import re

import pytest

from reporting.charts import FONT, trend_svg
from reporting.periods import last_quarters, quarter
from reporting.summary import HEADLINE, Change, build, judge

Q = quarter(2026, 2)  # Q2 2026-27
QUARTERS = last_quarters(Q, 8)


def _count(v):
    return {"value": v, "numerator": None, "denominator": None, "unit": "count", "rows": []}


def _percent(n, d):
    value = round(100 * n / d, 1) if d else None
    return {"value": value, "numerator": n, "denominator": d, "unit": "percent", "rows": []}


def _mean(v, n):
    return {"value": v, "numerator": None, "denominator": n, "unit": "mean", "rows": []}


def _history(**series) -> list[dict]:
    """Eight quarters' figures, oldest first: {code: [figure per quarter]}."""
    return [{"measures": {code: figs[i] for code, figs in series.items()}} for i in range(8)]


def _by_code(headlines) -> dict:
    return {h.definition.code: h for h in headlines}


def test_changes_since_last_quarter_and_last_year_in_words_by_polarity() -> None:
    history = _history(
        # Higher is better: 20 a year before, 30 last quarter, 34 now.
        families_worked_with=[_count(v) for v in (10, 12, 14, 20, 22, 25, 30, 34)],
        # Lower is better (SDQ difficulties): -1 a year before, -2 last quarter, -1.5 now.
        sdq_change=[_mean(v, 20) for v in (-1, -1, -1, -1, -2, -2, -2, -1.5)],
        # Neither: referrals received, up 5 since last quarter.
        referrals_received=[_count(v) for v in (20, 20, 20, 20, 20, 20, 20, 25)],
    )
    h = _by_code(build(QUARTERS, history, None, {}))
    families = h["families_worked_with"]
    assert families.value_text == "34"
    assert families.last_quarter.since == "Q1 2026-27"
    assert families.last_quarter.words == "up 4 since Q1 2026-27: better"
    assert families.last_quarter.judgement == "better"
    assert families.last_year.since == "Q2 2025-26"
    assert families.last_year.words == "up 14 since Q2 2025-26: better"
    assert families.last_year.short == "up 14: better"
    assert families.streak == "Better 7 quarters running"
    assert families.status_words == "Improving" and families.status_icon == "▲"

    sdq = h["sdq_change"]
    assert sdq.last_quarter.words == "up 0.5 since Q1 2026-27: worse"  # -1.5 is worse than -2
    assert sdq.last_year.words == "down 0.5 since Q2 2025-26: better"
    assert sdq.status == "worsening" and sdq.status_words == "Getting worse"

    referrals = h["referrals_received"]
    assert referrals.last_quarter.words == "up 5 since Q1 2026-27"  # no judgement
    assert referrals.last_quarter.judgement == "higher"
    assert referrals.status_words == "Neither higher nor lower is better"
    assert [code for code in HEADLINE if code in h] == [
        "referrals_received",
        "families_worked_with",
        "sdq_change",
    ]


def test_position_against_baseline_and_target() -> None:
    history = _history(
        first_contact=[_percent(n, 20) for n in (12, 12, 12, 12, 14, 14, 15, 17)],  # 85%
        reviews_on_time=[_percent(n, 20) for n in (12, 12, 12, 12, 14, 14, 15, 13)],  # 65%
        sdq_change=[_mean(v, 20) for v in (-1, -1, -1, -1, -2, -2, -2, -3)],
        direct_hours=[
            {"value": v, "numerator": None, "denominator": None, "unit": "hours", "rows": []}
            for v in (400, 420, 430, 450, 470, 480, 500, 480.5)
        ],
    )
    targets = {
        "first_contact": (60.0, 80.0),
        "reviews_on_time": (70.0, 80.0),
        "sdq_change": (-1.0, -2.5),  # lower is better: -3 meets it
        "direct_hours": (450.0, 500.0),
    }
    h = _by_code(build(QUARTERS, history, None, targets))
    assert h["first_contact"].target_text == "Target 80%: met by 5 points"
    assert h["first_contact"].baseline_text == "Baseline 60%: 25 points better"
    assert h["first_contact"].status_words == "Target met" and h["first_contact"].status_icon == "✓"
    assert h["reviews_on_time"].target_text == "Target 80%: missed by 15 points"
    assert h["reviews_on_time"].baseline_text == "Baseline 70%: 5 points worse"
    assert h["reviews_on_time"].status_words == "Target missed"
    assert h["reviews_on_time"].status_icon == "✗"
    assert h["sdq_change"].target_text == "Target -2.5: met by 0.5"
    assert h["sdq_change"].baseline_text == "Baseline -1: 2 better"
    # Short of its target but better than last quarter: improving, in words.
    assert h["direct_hours"].target_text == "Target 500: missed by 19.5 hours"
    assert h["direct_hours"].last_quarter.words == "down 19.5 hours since Q1 2026-27: worse"
    h2 = _by_code(
        build(
            QUARTERS,
            _history(first_contact=[_percent(n, 20) for n in (12, 12, 12, 12, 14, 14, 10, 12)]),
            None,
            {"first_contact": (None, 80.0)},
        )
    )
    assert h2["first_contact"].status_words == "Improving, target not met yet"
    assert h2["first_contact"].baseline_text == "No baseline set"


def test_a_hidden_figure_is_not_compared_nor_drawn() -> None:
    """On a board output (suppress=5), a count below 5, a percentage over fewer than 5 and
    a mean over fewer than 5 are hidden: no change is worked out from them, the chart has
    no point for them, and its table says "<5" or "–"."""
    history = _history(
        families_worked_with=[_count(v) for v in (10, 12, 3, 20, 22, 25, 4, 34)],
        first_contact=[_percent(n, d) for n, d in ((12, 20),) * 6 + ((3, 4), (17, 20))],
        wemwbs_change=[_mean(v, n) for v, n in ((5, 20),) * 3 + ((6, 3),) + ((5, 20),) * 4],
    )
    h = _by_code(build(QUARTERS, history, 5, {}))
    families = h["families_worked_with"]
    assert families.last_quarter.judgement == ""
    assert "not comparable" in families.last_quarter.words
    assert families.last_year.words == "up 14 since Q2 2025-26: better"
    assert [v for _q, v in families.series] == ["10", "12", "<5", "20", "22", "25", "<5", "34"]
    chart = str(families.chart)
    assert len(re.findall("<circle", chart)) == 6
    assert ": 3</title>" not in chart and ": 4</title>" not in chart
    first = h["first_contact"]
    assert first.series[6] == ("Q1 2026-27", "–")
    assert "not comparable" in first.last_quarter.words
    assert h["wemwbs_change"].series[3] == ("Q2 2025-26", "–")
    assert h["wemwbs_change"].last_year.words.startswith("not comparable with Q2 2025-26")
    assert h["wemwbs_change"].last_quarter.words == "no change since Q1 2026-27"
    # Without suppression (a manager's live card) every value counts.
    shown = _by_code(build(QUARTERS, history, None, {}))["families_worked_with"]
    assert shown.last_quarter.words == "up 30 since Q1 2026-27: better"


@pytest.mark.parametrize(
    ("polarity", "delta", "said"),
    [("up", 2, "better"), ("up", -2, "worse"), ("down", -2, "better"), ("down", 2, "worse")]
    + [("neutral", 2, "higher"), ("neutral", -1, "lower"), ("up", 0, "same")],
)
def test_polarity_judgement(polarity: str, delta: float, said: str) -> None:
    assert judge(polarity, delta) == said


def test_change_with_a_missing_figure_says_so() -> None:
    change = Change.between("Q1 2026-27", 5.0, None, "count", "up")
    assert change.judgement == ""
    assert change.short.startswith("not comparable")


def test_the_chart_has_axes_a_legend_baseline_and_target_lines() -> None:
    labels = [q.label for q in QUARTERS]
    chart = str(
        trend_svg(
            labels,
            [50.0, 55.0, None, 60.0, 65.0, 70.0, 72.5, 75.0],
            baseline=60.0,
            target=80.0,
            title="First contact",
            unit="percent",
            description="First contact by quarter",
        )
    )
    assert f'font-size="{FONT}"' in chart and FONT >= 12
    assert 'role="img"' in chart and 'aria-label="First contact. First contact by quarter"' in chart
    # The value axis: 0% to 100% in round steps.
    for tick in ("0%", "25%", "50%", "75%", "100%"):
        assert f">{tick}</text>" in chart
    # The time axis: each quarter, and the financial year where one starts.
    assert ">Q3<tspan" in chart and ">24-25</tspan>" in chart and ">25-26</tspan>" in chart
    assert chart.count('fill="#333">Q2</text>') == 2
    # The legend names the line, the baseline and the target, each drawn.
    for text in ("Each quarter", "Baseline 60", "Target 80"):
        assert f">{text}</text>" in chart
    assert "<title>Baseline 60</title>" in chart and "<title>Target 80</title>" in chart
    # The missing quarter is a gap: two lines, seven points.
    assert chart.count("<polyline") == 2 and chart.count("<circle") == 7
