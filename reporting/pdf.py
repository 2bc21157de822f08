"""The report card as a PDF (the Family Plan and the review report are reviews/documents.py)."""

from __future__ import annotations

from core.pdf import render_pdf


def render_report_card_pdf(card: dict) -> bytes:
    """The report card as a board reads it: the same content as the page."""
    return render_pdf("reporting/pdf/report_card.html", {"card": card})
