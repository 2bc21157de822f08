"""The contract: docs/openapi.yaml is the schema the endpoints give. A changed endpoint,
serializer or route without the file regenerated fails here; regenerate with
`python manage.py spectacular --file docs/openapi.yaml --validate` and review the diff.
(tests/api/test_schemathesis.py then checks the answers against the served schema.)"""

from __future__ import annotations

import io
from pathlib import Path

import yaml
from django.conf import settings
from django.core.management import call_command
from django.test import Client

COMMITTED = Path(settings.BASE_DIR) / "docs" / "openapi.yaml"


def generated() -> str:
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    return out.getvalue()


def test_the_committed_schema_is_the_endpoints_schema() -> None:
    assert yaml.safe_load(generated()) == yaml.safe_load(COMMITTED.read_text()), (
        "docs/openapi.yaml differs from the endpoints: regenerate it (see this module)."
    )


def test_every_api_route_is_described() -> None:
    from tests.api.test_api import ROUTES

    described = set(yaml.safe_load(COMMITTED.read_text())["paths"])
    not_operations = {"api:schema", "api:docs", "api:no_such_route"}
    assert len(described) == len(set(ROUTES) - not_operations)


def test_the_schema_is_served_to_staff_and_clients_at_a_stable_url(db, manager, referrer) -> None:
    from tests.api.support import api, make_client

    url = "/api/v1/schema/"
    staff = Client()
    staff.force_login(manager)
    served = staff.get(url, {"format": "json"})
    assert served.status_code == 200
    assert served.json() == yaml.safe_load(COMMITTED.read_text())
    _client, key = make_client([manager.memberships.get().team])
    assert api(key).get(url).status_code == 200
    assert Client().get(url)["Content-Type"] == "application/problem+json"  # 401
    outsider = Client()
    outsider.force_login(referrer)
    assert outsider.get(url).status_code == 404


def test_the_docs_are_for_signed_in_staff_with_vendored_assets(db, manager, referrer) -> None:
    staff = Client()
    staff.force_login(manager)
    page = staff.get("/api/v1/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "swagger-ui-bundle.js" in html and "/static/" in html
    assert "cdn" not in html.lower() and "https://" not in html
    outsider = Client()
    outsider.force_login(referrer)
    assert outsider.get("/api/v1/docs/").status_code == 404
    assert Client().get("/api/v1/docs/").status_code == 302  # to the sign-in page
