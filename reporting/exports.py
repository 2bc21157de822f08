"""CSV and XLSX exports of a report card's figures, safe against formula injection."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from .suppression import is_small, shown

THROUGHPUT_COLUMNS = {
    "referrals": "Referrals",
    "inappropriate": "Inappropriate",
    "assessed": "Progressing to assessment",
    "assessed_re": "of which re-referrals",
    "accepted": "Accepted to Phase 1",
    "completed_phase1": "Completed Phase 1",
    "completed_phase2": "Completed Phase 2 (planned end)",
    "closed_phase2_other": "Closed in Phase 2 for another reason",
}

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Text a spreadsheet would run as a formula is prefixed with an apostrophe."""
    if isinstance(value, str) and value.startswith(DANGEROUS):
        return "'" + value
    return value


def card_rows(card: dict) -> list[list[object]]:
    """The card as rows. A card built for the board (card["suppress"] set) gives every count
    as the card prints it ("<5"), through the one rule (reporting.suppression)."""
    suppress = card.get("suppress")

    def count(n: Any) -> object:
        return shown(n, suppress) if suppress and n is not None else n

    rows: list[list[object]] = [
        ["Quadrant", "Measure", "Value", "Unit", "Numerator", "Denominator"]
    ]
    for quadrant, lines in card["quadrants"]:
        for line in lines:
            f = line.figure
            if suppress:
                printed = line.shown
                rows.append(
                    [
                        quadrant,
                        str(line.definition.name),
                        printed["value"],
                        f.unit,
                        printed["numerator"],
                        printed["denominator"],
                    ]
                )
            else:
                rows.append(
                    [
                        quadrant,
                        str(line.definition.name),
                        f.value,
                        f.unit,
                        f.numerator,
                        f.denominator,
                    ]
                )
            for r in f.rows:
                if "before" in r:  # services accessed: people per type, before and after
                    for when in ("before", "after"):
                        rows.append(
                            [
                                quadrant,
                                f"  {line.definition.name}: {r['label']}, {when}",
                                count(r[when]),
                                "count",
                                count(r[when]),
                                None,
                            ]
                        )
                elif r.get("label"):
                    mean = "mean" in r
                    value = r.get("mean", r.get("n"))
                    if suppress and mean and is_small(r.get("n"), suppress):
                        value = "–"  # a mean over few families gives their count away
                    elif not mean:
                        value = count(value)
                    rows.append(
                        [
                            quadrant,
                            f"  {line.definition.name}: {r['label']}",
                            value,
                            "mean" if mean else "count",
                            count(r.get("n")),
                            count(r.get("of")),
                        ]
                    )
    rows.append([])
    rows.append(
        [
            "Throughput",
            "Team",
            *THROUGHPUT_COLUMNS.values(),
        ]
    )
    for r in card["throughput"]:
        rows.append(
            ["Throughput", r["team"], *(count(r.get(key, 0)) for key in THROUGHPUT_COLUMNS)]
        )
    for name, table in card["context"].items():
        for r in table:
            rows.append(["Context", name, r["label"], count(r["n"])])
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
