"""The accessibility walk's page list (tests/browser/pages.py) covers every named URL of the
project: each is scanned by a role's walk, scanned by another browser test, or is no page
(JSON, a download, a POST-only action), with the reason written down."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, get_resolver

from tests.browser import pages


def _route_names(patterns=None, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            inner = f"{namespace}:{p.namespace}" if namespace and p.namespace else p.namespace
            names |= _route_names(p.url_patterns, inner or namespace)
        elif isinstance(p, URLPattern) and p.name:
            names.add(f"{namespace}:{p.name}" if namespace else p.name)
    return names


def test_every_named_url_is_scanned_or_is_no_page():
    listed = set(pages.PAGES) | set(pages.SCANNED_ELSEWHERE) | set(pages.NOT_PAGES)
    unlisted = set()
    for name in _route_names():
        key = pages.route_key(name)
        if key.startswith("admin:") and key.endswith("_changelist"):
            continue  # every admin list is loaded by the admin's walk (from the registry)
        if key not in listed:
            unlisted.add(name)
    assert not unlisted, (
        "Routes missing from tests/browser/pages.py (PAGES, SCANNED_ELSEWHERE or NOT_PAGES): "
        f"{sorted(unlisted)}"
    )


def test_the_lists_do_not_overlap_and_name_real_routes():
    names = {pages.route_key(n) for n in _route_names()}
    for table in (pages.PAGES, pages.SCANNED_ELSEWHERE, pages.NOT_PAGES):
        assert set(table) <= names, sorted(set(table) - names)
    assert not set(pages.PAGES) & set(pages.NOT_PAGES)
    assert not set(pages.PAGES) & set(pages.SCANNED_ELSEWHERE)
    assert all(roles <= set(pages.ROLES) for roles in pages.PAGES.values())
    # A page with URL arguments says how to make them.
    for name in pages.PAGES:
        if name in pages.ADMIN_PATHS or name == "login":
            continue
        pattern = next(p for p in _patterns() if p[0] == name or pages.route_key(p[0]) == name)
        if "<" in pattern[1]:
            assert name in pages.ARGS, f"{name} takes arguments: add it to ARGS"


def _patterns(patterns=None, namespace: str = "", prefix: str = "") -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            inner = f"{namespace}:{p.namespace}" if namespace and p.namespace else p.namespace
            out += _patterns(p.url_patterns, inner or namespace, prefix + str(p.pattern))
        elif isinstance(p, URLPattern) and p.name:
            out.append((f"{namespace}:{p.name}" if namespace else p.name, prefix + str(p.pattern)))
    return out
