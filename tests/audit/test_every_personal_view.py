"""Every page that shows personal data writes a view entry naming the record (issue 13,
finding 5).

The test walks EVERY named GET route of the project (the URL resolver, as in the access
matrix test), with ids filled from the matrix's world of real records, as a role that may
open it. A page shows personal data when a family's or a person's name from the world is on
it (in the HTML, or in the text of a PDF): the classification is automatic, so a new page
that shows a family and writes no view entry fails here without anyone listing it.

For each family (or person) named on a page, the request must have written an access
entry, by the user who asked, for that family or one of its people, cases or referrals.
Routes that cannot be opened by GET (POST-only views) are listed with the reason; any other
route that cannot be filled fails.

The Django admin is walked the same way, as the administrator: the list and the change
page of every registered model that has a record in the world.
"""

from __future__ import annotations

import io

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.apps import apps
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from audit.services import record_view
from cases.models import Case
from families.models import Family, Person
from tests.security.access_matrix import MATRIX, POST_ONLY, ROLES, World
from tests.security.test_url_matrix import as_role, handler, project_url_names, world  # noqa: F401
from tests.security.walk import role_for, url_of

pytestmark = pytest.mark.django_db

# Routes no GET can open, and why. Every other route must open (200) for some role.
NOT_A_PAGE = {
    "logout": "POST only: signs the user out",
    "two_factor_codes": "POST only: new backup codes for the user's own account",
    "two_factor_disable": "POST only: the user's own second factor",
    "keepalive": "POST only: extends the session, shows nothing",
    "autosave": "POST only: stores the user's own unsent form",
    "set_language": "POST only: the user's own language, then back to the page",
    "referrals:first_contact": "POST only: records the time, then back to the referral page",
    "cases:finish_step_down": "POST only: a stage change, then back to the case page",
    "notifications:open": "POST only: marks the notification read and redirects",
    "notifications:read_all": "POST only: marks the user's notifications read",
    "privacy:subject_access_export": "POST only: the export is logged by its service",
    "reporting:request_pdf": "POST only: queues a report card (aggregates)",
    "reporting:recompute": "POST only: queues the figures (aggregates)",
    "bench_floor": "the benchmark's floor: 404 unless IFSS_BENCH_FLOOR is on; names nobody",
}


def _not_a_page() -> set[str]:
    """The routes listed above, and every route the access matrix marks POST only (405 to
    every signed-in GET): a new POST-only route is declared once, in the matrix."""
    return set(NOT_A_PAGE) | {name for name, statuses in MATRIX.items() if statuses == POST_ONLY}


# Query strings that make a page show what it is for (a search shows nothing without one).
QUERY = {
    "privacy:subject_access": lambda w: {"q": w.journey.adult.last_name},
    "cases:detail": lambda w: {"chronology": "all"},
}


@pytest.fixture(scope="module")
def names(world: World):  # noqa: F811
    """Give every family and person of the world a name no page shows by chance: the
    marker a page is searched for. Returns {marker: (family id, person id or None)}."""
    markers = {}
    for family in Family.objects.all():
        family.name = f"Fam{family.pk}zq"
        family.save(update_fields=["name"])
        markers[family.name] = (family.pk, None)
    for person in Person.objects.all():
        person.first_name, person.last_name = f"Per{person.pk}zq", f"Sur{person.pk}zq"
        person.save(update_fields=["first_name", "last_name"])
        markers[person.first_name] = (person.family_id, person.pk)
        markers[person.last_name] = (person.family_id, person.pk)
    # Views under the new names by team A's staff, so the audit log has entries naming them.
    with set_actor(world.users["practitioner"]):
        for case in Case.objects.select_related("family"):
            record_view(case, case.family)
    return markers


def _text(response) -> str:
    if response.get("Content-Type", "").startswith("application/pdf"):
        try:
            pages = PdfReader(io.BytesIO(response.content)).pages
            return "\n".join(p.extract_text() for p in pages)
        except PyPdfError:  # the world's stored report card is a stub, not a whole PDF
            return response.content.decode(errors="replace")
    return response.content.decode(errors="replace")


def _families_named(text: str, names: dict) -> set[int]:
    return {family for marker, (family, _person) in names.items() if marker in text}


def _family_of(obj) -> int | None:
    """The family a logged record belongs to: the family itself, or through its keys."""
    if isinstance(obj, Family):
        return obj.pk
    if getattr(obj, "family_id", None):
        return obj.family_id
    for key in ("case", "referral", "person", "goal", "review"):
        related = getattr(obj, key, None) if hasattr(obj, f"{key}_id") else None
        if related is not None:
            return _family_of(related)
    return None


def _families_logged(since: int, user) -> set[int]:
    """The families the access entries written since `since`, by this user, name."""
    entries = LogEntry.objects.filter(pk__gt=since, action=LogEntry.Action.ACCESS, actor=user)
    families = set()
    for entry in entries:
        model = ContentType.objects.get_for_id(entry.content_type_id).model_class()
        obj = model._default_manager.filter(pk=entry.object_pk).first()
        if obj is not None:
            families.add(_family_of(obj))
    return families


def _watermark() -> int:
    last = LogEntry.objects.order_by("-pk").values_list("pk", flat=True).first()
    return last or 0


def test_every_route_is_walked_or_listed():
    routes = project_url_names()
    unknown = sorted(set(NOT_A_PAGE) - routes)
    assert not unknown, f"listed in NOT_A_PAGE but no longer routes: {unknown}"
    for name in sorted(routes - _not_a_page()):
        assert role_for(name) is not None, f"{name}: no role may open it; list it with a reason"


def _routes_and_roles() -> list[tuple[str, str]]:
    """Every route that is a page, with every role that may open it: what a page shows
    depends on who asks (a worker's own caseload, a referrer's own referrals)."""
    return [
        (name, role)
        for name in sorted(set(MATRIX) - _not_a_page())
        for role in ROLES
        if MATRIX[name][role] == 200
    ]


@pytest.mark.parametrize(("name", "role"), _routes_and_roles())
def test_a_page_showing_personal_data_writes_a_view_entry(
    world: World,  # noqa: F811
    names,
    as_role,  # noqa: F811
    name: str,
    role: str,
):
    query = QUERY[name](world) if name in QUERY else {}
    since = _watermark()
    response = as_role(role).get(url_of(world, name), query)
    assert response.status_code == 200, f"{name}: cannot be filled ({response.status_code})"
    shown = _families_named(_text(response), names)
    user = world.users.get(role)
    missing = shown - _families_logged(since, user)
    assert not missing, f"{name} shows families {sorted(shown)} but logs no view of {missing}"


def test_every_page_is_walked_for_a_role():
    walked = {name for name, _role in _routes_and_roles()}
    assert walked == set(MATRIX) - _not_a_page()


def _admin_pages():
    for model in apps.get_models():
        if not admin.site.is_registered(model):
            continue
        opts = model._meta
        yield reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        for obj in model._default_manager.order_by("pk")[:3]:
            yield reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def test_every_admin_page_showing_personal_data_writes_a_view_entry(
    world: World,  # noqa: F811
    names,
    as_role,  # noqa: F811
):
    checked = 0
    for url in _admin_pages():
        since = _watermark()
        response = as_role("admin").get(url)
        assert response.status_code == 200, url
        shown = _families_named(_text(response), names)
        checked += bool(shown)
        missing = shown - _families_logged(since, world.users["admin"])
        assert not missing, f"{url} shows families {sorted(shown)} but logs no view of {missing}"
    assert checked, "no admin page showed a family: the walk is broken"
