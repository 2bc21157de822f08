"""Shared by the tests that walk every route for a rule (audit of personal views, formset
caps, stale saves): which role may open each route, and a plain parser of the forms on a
page, so a test can submit a page's own form as a browser would."""

from __future__ import annotations

from html.parser import HTMLParser

from django.urls import reverse

from tests.security.access_matrix import MATRIX, URL_KWARGS, World

# The role a route is opened as: the first one the matrix lets see it, team A's manager
# first (the role that sees the most of team A).
ROLE_PREFERENCE = [
    "manager",
    "practitioner",
    "csw",
    "performance",
    "referrer",
    "admin",
    "other_team_manager",
    "other_team_practitioner",
    "board",
    "anonymous",
]


def role_for(name: str) -> str | None:
    """A role that gets the page (200) on GET, or None for POST-only and closed pages."""
    return next((r for r in ROLE_PREFERENCE if MATRIX[name].get(r) == 200), None)


def url_of(world: World, name: str) -> str:
    kwargs = URL_KWARGS[name](world) if name in URL_KWARGS else {}
    return reverse(name, kwargs=kwargs)


class _Forms(HTMLParser):
    """Every <form> of a page: its action, method and the values a browser would submit."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._select_multiple = False
        self._option: str | None = None
        self._textarea: str | None = None
        self._text = ""

    def _add(self, name: str, value: str) -> None:
        if self._form is not None and name:
            self._form["data"].setdefault(name, []).append(value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self._form = {
                "action": a.get("action", ""),
                "method": a.get("method", "get").lower(),
                "data": {},
                "names": set(),
                "textareas": set(),
                "texts": set(),
            }
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input":
            name, kind = a.get("name", ""), a.get("type", "text").lower()
            self._form["names"].add(name)
            if kind == "text":
                self._form["texts"].add(name)
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self._add(name, a.get("value", "on" if kind in ("checkbox", "radio") else ""))
        elif tag == "textarea":
            self._textarea, self._text = a.get("name", ""), ""
            self._form["names"].add(self._textarea)
            self._form["textareas"].add(self._textarea)
        elif tag == "select":
            self._select, self._select_first, self._select_chosen = a.get("name", ""), None, False
            self._select_multiple = "multiple" in a
            self._form["names"].add(self._select)
        elif tag == "option" and self._select is not None:
            value = a.get("value")
            self._option = value
            if self._select_first is None:
                self._select_first = value
            if "selected" in a:
                self._select_chosen = True
                self._add(self._select, value or "")

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea is not None:
            self._add(self._textarea, self._text.removeprefix("\n"))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            # A single choice with nothing selected sends its first option, as a browser does.
            if not self._select_chosen and not self._select_multiple:
                self._add(self._select, self._select_first or "")
            self._select = None


def page_forms(html: str) -> list[dict]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def post_forms(html: str) -> list[dict]:
    """The POST forms of a page, without the sign-out and language forms of the layout."""
    return [
        f
        for f in page_forms(html)
        if f["method"] == "post" and not f["action"].startswith(("/accounts/logout", "/i18n"))
    ]
