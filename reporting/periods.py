"""Reporting periods: financial quarters (Q1 = April-June), financial years, any range."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from accounts.periods import financial_quarter, financial_year_start


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    label: str

    @property
    def start_at(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def end_at(self) -> datetime:
        """The first moment after the period (use with __lt)."""
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))


def quarter(fy: int, q: int) -> Period:
    month = 4 + (q - 1) * 3
    year = fy if month <= 12 else fy + 1
    month = (month - 1) % 12 + 1
    start, end, label = financial_quarter(date(year, month, 1))
    return Period(start, end, label)


def quarter_containing(day: date) -> Period:
    start, end, label = financial_quarter(day)
    return Period(start, end, label)


def financial_year(fy: int) -> Period:
    return Period(date(fy, 4, 1), date(fy + 1, 3, 31), f"{fy}-{str(fy + 1)[-2:]}")


def previous_quarter(period: Period) -> Period:
    return quarter_containing(period.start - timedelta(days=1))


def last_quarters(period: Period, n: int = 8) -> list[Period]:
    """The n quarters ending with the one containing the period's end, oldest first."""
    current = quarter_containing(period.end)
    out = [current]
    while len(out) < n:
        out.append(previous_quarter(out[-1]))
    return list(reversed(out))


def parse(text: str) -> Period:
    """'2026Q2' (financial quarter), 'FY2026' (April 2026-March 2027), or
    '2026-04-01..2026-09-30'."""
    text = text.strip().upper()
    if m := re.fullmatch(r"(\d{4})Q([1-4])", text):
        return quarter(int(m[1]), int(m[2]))
    if m := re.fullmatch(r"FY(\d{4})", text):
        return financial_year(int(m[1]))
    if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", text):
        start, end = date.fromisoformat(m[1]), date.fromisoformat(m[2])
        if end < start:
            raise ValueError("the period ends before it starts")
        return Period(start, end, f"{start:%d %b %Y} to {end:%d %b %Y}")
    raise ValueError(f"not a period: {text!r} (use 2026Q2, FY2026 or 2026-04-01..2026-06-30)")


def current_financial_year() -> int:
    return financial_year_start(timezone.localdate())
