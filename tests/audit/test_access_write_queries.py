"""The access log's write costs a page one query for one record (issue 15).

Run outside a transaction, as a request is: bulk_create wraps its INSERT in a transaction of
its own (BEGIN, INSERT, COMMIT: three queries), so one or two rows are saved, an INSERT
each, and only three rows or more go in one bulk INSERT.
"""

from __future__ import annotations

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.services import record_view
from tests.factories import FamilyFactory, PersonFactory, UserFactory

# serialized_rollback, as every transactional test outside tests/browser: a plain one's
# flush sends post_migrate, which makes the content types again under new ids, and the next
# serialized test's restore of the migrated rows then collides with them.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_one_record_viewed_is_one_insert_with_its_actor():
    user = UserFactory(username="access_writer")
    family = FamilyFactory()
    with set_actor(user, remote_addr="10.0.0.1"), CaptureQueriesContext(connection) as ctx:
        record_view(family)
    assert [q["sql"].split()[0] for q in ctx.captured_queries] == ["INSERT"]
    entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS, object_pk=str(family.pk))
    assert entry.actor == user
    assert entry.remote_addr == "10.0.0.1"


def test_two_records_viewed_are_two_inserts_with_their_actor():
    user = UserFactory(username="access_writer2")
    person = PersonFactory()
    with set_actor(user), CaptureQueriesContext(connection) as ctx:
        record_view(person.family, person)
    assert [q["sql"].split()[0] for q in ctx.captured_queries] == ["INSERT", "INSERT"]
    assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS, actor=user).count() == 2


def test_three_records_viewed_are_one_insert_with_their_actor():
    user = UserFactory(username="access_writer3")
    person = PersonFactory()
    other = PersonFactory(family=person.family)
    with set_actor(user), CaptureQueriesContext(connection) as ctx:
        record_view(person.family, person, other)
    assert [q["sql"].split()[0] for q in ctx.captured_queries].count("INSERT") == 1
    assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS, actor=user).count() == 3
