"""The small-number rule of every board output, in one place.

Board members see aggregate figures only, and a count below REPORT_SUPPRESS_BELOW (5) could
point at a family, so it is shown as "<5". Every board-facing page and export (the board's
home page, the published card and its CSV/XLSX/PDF, the data return, the partner API's
figures) prints its counts through `shown`, with the threshold from `board_suppression`;
tests/reporting/test_board_suppression.py walks every route a board member can reach and
fails on a small count printed any other way.
"""

from __future__ import annotations

from django.conf import settings


def board_suppression() -> int | None:
    """The threshold of board outputs (None: nothing suppressed)."""
    return settings.REPORT_SUPPRESS_BELOW or None


def shown(n: float | int | None, suppress: int | None) -> str:
    """A count as printed: small numbers hidden on board outputs ("<N")."""
    if n is None:
        return "–"
    if suppress and isinstance(n, int) and 0 < n < suppress:
        return f"<{suppress}"
    return f"{n:g}" if isinstance(n, float) else str(n)


def is_small(n: object, suppress: int | None) -> bool:
    """Would this count be hidden? (A figure derived from it is hidden too.)"""
    return bool(suppress and isinstance(n, int) and 0 < n < suppress)
