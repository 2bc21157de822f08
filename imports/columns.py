"""The import template: every column, its format and what it means (docs/import.md says
the same in words). The blank copies offered for download are made from this list."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

DATE = "date (YYYY-MM-DD or DD/MM/YYYY)"


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # text, date, int, yesno, code
    help: str
    required: bool = False
    low: int | None = None
    high: int | None = None


COLUMNS: list[Column] = [
    Column("reference", "text", "The team's own reference for the referral (unique).", True),
    Column("family_name", "text", "How the team refers to the family (default: the reference)."),
    Column(
        "local_authority",
        "text",
        "Local authority name or code (default: the team's own, if it serves one).",
    ),
    Column("referral_date", "date", "Date the referral was received.", True),
    Column("rereferral", "yesno", "yes if the family was referred before (default no)."),
    Column("first_contact_date", "date", "First contact with the referrer."),
    Column("decision_date", "date", "Date of the screening decision."),
    Column("screening_outcome", "code", "Screening outcome code (reference list)."),
    Column("screening_reason", "code", "Screening reason code, belonging to the outcome."),
    Column("decision_detail", "text", "Written reason (needed by outcomes marked so)."),
    Column("onward_service", "code", "Service referred on to (needed by 'referred on')."),
    Column("allocation_date", "date", "Date the case was allocated (default: the decision date)."),
    Column("worker", "text", "Username of the spearhead worker (default: the importing manager)."),
    Column("assessment_start", "date", "Date the assessment started."),
    Column("assessment_end", "date", "Date the assessment was completed."),
    Column("assessment_decision", "code", "proceed or not_proceed."),
    Column("not_proceed_reason", "code", "Reason code when the family did not proceed."),
    Column("phase1_start", "date", "Phase 1 start."),
    Column("phase1_end", "date", "Phase 1 end (Phase 2 starts; reviews are due from it)."),
    Column("review_1m_date", "date", "1-month review held on."),
    Column("review_3m_date", "date", "3-month review held on."),
    Column("review_6m_date", "date", "6-month review held on."),
    Column("review_12m_date", "date", "12-month review held on."),
    Column("gas_baseline", "int", "Family GAS score at the start (-2..+2).", low=-2, high=2),
    Column("gas_1m", "int", "GAS at the 1-month review (-2..+2).", low=-2, high=2),
    Column("gas_3m", "int", "GAS at the 3-month review (-2..+2).", low=-2, high=2),
    Column("gas_6m", "int", "GAS at the 6-month review (-2..+2).", low=-2, high=2),
    Column("gas_12m", "int", "GAS at the 12-month review (-2..+2).", low=-2, high=2),
    Column("closure_date", "date", "Date the case closed."),
    Column("closure_reason", "code", "Closure reason code (reference list)."),
    Column("adults", "int", "Adults in the household.", low=0, high=20),
    Column("children", "int", "Children in the household.", low=0, high=20),
    Column(
        "wemwbs_start", "int", "WEMWBS total at the start (14-70, first adult).", low=14, high=70
    ),
    Column("wemwbs_end", "int", "WEMWBS total at closure (14-70, first adult).", low=14, high=70),
    Column(
        "sdq_start",
        "int",
        "SDQ total difficulties at the start (0-40, first child).",
        low=0,
        high=40,
    ),
    Column(
        "sdq_end", "int", "SDQ total difficulties at closure (0-40, first child).", low=0, high=40
    ),
]
NAMES = [c.name for c in COLUMNS]
BY_NAME = {c.name: c for c in COLUMNS}
REVIEW_COLUMNS = {
    1: "review_1m_date",
    3: "review_3m_date",
    6: "review_6m_date",
    12: "review_12m_date",
}
GAS_COLUMNS = {1: "gas_1m", 3: "gas_3m", 6: "gas_6m", 12: "gas_12m"}


def blank_csv() -> bytes:
    out = io.StringIO()
    csv.writer(out).writerow(NAMES)
    return out.getvalue().encode("utf-8-sig")


def blank_xlsx() -> bytes:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)  # a new workbook's one sheet
    sheet.title = "Referrals"
    sheet.append(NAMES)
    notes = book.create_sheet("Columns")
    notes.append(["column", "required", "format", "meaning"])
    for c in COLUMNS:
        notes.append([c.name, "yes" if c.required else "no", c.kind, c.help])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
