"""The suite's own isolation: a transactional test restores the database it starts from
even when Django is handed a new connection object for this thread, as it is once an event
loop counts as running here (Playwright's browser tests; tests/conftest.py)."""

from __future__ import annotations

import asyncio

import pytest
from django.db import connections


def connection_of_async_code():
    """The connection object Django uses in this thread while an event loop runs."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # none yet: run one

        async def inside_a_running_loop():
            return connections["default"]

        return asyncio.run(inside_a_running_loop())
    return connections["default"]  # Playwright's, since a browser test ran before


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_connection_object_made_while_an_event_loop_runs_can_restore_the_database() -> None:
    contents = getattr(connection_of_async_code(), "_test_serialized_contents", None)

    assert contents  # the database's contents to restore, not missing nor empty
