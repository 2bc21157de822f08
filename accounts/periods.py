"""Financial years run April to March; Q1 is April to June (DOMAIN.md section 6)."""

from __future__ import annotations

from datetime import date


def financial_year_start(day: date) -> int:
    return day.year if day.month >= 4 else day.year - 1


def financial_quarter(day: date) -> tuple[date, date, str]:
    """The financial quarter containing day: (first day, last day, label)."""
    fy = financial_year_start(day)
    index = ((day.month - 4) % 12) // 3  # 0..3
    start_month = 4 + index * 3
    start_year = fy if start_month <= 12 else fy + 1
    start_month = (start_month - 1) % 12 + 1
    end_month = start_month + 2
    end_year = start_year
    next_month, next_year = (end_month % 12) + 1, end_year + (1 if end_month == 12 else 0)
    end = date.fromordinal(date(next_year, next_month, 1).toordinal() - 1)
    label = f"Q{index + 1} {fy}-{str(fy + 1)[-2:]}"
    return date(start_year, start_month, 1), end, label
