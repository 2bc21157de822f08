"""HTML templates printed to PDF bytes with WeasyPrint: every document's renderer calls this."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone


def render_pdf(template: str, context: dict) -> bytes:
    from weasyprint import HTML  # imported late: it loads native libraries

    html = render_to_string(template, {**context, "generated_at": timezone.now()})
    # Tagged PDF/UA-1: a structure tree for screen readers, and /Lang from <html lang>.
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(pdf_variant="pdf/ua-1")
