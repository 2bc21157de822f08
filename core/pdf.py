"""HTML templates printed to PDF bytes with WeasyPrint: every document's renderer calls this."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone


def render_pdf(
    template: str, context: dict, *, html: Callable[[Callable[[], str]], str] | None = None
) -> bytes:
    """The template printed to PDF. `html`, when given, turns the page's rendering into the
    HTML printed: in one language, or two side by side (families.language.printed_in)."""
    from weasyprint import HTML  # imported late: it loads native libraries

    full = {**context, "generated_at": timezone.now()}

    def render() -> str:
        return render_to_string(template, full)

    text = html(render) if html else render()
    # Tagged PDF/UA-1: a structure tree for screen readers, and /Lang from <html lang>.
    return HTML(string=text, base_url=str(settings.BASE_DIR)).write_pdf(pdf_variant="pdf/ua-1")
