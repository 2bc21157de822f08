"""Playwright fixtures for the browser tests: the system Chromium, never a downloaded one.

- ``browser`` (session): Chromium at $IFSS_CHROMIUM_PATH (default /usr/bin/chromium),
  launched once. If it is missing or will not start, the test is skipped, or fails in CI
  (IFSS_REQUIRE_SERVICES=1) through ``tests.conftest.missing_service``.
- ``page`` (function): a fresh browser context per test (no shared cookies), 10 s default
  timeout. A failing test leaves a screenshot in ``test-results/<test name>.png``. A server
  error (HTTP 5xx) or an uncaught script error on any page fails the test as well.
- ``demo`` (function): the database as ``load_demo`` makes it (the demo of ``make run``).
  load_demo runs once a session; later tests get the same rows back from a copy.
- Accessibility: every page a test loads is scanned with axe-core (vendored in
  ``tests/browser/assets``) for WCAG 2.0, 2.1 and 2.2 A and AA once it has loaded; any
  violation fails the test with a readable list. ``assert_accessible(page)`` scans the page
  as it is now (an open dialog, a form shown with its errors).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from django.core.signals import request_finished, request_started

# Playwright's sync API runs an asyncio event loop in this thread; without this, Django's
# async-safety check refuses the ORM calls made by fixtures and by the test itself.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from tests.conftest import missing_service

CHROMIUM_PATH = os.environ.get("IFSS_CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DEFAULT_TIMEOUT_MS = 10_000

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_SOURCE = (Path(__file__).parent / "assets" / "axe.min.js").read_text(encoding="utf-8")
# Runs in every page (not in frames): axe scans the page once it has loaded and reports to
# Python through the exposed binding. A later explicit scan waits for this one.
AXE_SETUP = """
(function () {
  if (window.top !== window) { return; }
  var options = {runOnly: {type: "tag", values: AXE_TAGS}, resultTypes: ["violations"]};
  function brief(result) {
    return result.violations.map(function (v) {
      return {id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(function (n) {
        return {target: n.target.join(" "), summary: n.failureSummary || ""};
      })};
    });
  }
  var pending = Promise.resolve();
  window.__ifssAxeRun = function (within) {
    pending = pending.catch(function () {}).then(function () {
      return window.axe.run(within || document, options).then(brief);
    });
    return pending;
  };
  var loaded;
  window.__ifssAxeLoaded = new Promise(function (resolve) { loaded = resolve; });
  window.addEventListener("load", function () {
    // A PDF (or other file) shown in the browser's own viewer is not a page of the app.
    if (document.contentType !== "text/html") { loaded(true); return; }
    window.setTimeout(function () {
      window.__ifssAxeRun().then(function (violations) {
        var where = location.pathname + location.search;
        return window.__ifssAxeReport(where, document.title, violations);
      }).catch(function () {}).then(function () { loaded(true); });
    }, 0);
  });
})();
""".replace("AXE_TAGS", json.dumps(AXE_TAGS))


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Keep each phase's report on the item (item.rep_setup / rep_call / rep_teardown)."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def _chromium_executable() -> str | None:
    path = CHROMIUM_PATH
    if os.sep not in path:
        path = shutil.which(path) or path
    return path if os.path.isfile(path) and os.access(path, os.X_OK) else None


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    executable = _chromium_executable()
    if executable is None:
        missing_service(f"Chromium is not installed at {CHROMIUM_PATH} (set IFSS_CHROMIUM_PATH)")
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing_service("the playwright package is not installed")

    playwright = sync_playwright().start()
    try:
        try:
            chromium = playwright.chromium.launch(
                executable_path=executable, args=CHROMIUM_ARGS, headless=True
            )
        except PlaywrightError as exc:
            missing_service(f"Chromium at {executable} would not start: {exc}")
        yield chromium
        chromium.close()
    finally:
        playwright.stop()


def _screenshot_path(config: pytest.Config, node: pytest.Item) -> Path:
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", node.name).strip("_") or "test"
    directory = config.rootpath / "test-results"
    directory.mkdir(parents=True, exist_ok=True)
    return directory / f"{name}.png"


def format_violations(scans: list[tuple[str, str, list[dict]]]) -> list[str]:
    """A readable list: each rule once, with the pages it failed on and a few elements."""
    rules: dict[str, dict] = {}
    for url, title, violations in scans:
        for v in violations:
            rule = rules.setdefault(v["id"], {"v": v, "pages": [], "nodes": {}})
            if f"{url} ({title})" not in rule["pages"]:
                rule["pages"].append(f"{url} ({title})")
            for node in v["nodes"]:
                rule["nodes"].setdefault(node["target"], " ".join(node["summary"].split()))
    lines = []
    for rule_id, rule in rules.items():
        v = rule["v"]
        lines.append(f"[{v['impact']}] {rule_id}: {v['help']}")
        lines.append("  on: " + ", ".join(rule["pages"]))
        for target, summary in list(rule["nodes"].items())[:6]:
            lines.append(f"    {target}: {summary[:300]}")
        if len(rule["nodes"]) > 6:
            lines.append(f"    ... and {len(rule['nodes']) - 6} more elements")
    return lines


def wait_for_scan(page) -> None:
    """Wait until axe has scanned (and reported) the page as it loaded."""
    page.evaluate("() => window.__ifssAxeLoaded")


def assert_accessible(page, *, state: str = "", within: str | None = None) -> None:
    """Scan the page as it is now with axe-core (or only the element `within` selects, such
    as an open modal dialog: the page behind it is inert); fail on any WCAG A/AA violation."""
    violations = page.evaluate("(within) => window.__ifssAxeRun(within)", within)
    url = page.url.split("//", 1)[-1].split("/", 1)[-1]
    label = f"/{url}" + (f" [{state}]" if state else "")
    if violations:
        pytest.fail(
            "Accessibility violations (axe-core):\n"
            + "\n".join(format_violations([(label, page.title(), violations)])),
            pytrace=False,
        )


class _InFlight:
    """The requests the live server is serving (Django's request_started and
    request_finished signals): after a test's page is closed, its teardown waits for the
    last of them to end before the database is emptied."""

    def __init__(self) -> None:
        self.count = 0
        self.changed = threading.Condition()
        request_started.connect(self.started, weak=False)
        request_finished.connect(self.finished, weak=False)

    def started(self, **_kwargs) -> None:
        with self.changed:
            self.count += 1

    def finished(self, **_kwargs) -> None:
        with self.changed:
            self.count -= 1
            self.changed.notify_all()

    def wait(self, seconds: float = 10) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: self.count <= 0, timeout=seconds)


IN_FLIGHT = _InFlight()


@pytest.fixture
def page(browser, request: pytest.FixtureRequest) -> Iterator[object]:
    from playwright.sync_api import expect

    # The live server (and with it the database flush at the test's end) is set up before
    # the page, so the page is closed before the flush: a page closed after it could still
    # be asking the server for something (an autosave, a renewal), and that request and the
    # flush's TRUNCATE deadlocked once.
    if "live_server" in request.fixturenames:
        request.getfixturevalue("live_server")
    expect.set_options(timeout=DEFAULT_TIMEOUT_MS)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    context.set_default_navigation_timeout(DEFAULT_TIMEOUT_MS)
    scans: list[tuple[str, str, list[dict]]] = []

    def axe_report(source, url: str, title: str, violations: list[dict]) -> None:
        scans.append((url, title, violations))

    context.expose_binding("__ifssAxeReport", axe_report)
    context.add_init_script(script=AXE_SOURCE)
    context.add_init_script(script=AXE_SETUP)
    request.node.axe_scans = scans
    pg = context.new_page()

    server_errors: list[str] = []
    script_errors: list[str] = []
    pg.on(
        "response",
        lambda r: (
            server_errors.append(f"{r.status} {r.request.method} {r.url}")
            if r.status >= 500
            else None
        ),
    )
    pg.on("pageerror", lambda exc: script_errors.append(str(exc)))

    yield pg

    try:
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            try:
                path = _screenshot_path(request.config, request.node)
                pg.screenshot(path=str(path), full_page=True)
                print(f"\nScreenshot of the failing page: {path} (at {pg.url})")
            except Exception as exc:  # a screenshot must never mask the real failure
                print(f"\nCould not save a screenshot: {exc}")
    finally:
        context.close()
        if not IN_FLIGHT.wait():
            print("\nThe live server was still serving a request 10 s after the page closed")
    problems = [f"server error: {e}" for e in server_errors]
    problems += [f"script error: {e}" for e in script_errors]
    if any(violations for _url, _title, violations in scans):
        problems += ["accessibility violations (axe-core):", *format_violations(scans)]
    if problems and not (report is not None and report.failed):
        pytest.fail("The browser saw problems:\n" + "\n".join(problems), pytrace=False)


def _postgres_tool(tool: str, *args: str) -> None:
    """Run pg_dump or pg_restore on the test database (the server, user and password are
    the suite's own)."""
    from django.db import connection

    db = connection.settings_dict
    env = {
        **os.environ,
        "PGHOST": db["HOST"] or "127.0.0.1",
        "PGPORT": str(db["PORT"] or 5432),
        "PGUSER": db["USER"],
        "PGPASSWORD": db["PASSWORD"] or "",
        "PGDATABASE": db["NAME"],
    }
    result = subprocess.run(
        [tool, *args], env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert result.returncode == 0, f"{tool} failed: {result.stderr}"


@pytest.fixture(scope="session")
def demo_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the first test that loads the demo leaves a copy of the database's rows."""
    return tmp_path_factory.mktemp("demo") / "demo.dump"


@pytest.fixture
def demo(transactional_db, demo_copy: Path) -> None:
    """The database as `load_demo` makes it: the demo teams and people, three years of
    history and every past quarter's published card (the heaviest setup of the browser
    tests). load_demo runs for the first test of the session that asks; pg_dump then copies
    the rows of every table a flush empties (sequences with them), and each later test gets
    those rows back, the same to the byte, into its emptied database: pg_restore in one
    transaction (Django's foreign keys are checked at its commit). Without PostgreSQL or
    its tools, load_demo runs for every test."""
    from django.core.management import call_command
    from django.db import connection

    tools = shutil.which("pg_dump") and shutil.which("pg_restore")
    if connection.vendor != "postgresql" or not tools:
        call_command("load_demo", stdout=StringIO())
        return
    tables = [f"--table={t}" for t in connection.introspection.django_table_names(True, False)]
    if not demo_copy.exists():
        call_command("load_demo", stdout=StringIO())
        _postgres_tool("pg_dump", "--data-only", "--format=custom", f"--file={demo_copy}", *tables)
        return
    call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
    _postgres_tool(
        "pg_restore",
        "--data-only",
        "--single-transaction",
        "--no-owner",
        f"--dbname={connection.settings_dict['NAME']}",
        str(demo_copy),
    )
