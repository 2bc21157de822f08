"""The published SDQ bands and the SWEMWBS conversion (outcomes/instruments.py): every
boundary of every band, per informant."""

from __future__ import annotations

from decimal import Decimal

import pytest

from outcomes import instruments
from outcomes.instruments import sdq_four_band, sdq_refusal, sdq_three_band, swemwbs_metric

# (informant, the last score of one band, the band, the next band): each boundary once.
THREE_BAND_BOUNDARIES = [
    ("parent", 13, "normal", "borderline"),
    ("parent", 16, "borderline", "abnormal"),
    ("teacher", 11, "normal", "borderline"),
    ("teacher", 15, "borderline", "abnormal"),
    ("self", 15, "normal", "borderline"),
    ("self", 19, "borderline", "abnormal"),
]
FOUR_BAND_BOUNDARIES = [
    ("parent", 13, "close_to_average", "slightly_raised"),
    ("parent", 16, "slightly_raised", "high"),
    ("parent", 19, "high", "very_high"),
    ("teacher", 11, "close_to_average", "slightly_raised"),
    ("teacher", 15, "slightly_raised", "high"),
    ("teacher", 18, "high", "very_high"),
    ("self", 14, "close_to_average", "slightly_raised"),
    ("self", 17, "slightly_raised", "high"),
    ("self", 19, "high", "very_high"),
]


@pytest.mark.parametrize(("informant", "last", "band", "next_band"), THREE_BAND_BOUNDARIES)
def test_sdq_three_band_boundary(informant: str, last: int, band: str, next_band: str) -> None:
    assert sdq_three_band(last, informant) == band
    assert sdq_three_band(last + 1, informant) == next_band


@pytest.mark.parametrize(("informant", "last", "band", "next_band"), FOUR_BAND_BOUNDARIES)
def test_sdq_four_band_boundary(informant: str, last: int, band: str, next_band: str) -> None:
    assert sdq_four_band(last, informant) == band
    assert sdq_four_band(last + 1, informant) == next_band


@pytest.mark.parametrize("informant", ["parent", "teacher", "self"])
def test_sdq_bands_cover_0_to_40_and_nothing_else(informant: str) -> None:
    assert sdq_three_band(0, informant) == "normal"
    assert sdq_three_band(40, informant) == "abnormal"
    assert sdq_four_band(0, informant) == "close_to_average"
    assert sdq_four_band(40, informant) == "very_high"
    for bad in (-1, 41):
        with pytest.raises(ValueError):
            sdq_three_band(bad, informant)
        with pytest.raises(ValueError):
            sdq_four_band(bad, informant)


def test_the_same_total_falls_in_each_informants_own_band() -> None:
    # 16: borderline from a parent, abnormal from a teacher, borderline from the young person.
    assert [sdq_three_band(16, i) for i in ("parent", "teacher", "self")] == [
        "borderline",
        "abnormal",
        "borderline",
    ]
    assert [sdq_four_band(15, i) for i in ("parent", "teacher", "self")] == [
        "slightly_raised",
        "slightly_raised",
        "slightly_raised",
    ]
    assert [sdq_four_band(18, i) for i in ("parent", "teacher", "self")] == [
        "high",
        "high",
        "high",
    ]


@pytest.mark.parametrize(
    ("version", "informant", "age", "ok"),
    [
        ("2_4", "parent", 1, False),
        ("2_4", "parent", 2, True),
        ("2_4", "teacher", 4, True),
        ("2_4", "teacher", 5, False),
        ("4_17", "parent", 3, False),
        ("4_17", "parent", 4, True),
        ("4_17", "teacher", 17, True),
        ("4_17", "teacher", 18, False),
        ("4_17", "self", 10, False),
        ("4_17", "self", 11, True),
        ("4_17", "self", 17, True),
        ("4_17", "self", 18, False),
        ("2_4", "self", 3, False),
        ("4_17", "parent", None, False),
        ("4_17", "grandparent", 9, False),
    ],
)
def test_sdq_refusal_at_each_age_boundary(version, informant, age, ok) -> None:
    assert (sdq_refusal(version, informant, age) is None) is ok


def test_swemwbs_conversion_is_the_published_table() -> None:
    table = instruments.SWEMWBS_METRIC
    assert sorted(table) == list(range(7, 36))
    assert swemwbs_metric(7) == Decimal("7.00")
    assert swemwbs_metric(8) == Decimal("9.51")
    assert swemwbs_metric(21) == Decimal("19.25")
    assert swemwbs_metric(34) == Decimal("32.55")
    assert swemwbs_metric(35) == Decimal("35.00")
    # A Rasch metric: strictly increasing, never below the raw total's floor.
    values = [table[raw] for raw in range(7, 36)]
    assert values == sorted(values) and len(set(values)) == len(values)


@pytest.mark.parametrize("bad", [6, 36, 0])
def test_swemwbs_raw_total_out_of_range_is_refused(bad: int) -> None:
    with pytest.raises(ValueError):
        swemwbs_metric(bad)
