"""CSV and XLSX exports of a report card's figures, safe against formula injection."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Text a spreadsheet would run as a formula is prefixed with an apostrophe."""
    if isinstance(value, str) and value.startswith(DANGEROUS):
        return "'" + value
    return value


def card_rows(card: dict) -> list[list[object]]:
    rows: list[list[object]] = [
        ["Quadrant", "Measure", "Value", "Unit", "Numerator", "Denominator"]
    ]
    for quadrant, lines in card["quadrants"]:
        for line in lines:
            f = line.figure
            rows.append(
                [quadrant, line.definition.name, f.value, f.unit, f.numerator, f.denominator]
            )
            for r in f.rows:
                if "before" in r:  # services accessed: people per type, before and after
                    for when in ("before", "after"):
                        rows.append(
                            [
                                quadrant,
                                f"  {line.definition.name}: {r['label']}, {when}",
                                r[when],
                                "count",
                                r[when],
                                None,
                            ]
                        )
                elif r.get("label"):
                    rows.append(
                        [
                            quadrant,
                            f"  {line.definition.name}: {r['label']}",
                            r.get("mean", r.get("n")),
                            "mean" if "mean" in r else "count",
                            r.get("n"),
                            r.get("of"),
                        ]
                    )
    rows.append([])
    rows.append(
        [
            "Throughput",
            "Team",
            "Referrals",
            "Inappropriate",
            "Progressing to assessment",
            "of which re-referrals",
            "Accepted to Phase 1",
            "Completed Phase 1",
            "Completed Phase 2 (planned end)",
            "Closed in Phase 2 for another reason",
        ]
    )
    for r in card["throughput"]:
        rows.append(
            [
                "Throughput",
                r["team"],
                r["referrals"],
                r["inappropriate"],
                r["assessed"],
                r["assessed_re"],
                r["accepted"],
                r["completed_phase1"],
                r["completed_phase2"],
                r.get("closed_phase2_other", 0),
            ]
        )
    for name, table in card["context"].items():
        for r in table:
            rows.append(["Context", name, r["label"], r["n"]])
    return [[neutralise(c) for c in row] for row in rows]


def to_csv(card: dict) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(card_rows(card))
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(card: dict) -> bytes:
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)  # a new workbook's one sheet
    sheet.title = "Report card"
    for row in card_rows(card):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
