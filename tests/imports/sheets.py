"""Spreadsheets built like the evaluation's throughput table, with known counts."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from imports.columns import NAMES

# The counts the spreadsheet itself gives (financial year 2024-25).
EXPECTED = {
    "referrals": 40,
    "inappropriate": 6,
    "assessed": 28,
    "assessed_re": 3,
    "accepted": 24,
    "completed_phase1": 18,
    "completed_phase2": 8,
}


def d(day: date) -> str:
    return day.isoformat()


def throughput_rows(la: str, start: date = date(2024, 4, 1)) -> list[dict[str, str]]:
    """40 referrals: 6 inappropriate, 4 refused, 30 accepted (2 never assessed; 28 assessed,
    3 of them re-referrals; 4 did not proceed; 24 went to Phase 1, 6 still in it, 18 ended
    it; 8 of those closed at the end of Phase 2)."""
    rows = []
    for k in range(40):
        received = start + timedelta(days=k)
        row = {
            "reference": f"HIST-{k + 1:03d}",
            "family_name": f"Family {k + 1}",
            "local_authority": la,
            "referral_date": d(received),
            "decision_date": d(received + timedelta(days=1)),
            "adults": "2",
            "children": "2",
        }
        if k < 6:
            row |= {"screening_outcome": "inappropriate", "screening_reason": "not-parental"}
        elif k < 10:
            row |= {"screening_outcome": "refused", "screening_reason": "declined"}
        else:
            row |= {"screening_outcome": "accepted", "screening_reason": "meets-criteria"}
            n = k - 10  # 0..29
            if n >= 2:  # assessed
                row |= {
                    "assessment_start": d(received + timedelta(days=3)),
                    "assessment_end": d(received + timedelta(days=5)),
                    "rereferral": "yes" if n in (2, 3, 4) else "no",
                }
                if n < 6:
                    row |= {
                        "assessment_decision": "not_proceed",
                        "not_proceed_reason": "family-not-ready",
                    }
                else:
                    row |= {
                        "assessment_decision": "proceed",
                        "phase1_start": d(received + timedelta(days=6)),
                        "gas_baseline": "-1",
                        "wemwbs_start": "40",
                    }
                    if n >= 12:  # ended Phase 1
                        end = received + timedelta(days=40)
                        row |= {
                            "phase1_end": d(end),
                            "review_1m_date": d(end + timedelta(days=31)),
                            "gas_1m": "0",
                        }
                        if n >= 22:  # closed at the end of Phase 2
                            row |= {
                                "review_3m_date": d(end + timedelta(days=92)),
                                "gas_3m": "1",
                                "closure_date": d(end + timedelta(days=250)),
                                "closure_reason": "completed",
                                "wemwbs_end": "48",
                            }
        rows.append(row)
    return rows


def as_csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=NAMES)
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue().encode()


def as_xlsx(rows: list[dict[str, str]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(NAMES)
    for row in rows:
        sheet.append([row.get(n, "") or None for n in NAMES])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
