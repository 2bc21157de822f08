"""Deployment hardening: the security headers on every page, a Content Security Policy the
templates can live with (no inline scripts or styles), and `manage.py check --deploy`
clean with the production settings."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management.utils import get_random_secret_key
from django.test import Client
from django.urls import reverse

from cases.models import FamilyPlan
from tests.cases.journey import make_case
from tests.factories import PASSWORD
from tests.referrals.support import fast_password_hashing  # noqa: F401 - autouse fixture

BASE_DIR = Path(settings.BASE_DIR)
TEMPLATES = BASE_DIR / "templates"

# Templates that are never served as web pages, so the page's policy does not apply:
# emails (mail clients need inline styles) and WeasyPrint PDF layouts.
NOT_PAGES = {
    "notifications/email.html",
    "notifications/digest.html",
}
PDF_DIR = "reporting/pdf/"


# --- Headers -------------------------------------------------------------------------------


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def assert_security_headers(response, url: str) -> None:
    csp = response.get("Content-Security-Policy", "")
    assert csp, f"{url}: no Content-Security-Policy"
    directives = csp_directives(csp)
    assert directives.get("script-src") == ["'self'"], (url, csp)
    assert directives.get("style-src") == ["'self'"], (url, csp)
    assert directives.get("default-src") == ["'self'"], (url, csp)
    assert directives.get("object-src") == ["'none'"], (url, csp)
    assert directives.get("frame-ancestors") == ["'none'"], (url, csp)
    assert directives.get("base-uri") == ["'none'"], (url, csp)
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp, (url, csp)
    # Our own origin only: no external hosts anywhere in the policy.
    assert not re.search(r"https?:|\*", csp), (url, csp)
    assert response["X-Frame-Options"] == "DENY", url
    assert response["X-Content-Type-Options"] == "nosniff", url
    assert response["Referrer-Policy"] == "same-origin", url
    assert response["Cross-Origin-Opener-Policy"] == "same-origin", url
    policy = response.get("Permissions-Policy", "")
    for feature in ("camera=()", "microphone=()", "geolocation=()"):
        assert feature in policy, (url, policy)


def assert_not_cached(response, url: str) -> None:
    assert "no-store" in response.get("Cache-Control", ""), (url, response.get("Cache-Control"))


SCRIPT_TAG = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)
INLINE_HANDLER = re.compile(r"<[^>]*\s(on[a-z]+|hx-on[:\w-]*)\s*=", re.I)


def inline_code_problems(html: str) -> list[str]:
    """Inline scripts (other than JSON data blocks), style attributes and <style> blocks,
    event-handler attributes and javascript: URLs: everything the policy would block."""
    problems = []
    for attrs, body in SCRIPT_TAG.findall(html):
        if "src=" in attrs:
            if body.strip():
                problems.append(f"<script src> with a body: {body.strip()[:60]}")
        elif 'type="application/json"' not in attrs:
            problems.append(f"inline <script{attrs}>: {body.strip()[:60]}")
    problems += [f"style attribute: {m[:60]}" for m in re.findall(r"<[^>]*\sstyle\s*=[^>]*>", html)]
    problems += [f"<style> block: {m[:60]}" for m in re.findall(r"<style\b[^>]*>", html, re.I)]
    problems += [f"event handler: {m[0]}" for m in INLINE_HANDLER.findall(html)]
    problems += ["javascript: URL"] if re.search(r"javascript:", html, re.I) else []
    return problems


@pytest.fixture
def journey(team_a, manager, practitioner, referrer):
    """A case in Phase 2 with a plan, a goal, a reading, a held review and a booster, so the
    pages render their full content."""
    return make_case(
        team_a,
        manager,
        practitioner,
        referrer,
        stage="phase2",
        goals=1,
        contacts=2,
        readings=2,
        reviews_held=1,
        boosters=1,
    )


def page_urls(journey) -> list[str]:
    case, referral = journey.case, journey.referral
    review = journey.reviews[0]
    plan = FamilyPlan.objects.filter(case=case).first()
    return [
        "/",
        reverse("cases:list"),
        reverse("cases:mine"),
        reverse("cases:detail", args=[case.pk]),
        reverse("cases:assessment", args=[case.pk]),
        reverse("cases:add_contact", args=[case.pk]),
        reverse("cases:add_plan", args=[case.pk]),
        reverse("cases:end_phase1", args=[case.pk]),
        reverse("cases:close", args=[case.pk]),
        reverse("cases:restrict", args=[case.pk]),
        reverse("outcomes:add_goal", args=[case.pk]),
        reverse("outcomes:add_reading", args=[case.pk]),
        reverse("outcomes:services", args=[case.pk]),
        reverse("outcomes:record_services", args=[case.pk, journey.adult.pk, "after"]),
        reverse("reviews:record", args=[review.pk]),
        reverse("reviews:add_booster", args=[case.pk]),
        reverse("referrals:list"),
        reverse("referrals:new"),
        reverse("referrals:drafts"),
        reverse("referrals:screening"),
        reverse("referrals:waiting_list"),
        reverse("referrals:detail", args=[referral.pk]),
        reverse("reminders:due"),
        reverse("notifications:list"),
        reverse("audit:log"),
        reverse("families:consent", args=[case.family_id]),
        reverse("privacy:subject_access") + "?name=Kerry",
        reverse("privacy:retention"),
        reverse("two_factor_manage"),
        reverse("two_factor_setup"),
        reverse("password_change"),
        reverse("cases:plan_pdf", args=[plan.pk]),
        reverse("reviews:report_pdf", args=[review.pk]),
    ]


@pytest.mark.django_db
def test_every_page_carries_the_security_headers_and_is_not_cached(journey, manager) -> None:
    client = Client()
    client.force_login(manager)

    checked = 0
    for url in page_urls(journey):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        assert_security_headers(response, url)
        assert_not_cached(response, url)
        checked += 1
    assert checked > 25


@pytest.mark.django_db
def test_no_page_carries_inline_script_or_style(journey, manager, practitioner) -> None:
    problems = {}
    for user in (manager, practitioner):
        client = Client()
        client.force_login(user)
        for url in page_urls(journey):
            response = client.get(url)
            if response.get("Content-Type", "").startswith("text/html"):
                found = inline_code_problems(response.content.decode())
                if found:
                    problems[url] = found
    assert problems == {}


@pytest.mark.django_db
def test_pages_for_visitors_and_errors_carry_the_headers_too(practitioner) -> None:
    anonymous = Client()
    login_page = anonymous.get(reverse("login"))
    responses = {
        "login": login_page,
        "redirect to login": anonymous.get("/cases/"),
        "failed sign-in": anonymous.post(
            reverse("login"), {"username": practitioner.username, "password": "x"}
        ),
    }
    client = Client()
    client.force_login(practitioner)
    responses["404"] = client.get("/cases/999999/")
    responses["no such page"] = client.get("/no-such-page/")
    responses["keepalive"] = client.post(reverse("keepalive"))

    for name, response in responses.items():
        assert_security_headers(response, name)
    for name in ("login", "failed sign-in", "404", "no such page"):
        assert_not_cached(responses[name], name)
        assert inline_code_problems(responses[name].content.decode()) == [], name
    assert responses["404"].status_code == 404


@pytest.mark.django_db
def test_the_locked_out_page_carries_the_headers(practitioner) -> None:
    client = Client()
    for n in range(5):
        client.post(reverse("login"), {"username": practitioner.username, "password": f"x{n}"})

    response = client.post(
        reverse("login"), {"username": practitioner.username, "password": PASSWORD}
    )

    assert response.status_code == 429
    assert_security_headers(response, "locked out")
    assert_not_cached(response, "locked out")
    assert inline_code_problems(response.content.decode()) == []


@pytest.mark.django_db
def test_static_files_may_be_cached(practitioner) -> None:
    response = Client().get(f"{settings.STATIC_URL}js/app.js")

    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_the_subject_access_export_is_not_cached(journey, manager) -> None:
    client = Client()
    client.force_login(manager)

    response = client.post(reverse("privacy:subject_access_export", args=[journey.adult.pk]))

    assert response["Content-Type"] == "application/zip"
    assert_not_cached(response, "export")


def test_the_session_and_csrf_cookies_are_http_only_and_secure_in_production() -> None:
    env = production_env()
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.CSRF_COOKIE_HTTPONLY, s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
        "s.SECURE_SSL_REDIRECT, s.DEBUG)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True"] * 4 + ["31536000", "True", "True", "False"]


# --- Templates ------------------------------------------------------------------------------


def page_templates() -> list[Path]:
    return sorted(
        p
        for p in TEMPLATES.rglob("*.html")
        if p.relative_to(TEMPLATES).as_posix() not in NOT_PAGES
        and not p.relative_to(TEMPLATES).as_posix().startswith(PDF_DIR)
    )


def test_the_templates_not_served_as_pages_are_only_emails_and_pdfs() -> None:
    for name in NOT_PAGES:
        assert (TEMPLATES / name).is_file(), name
    assert len(page_templates()) > 30


@pytest.mark.parametrize(
    "template", page_templates(), ids=lambda p: p.relative_to(TEMPLATES).as_posix()
)
def test_no_template_has_inline_script_or_style(template: Path) -> None:
    source = template.read_text()

    for attrs, _body in SCRIPT_TAG.findall(source):
        assert re.search(r"\ssrc=", attrs), f"inline <script{attrs}> in {template}"
    for match in re.finditer(r"<script\b[^>]*>", source):
        assert "src=" in match.group(0), f"{match.group(0)} in {template}"
    assert not re.search(r"\sstyle\s*=", source), f"style attribute in {template}"
    assert not re.search(r"<style\b", source, re.I), f"<style> block in {template}"
    assert not INLINE_HANDLER.search(source), f"event handler attribute in {template}"
    assert "javascript:" not in source.lower(), template


# Scripts served by our own views rather than from static/: Django's JavaScript catalogue
# (the Welsh strings of the front end's scripts), same origin, so script-src 'self' covers it.
OWN_SCRIPT_ROUTES = {"{% url 'javascript_catalog' %}"}


def test_the_scripts_templates_load_are_our_own_static_files() -> None:
    for template in page_templates():
        for src in re.findall(r"<script\b[^>]*\ssrc=\"([^\"]+)\"", template.read_text()):
            assert src.startswith("{% static ") or src in OWN_SCRIPT_ROUTES, (template, src)
        for href in re.findall(r"<link\b[^>]*\shref=\"([^\"]+)\"", template.read_text()):
            assert not href.startswith(("http:", "https:", "//")), (template, href)


def test_the_scanner_catches_what_it_should() -> None:
    assert inline_code_problems('<script src="/a.js"></script>') == []
    assert inline_code_problems('<script id="d" type="application/json">{}</script>') == []
    assert inline_code_problems("<script>alert(1)</script>")
    assert inline_code_problems('<p style="color:red">')
    assert inline_code_problems('<button onclick="x()">')
    assert inline_code_problems('<a href="javascript:x()">')


# --- manage.py check --deploy ---------------------------------------------------------------


def production_env(**overrides: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "IFSS_TWO_FACTOR", "PYTEST"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="ifss.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=get_random_secret_key(),
        DJANGO_SECURE_COOKIES="true",
        DJANGO_SECURE_SSL_REDIRECT="true",
        DJANGO_HSTS_SECONDS="31536000",
        DJANGO_ALLOWED_HOSTS="ifss.example.org",
    )
    env.update(overrides)
    return env


def check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_production_secret_key_is_long_and_random() -> None:
    key = production_env()["DJANGO_SECRET_KEY"]
    assert len(key) == 50
    assert len(set(key)) >= 5
    assert key != production_env()["DJANGO_SECRET_KEY"]


def test_check_deploy_passes_with_the_production_settings() -> None:
    result = check_deploy(production_env())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_passes_with_the_production_settings_and_hsts_preload() -> None:
    result = check_deploy(production_env(DJANGO_HSTS_PRELOAD="true"))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (1 silenced)" in result.stdout


def test_check_deploy_fails_without_hsts_so_the_check_above_means_something() -> None:
    result = check_deploy(production_env(DJANGO_HSTS_SECONDS="0"))

    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key() -> None:
    env = production_env()
    del env["DJANGO_SECRET_KEY"]

    result = check_deploy(env)

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr
