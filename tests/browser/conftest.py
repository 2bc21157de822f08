"""Playwright fixtures for the browser tests: the system Chromium, never a downloaded one.

- ``browser`` (session): Chromium at $IFSS_CHROMIUM_PATH (default /usr/bin/chromium),
  launched once. If it is missing or will not start, the test is skipped, or fails in CI
  (IFSS_REQUIRE_SERVICES=1) through ``tests.conftest.missing_service``.
- ``page`` (function): a fresh browser context per test (no shared cookies), 10 s default
  timeout. A failing test leaves a screenshot in ``test-results/<test name>.png``. A server
  error (HTTP 5xx) or an uncaught script error on any page fails the test as well.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an asyncio event loop in this thread; without this, Django's
# async-safety check refuses the ORM calls made by fixtures and by the test itself.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from tests.conftest import missing_service  # noqa: E402

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


@pytest.fixture
def page(browser, request: pytest.FixtureRequest) -> Iterator[object]:
    from playwright.sync_api import expect

    expect.set_options(timeout=DEFAULT_TIMEOUT_MS)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    context.set_default_navigation_timeout(DEFAULT_TIMEOUT_MS)
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
    problems = [f"server error: {e}" for e in server_errors]
    problems += [f"script error: {e}" for e in script_errors]
    if problems and not (report is not None and report.failed):
        pytest.fail("The browser saw problems:\n" + "\n".join(problems), pytrace=False)
