"""The report card as a PDF (the Family Plan and the review report are reviews/documents.py)."""

from __future__ import annotations

from core.pdf import render_pdf
from families.language import printed_in


def render_report_card_pdf(card: dict, language: str | None = None) -> bytes:
    """The report card as a board reads it: the same content as the page, in the language
    asked for (``en`` or ``cy``), else the current one."""
    return render_pdf("reporting/pdf/report_card.html", {"card": card}, html=printed_in(language))
