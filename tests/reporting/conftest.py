"""The report card world is built once per test module (it takes a few hundred service
calls) inside a transaction that is rolled back when the module is done; each test runs
in a savepoint inside it, as usual."""

from __future__ import annotations

import pytest

from .fixture import World, build_world, rolled_back


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> World:
    with rolled_back(django_db_blocker):
        yield build_world()


@pytest.fixture
def eager_celery():
    """Run Celery tasks in-process (whatever CELERY_TASK_ALWAYS_EAGER says)."""
    from ifss.celery import app

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = saved
