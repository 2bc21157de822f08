"""Fixtures for the reminder tests: fast passwords, inline Celery, a second manager."""

from __future__ import annotations

import pytest

from accounts.models import Role
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    """Every fixture user gets a password; the default PBKDF2 costs ~0.25 s per user."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def celery_eager():
    """Run queued tasks inline, as `make test` does, even if the environment forgot to."""
    from ifss.celery import app

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = saved


@pytest.fixture
def manager2(team_a):
    user = UserFactory(username="manager2_a")
    MembershipFactory(user=user, team=team_a, role=Role.MANAGER)
    return user
