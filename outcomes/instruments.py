"""The published scoring rules of the SDQ and SWEMWBS. Pure: no ORM, tested at every boundary.

SDQ (Strengths and Difficulties Questionnaire, Goodman; youthinmind, sdqinfo.org, "Scoring
the SDQ"): validated for ages 2 to 17. The 2-4 version is completed by a parent or a
teacher of a child aged 2 to 4; the 4-17 version by a parent or teacher of a child aged 4
to 17, or by the young person themself from 11 to 17. Total difficulties (0-40, the four
problem subscales) is banded per informant, in the original three bands and in the current
four. The 2-4 version is banded with the same total-difficulties cut-offs as the 4-17
version of the same informant.

SWEMWBS (the 7-item short Warwick-Edinburgh Mental Wellbeing Scale, Stewart-Brown et al.
2009): the raw total of the seven items (7-35) is reported as the published Rasch metric
score, from the conversion table below.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from django.utils.translation import gettext as _

SDQ_MIN_AGE, SDQ_MAX_AGE = 2, 17
SDQ_TOTAL_MAX = 40


class Informant(StrEnum):
    PARENT = "parent"
    TEACHER = "teacher"
    SELF = "self"


class SdqVersion(StrEnum):
    EARLY = "2_4"  # ages 2-4, parent or teacher
    STANDARD = "4_17"  # ages 4-17, parent or teacher; self-report 11-17


# The ages each version and informant is validated for, inclusive.
AGES: dict[tuple[SdqVersion, Informant], tuple[int, int]] = {
    (SdqVersion.EARLY, Informant.PARENT): (2, 4),
    (SdqVersion.EARLY, Informant.TEACHER): (2, 4),
    (SdqVersion.STANDARD, Informant.PARENT): (4, 17),
    (SdqVersion.STANDARD, Informant.TEACHER): (4, 17),
    (SdqVersion.STANDARD, Informant.SELF): (11, 17),
}


def sdq_refusal(version: str, informant: str, age: int | None) -> str | None:
    """Why this version and informant cannot be used at this age, or None when they can."""
    if age is None:
        return _("The SDQ needs the child's date of birth.")
    if not SDQ_MIN_AGE <= age <= SDQ_MAX_AGE:
        return _("The SDQ is validated for ages 2 to 17.")
    try:
        low, high = AGES[SdqVersion(version), Informant(informant)]
    except (KeyError, ValueError):
        return _("The 2-4 version of the SDQ has no self-report: choose a parent or a teacher.")
    if not low <= age <= high:
        if informant == Informant.SELF:
            return _("The self-report SDQ is for young people aged 11 to 17.")
        return _("This version of the SDQ is for ages %(low)s to %(high)s.") % {
            "low": low,
            "high": high,
        }
    return None


# Total difficulties: the highest score of each band, per informant, lowest band first.
# Three bands (the original): normal, borderline, abnormal.
THREE_BANDS = ("normal", "borderline", "abnormal")
THREE_BAND_TOPS: dict[Informant, tuple[int, int, int]] = {
    Informant.PARENT: (13, 16, 40),
    Informant.TEACHER: (11, 15, 40),
    Informant.SELF: (15, 19, 40),
}
# Four bands (the current categorisation): close to average, slightly raised, high, very high.
FOUR_BANDS = ("close_to_average", "slightly_raised", "high", "very_high")
FOUR_BAND_TOPS: dict[Informant, tuple[int, int, int, int]] = {
    Informant.PARENT: (13, 16, 19, 40),
    Informant.TEACHER: (11, 15, 18, 40),
    Informant.SELF: (14, 17, 19, 40),
}


def _band(total: int, names: tuple[str, ...], tops: tuple[int, ...]) -> str:
    if not 0 <= total <= SDQ_TOTAL_MAX:
        raise ValueError(f"SDQ total difficulties runs from 0 to 40, not {total}")
    return next(name for name, top in zip(names, tops, strict=True) if total <= top)


def sdq_three_band(total: int, informant: str) -> str:
    return _band(total, THREE_BANDS, THREE_BAND_TOPS[Informant(informant)])


def sdq_four_band(total: int, informant: str) -> str:
    return _band(total, FOUR_BANDS, FOUR_BAND_TOPS[Informant(informant)])


SWEMWBS_MIN, SWEMWBS_MAX = 7, 35
# Raw total -> metric score (the published SWEMWBS conversion table).
SWEMWBS_METRIC: dict[int, Decimal] = {
    raw: Decimal(metric)
    for raw, metric in zip(
        range(SWEMWBS_MIN, SWEMWBS_MAX + 1),
        (
            "7.00",
            "9.51",
            "11.25",
            "12.40",
            "13.33",
            "14.08",
            "14.75",
            "15.32",
            "15.84",
            "16.36",
            "16.88",
            "17.43",
            "17.98",
            "18.59",
            "19.25",
            "19.98",
            "20.73",
            "21.54",
            "22.35",
            "23.21",
            "24.11",
            "25.03",
            "26.02",
            "27.03",
            "28.13",
            "29.31",
            "30.70",
            "32.55",
            "35.00",
        ),  # fmt: skip
        strict=True,
    )
}


def swemwbs_metric(raw_total: int) -> Decimal:
    if raw_total not in SWEMWBS_METRIC:
        raise ValueError(f"A SWEMWBS raw total runs from 7 to 35, not {raw_total}")
    return SWEMWBS_METRIC[raw_total]
