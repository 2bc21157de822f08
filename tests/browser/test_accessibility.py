"""Accessibility in a real browser (WCAG 2.2 AA).

Every page that any browser test loads is scanned by axe-core (tests/browser/conftest.py).
These tests add what the journeys do not reach: the idle-timeout warning driven with the
keyboard, and reflow at 320 px.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser import pages
from tests.browser.conftest import assert_accessible, wait_for_scan
from tests.browser.test_referral_journey import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def _expect():
    from playwright.sync_api import expect

    return expect


def test_idle_warning_is_an_alertdialog_driven_by_the_keyboard(
    page, live_server, settings, practitioner
):
    """The warning is an alertdialog with a description; Escape keeps the user signed in
    (the session is renewed), focus goes back to the field they were in, and typing
    counts as activity."""
    expect = _expect()
    log_in(page, live_server, practitioner.username)
    settings.SESSION_COOKIE_AGE = 8  # the warning shows after 4 s, the session ends at 8 s
    page.goto(f"{live_server.url}/notifications/")
    page.get_by_role("heading", level=1, name="Notifications").wait_for()
    # Focus something the user was on: the "Mark all as read" button.
    button = page.get_by_role("button", name="Mark all as read")
    button.focus()

    dialog = page.get_by_role("alertdialog", name="Are you still there?")
    expect(dialog).to_be_visible(timeout=8_000)
    expect(dialog).to_have_attribute("aria-describedby", "idle-warning-text")
    expect(page.locator("#idle-warning-text")).to_contain_text("keeps you signed in")
    expect(page.get_by_role("button", name="Stay signed in")).to_be_focused()
    assert_accessible(page, state="idle warning open", within="#idle-warning")

    with page.expect_request(re.compile(r"/accounts/keepalive/$")) as renewal:
        page.keyboard.press("Escape")
    assert renewal.value.method == "POST"
    expect(dialog).to_be_hidden()
    expect(button).to_be_focused()

    # Clicking outside it keeps the session as well.
    expect(dialog).to_be_visible(timeout=8_000)
    with page.expect_request(re.compile(r"/accounts/keepalive/$")):
        page.mouse.click(5, 5)
    expect(dialog).to_be_hidden()
    # Still signed in after the original end time: the page did not go to sign-in.
    page.wait_for_timeout(1_000)
    assert "/accounts/login/" not in page.url


def test_typing_counts_as_activity(page, live_server, settings, practitioner):
    """Keys pressed in a form renew the session: the warning does not show while the
    user types (renewals are at most every 30 s; the session is long enough that the
    warning, which would stop renewals, cannot show however slowly the page loads)."""
    # The session's length is set before the first page, and the clock is installed before
    # it too (until fast_forward it runs with real time). Installed after the home page had
    # loaded with the suite's 800-day session, the page's next timer of 69,120,000 s
    # overflowed in the fake clock, fired at once and sent the page to the sign-in page,
    # aborting the test's next navigation (net::ERR_ABORTED; app.js now caps its timers).
    settings.SESSION_COOKIE_AGE = 300  # the warning would show after 180 s of inactivity
    page.clock.install()
    log_in(page, live_server, practitioner.username)
    page.goto(f"{live_server.url}/referrals/new/")
    field = page.locator("main textarea, main input[type=text]").first
    field.click()
    page.clock.fast_forward(31_000)
    # The renewal is waited for (answered), so nothing is still being served at teardown.
    with page.expect_response(re.compile(r"/accounts/keepalive/$"), timeout=5_000) as renewal:
        page.keyboard.type("a")
    assert renewal.value.ok, "typing did not renew the session"
    # Let the typed text's draft be saved now (every 15 s), not as the page closes while
    # the test's database is being emptied.
    with page.expect_response(re.compile(r"/accounts/autosave/$"), timeout=5_000):
        page.clock.fast_forward(15_000)
    _expect()(page.get_by_role("alertdialog")).to_be_hidden()


# --- Every main page of every role, scanned by axe ------------------------------------------
# The pages each role must scan are listed in tests/browser/pages.py (with how to add one).

DEMO_PASSWORD = "ifss-demo"
# Not pages: downloads, signing out, the admin's script endpoints.
NOT_PAGES = re.compile(r"/logout/|/export/|/pdf/|\.(pdf|csv|xlsx|zip)$|/jsi18n/|/admin/r/")
PAGE_LIMIT = 250
RESULTS = Path(__file__).resolve().parents[2] / "test-results"


def _sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    _expect()(page.get_by_role("heading", level=1)).to_be_visible()


def walk(page, base: str, start: list[str], on_page=None) -> tuple[dict[str, str], list[str]]:
    """Load the start pages, then follow every same-site link from them, one page per
    route; each page is scanned by axe as it loads (a violation fails the test at its
    end). Returns the pages scanned (route -> path) and the start pages that did not load
    (with their status)."""
    from playwright.sync_api import Error as PlaywrightError

    seen: dict[str, str] = {}
    refused: list[str] = []
    queue = list(start)
    required = set(start)
    while queue and len(seen) < PAGE_LIMIT:
        path = queue.pop(0)
        key = pages.page_key(urlsplit(path).path)
        if key is None or key in seen or key in pages.NOT_PAGES or NOT_PAGES.search(path):
            continue
        try:
            response = page.goto(base + path)
        except PlaywrightError as exc:
            if "Download is starting" in str(exc):  # a download, not a page
                continue
            raise
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        wait_for_scan(page)
        if not response.ok or urlsplit(page.url).path != urlsplit(path).path:
            if path in required:
                refused.append(f"{path}: {response.status} (at {urlsplit(page.url).path})")
            continue
        seen[key] = path
        if on_page is not None:
            on_page(path)
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            parts = urlsplit(href)
            if f"{parts.scheme}://{parts.netloc}" != base:
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if pages.page_key(parts.path) not in seen:
                queue.append(target)
    return seen, refused


@pytest.fixture
def demo_pages(demo) -> pages.Objects:
    objects = pages.add_state()
    missing = [name for name, value in vars(objects).items() if value is None]
    assert not missing, f"the demo has no record for {missing}"
    return objects


def _admin_lists() -> list[str]:
    """The list of every model registered in the Django admin."""
    from django.apps import apps
    from django.contrib import admin
    from django.urls import reverse

    return [
        reverse(f"admin:{m._meta.app_label}_{m._meta.model_name}_changelist")
        for m in apps.get_models()
        if admin.site.is_registered(m)
    ]


@pytest.mark.parametrize("username", pages.ROLES)
def test_every_main_page_of_every_role_passes_axe(page, live_server, demo_pages, username):
    """Each demo role signs in, loads every page listed for it (tests/browser/pages.py) and
    every page it reaches by links; the conftest fails the test on any WCAG 2.0/2.1/2.2 A
    or AA violation. The pages scanned are printed and listed in
    test-results/axe-pages-<role>.txt."""
    _sign_in(page, live_server.url, username)
    start = [path for _name, path in pages.start_paths(username, demo_pages)]
    if username == pages.ADMIN:
        start += _admin_lists()
    seen, refused = walk(page, live_server.url, [*start, "/"])
    seen = {"login": "/accounts/login/", **seen}
    listing = RESULTS / f"axe-pages-{username}.txt"
    listing.parent.mkdir(parents=True, exist_ok=True)
    listing.write_text("".join(f"{key}\t{path}\n" for key, path in seen.items()), encoding="utf-8")
    print(f"\n{username}: {len(seen)} pages scanned")
    for key, path in seen.items():
        print(f"  {key}\t{path}")
    assert not refused, f"{username}: listed pages that did not load: {refused}"
    wanted = {n for n, roles in pages.PAGES.items() if username in roles}
    if username == pages.ADMIN:
        wanted |= {pages.page_key(p) for p in _admin_lists()}
    missing = wanted - set(seen)
    assert not missing, f"{username} did not scan {sorted(missing)}"


def test_admin_issues_a_partner_token(page, live_server, demo_pages):
    """The page that shows a new partner token once (the answer to a POST) passes axe."""
    _sign_in(page, live_server.url, pages.ADMIN)
    page.goto(f"{live_server.url}/api/clients/{demo_pages.api_client.pk}/")
    page.get_by_role("button", name="Issue a token").click()
    _expect()(page.get_by_role("heading", level=1)).to_be_visible()
    wait_for_scan(page)


def test_a_refused_form_focuses_its_error_summary(page, live_server, demo):
    """A submission with errors: the summary at the top has focus, links to the field and
    the title says "Error: "; the page in that state passes axe."""
    from referrals.models import Referral, ReferralStatus

    expect = _expect()
    referral = Referral.objects.filter(
        status=ReferralStatus.SUBMITTED, team__name__icontains="gwent"
    ).first()
    _sign_in(page, live_server.url, "manager.gwent")
    page.goto(f"{live_server.url}/referrals/{referral.pk}/decide/")
    page.eval_on_selector_all("main form", "fs => fs.forEach(f => { f.noValidate = true; })")
    page.locator("main form[method=post]:not(.language-switcher) button[type=submit]").first.click()
    summary = page.get_by_test_id("error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link").first).to_be_visible()
    assert page.title().startswith("Error: ")
    assert referral.family.name in page.title()
    assert_accessible(page, state="refused screening decision")


# --- Reflow: at 320 px only data tables scroll ----------------------------------------------


@pytest.mark.parametrize("username", ["worker.gwent", "manager.gwent", "perf.gwent", "referrer"])
def test_pages_reflow_at_320px(page, live_server, demo, username):
    """WCAG 1.4.10: at 320 CSS px wide the page never scrolls sideways; a wide data table
    scrolls inside its own .table-responsive box."""
    page.set_viewport_size({"width": 320, "height": 640})
    _sign_in(page, live_server.url, username)
    too_wide: list[str] = []

    def check(path: str) -> None:
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > 320:
            culprit = page.evaluate(
                """() => Array.from(document.querySelectorAll('body *')).filter(e => {
                    const r = e.getBoundingClientRect();
                    return r.right > 321 && !e.closest('.table-responsive, .visually-hidden');
                }).slice(0, 3).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                    + (e.className && typeof e.className === 'string'
                       ? '.' + e.className.trim().split(/\\s+/).join('.') : '')).join(', ')"""
            )
            too_wide.append(f"{path}: {width}px ({culprit})")

    walk(page, live_server.url, ["/"], on_page=check)
    assert not too_wide, "Pages wider than 320 px:\n" + "\n".join(too_wide)


# --- Focus: a ring of 3:1 or better on links, fields and buttons -----------------------------


def _luminance(rgb: str) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(x) for x in re.findall(r"\d+", rgb)[:3])
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


FOCUS_STYLE = """() => {
  const e = document.activeElement;
  const s = getComputedStyle(e);
  let bg = 'rgb(255, 255, 255)';
  for (let p = e.parentElement; p; p = p.parentElement) {
    const c = getComputedStyle(p).backgroundColor;
    if (c && c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') { bg = c; break; }
  }
  return {style: s.outlineStyle, width: parseFloat(s.outlineWidth), color: s.outlineColor, bg};
}"""


def test_keyboard_focus_is_visible_in_the_nav_and_on_fields(page, live_server, practitioner):
    log_in(page, live_server, practitioner.username)
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Dashboard").focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")  # focus from the keyboard, so :focus-visible applies
    for what in ("nav link", "field", "button"):
        if what == "field":
            page.goto(f"{live_server.url}/referrals/new/")
            page.locator("main input[type=text]").first.focus()
        if what == "button":
            page.keyboard.press("Tab")
            page.locator("main button[type=submit]").first.focus()
        ring = page.evaluate(FOCUS_STYLE)
        assert ring["style"] != "none" and ring["width"] >= 2, (what, ring)
        assert _contrast(ring["color"], ring["bg"]) >= 3, (what, ring)
