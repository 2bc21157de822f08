"""The language a family's printed outputs are in (the Family Plan, the review report).

The family's language is the **lead parent or carer's** preferred language: the first adult
recorded for the family (in the order the referral listed them) whose preferred language is
recorded. With none recorded it is English, the site's default. Whoever prints may choose
another: English, Welsh, or both side by side (``?lang=en|cy|both``), the Welsh on the left.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .models import MemberKind, Person, PreferredLanguage

BILINGUAL = "both"
# The print language choices offered on a print link, in this order.
PRINT_CHOICES = [
    (PreferredLanguage.WELSH.value, _("Welsh")),
    (PreferredLanguage.ENGLISH.value, _("English")),
    (BILINGUAL, _("Bilingual (Welsh and English)")),
]
PRINT_CODES = frozenset(code for code, _label in PRINT_CHOICES)
DEFAULT = PreferredLanguage.ENGLISH.value


def lead_language(members: Iterable[Person]) -> str:
    """The first adult's recorded language among these members (ordered by record)."""
    adults = sorted((m for m in members if m.kind == MemberKind.ADULT), key=lambda m: m.pk)
    return next((m.language for m in adults if m.language), DEFAULT)


def family_language(family_id: int) -> str:
    return (
        Person.objects.filter(family_id=family_id, kind=MemberKind.ADULT)
        .exclude(language="")
        .order_by("pk")
        .values_list("language", flat=True)
        .first()
        or DEFAULT
    )


def chosen(requested: str | None, family_default: Callable[[], str]) -> str:
    """The language asked for on the print link (``en``, ``cy`` or ``both``), else the
    family's. Anything else asked for is the family's too."""
    if requested in PRINT_CODES:
        return requested
    return family_default()


# A section starts at each second-level heading (with a box that opens just before it).
_SECTION = re.compile(r"(?:<div[^>]*>\s*)?<h2\b")
_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.S)
_HEAD = re.compile(r"^(.*?<body[^>]*>)", re.S)


def _sections(body: str) -> list[str]:
    """The body cut before each second-level heading (and the box that opens with it)."""
    starts = [0, *(m.start() for m in _SECTION.finditer(body) if m.start() > 0), len(body)]
    return [body[a:b] for a, b in zip(starts, starts[1:], strict=False) if body[a:b]]


def render_in(language: str, render: Callable[[], str]) -> str:
    with translation.override(language):
        return render()


def side_by_side(render: Callable[[], str]) -> str:
    """The document rendered in Welsh and in English, each section's two versions side by
    side in one row (Welsh on the left), in one HTML page marked ``lang="cy"`` with each
    column marked with its own language."""
    welsh = render_in("cy", render)
    english = render_in("en", render)
    head = _HEAD.match(welsh)
    cy_body, en_body = _BODY.search(welsh), _BODY.search(english)
    if not (head and cy_body and en_body):
        return welsh
    cy_parts = _sections(cy_body.group(1))
    en_parts = _sections(en_body.group(1))
    if len(cy_parts) != len(en_parts):
        cy_parts, en_parts = [cy_body.group(1)], [en_body.group(1)]
    rows = "".join(
        f'<tr><td class="bilingual-col" lang="cy">{cy}</td>'
        f'<td class="bilingual-col" lang="en">{en}</td></tr>'
        for cy, en in zip(cy_parts, en_parts, strict=True)
    )
    style = (
        "<style>table.bilingual{width:100%;border-collapse:collapse;table-layout:fixed;"
        "margin:0}table.bilingual>tbody>tr>td.bilingual-col{width:50%;border:none;"
        "padding:0 2mm;vertical-align:top}table.bilingual>tbody>tr>td.bilingual-col+td"
        "{border-left:1px solid #999}"
        # A section may run on to the next page (the document's rows are kept whole).
        "table.bilingual>tbody>tr{break-inside:auto;page-break-inside:auto}</style>"
    )
    table = f'<table class="bilingual" data-bilingual="1"><tbody>{rows}</tbody></table>'
    return f"{head.group(1)}{style}{table}</body></html>"


def printed_in(language: str | None) -> Callable[[Callable[[], str]], str]:
    """How a printed document's HTML is made (core.pdf.render_pdf's `html`): in `language`
    (``cy``, ``en``), both side by side (``both``), or the current language (None)."""

    def html(render: Callable[[], str]) -> str:
        if language == BILINGUAL:
            return side_by_side(render)
        if language:
            return render_in(language, render)
        return render()

    return html
