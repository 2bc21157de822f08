"""The audit log's visibility rule for managers (privacy.audit_log._records_visible_to),
checked entry by entry since issue 15, must show EXACTLY the entries the former rule
(whole-team sets of text keys) showed. The former rule is kept here as the oracle; both
are asked for managers of either team, on entries of every logged kind, visible and not:
the other team's records, a restricted case and its family, people and referrals, and
records that belong to cases (contacts, goals, readings...)."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Q
from django.db.models.functions import Cast

from accounts import permissions
from cases.models import Case
from cases.pathway import Stage
from families.models import Family, Person
from privacy.audit_log import _records_visible_to
from referrals.models import Referral
from tests.cases.journey import make_case
from tests.factories import PersonFactory, ReferralFactory

pytestmark = pytest.mark.django_db


def old_records_visible_to(user) -> Q:
    """The rule before issue 15 (privacy/audit_log.py), verbatim."""

    def keys(qs):
        return qs.annotate(key=Cast("pk", CharField())).values("key")

    guarded_referrals = (
        Referral.objects.filter(team_id__in=permissions.manager_team_ids(user))
        .visible_to(user)
        .values("pk")
    )
    guarded = {
        Case: keys(Case.objects.visible_to(user)),
        Referral: keys(Referral.objects.filter(pk__in=guarded_referrals)),
        Family: keys(Family.objects.visible_to(user)),
        Person: keys(Person.objects.filter(family__in=Family.objects.visible_to(user))),
    }
    visible_cases = Case.objects.visible_to(user).values("pk")
    for model in auditlog.get_models():
        if model in guarded:
            continue
        names = {f.name: f for f in model._meta.concrete_fields if f.is_relation}
        if "case" in names and names["case"].related_model is Case:
            rows = model.objects.filter(case__in=visible_cases)
            if names["case"].null:
                rows = model.objects.filter(Q(case__isnull=True) | Q(case__in=visible_cases))
            guarded[model] = keys(rows)
        elif "referral" in names and names["referral"].related_model is Referral:
            guarded[model] = keys(model.objects.filter(referral__in=guarded_referrals))
    types = ContentType.objects.get_for_models(*guarded)
    allowed = ~Q(content_type__in=list(types.values()))
    for model, visible in guarded.items():
        allowed |= Q(content_type=types[model], object_pk__in=visible)
    return allowed


@pytest.fixture
def world(team_a, team_b, manager, practitioner, referrer, other_manager, other_practitioner):
    """Cases in both teams through the services (so contacts, goals, readings, decisions
    and plans are logged), one of team A's restricted, a referral still at screening, and
    an access entry for every row of every logged kind, as the list pages write them."""
    open_a = make_case(team_a, manager, practitioner, referrer, stage=Stage.PHASE1, readings=1)
    hidden = make_case(team_a, manager, practitioner, referrer, stage=Stage.PHASE1)
    make_case(team_b, other_manager, other_practitioner, referrer, stage=Stage.PHASE1)
    # Restricted by another manager of the team (restrict_case keeps whoever restricts).
    Case.objects.filter(pk=hidden.case.pk).update(restricted=True)
    hidden.case.restricted_to.set([practitioner])
    PersonFactory(family=open_a.case.family)
    ReferralFactory(team=team_a)
    ReferralFactory(team=team_b)
    entries = []
    for model in auditlog.get_models():
        content_type = ContentType.objects.get_for_model(model)
        for pk in model.objects.values_list("pk", flat=True):
            entries.append(
                LogEntry(
                    content_type=content_type,
                    object_pk=str(pk),
                    object_id=pk if isinstance(pk, int) else None,
                    object_repr="x",
                    action=LogEntry.Action.ACCESS,
                    actor=practitioner,
                )
            )
    LogEntry.objects.bulk_create(entries)
    return {"hidden": hidden.case}


def _visible(rule) -> set[int]:
    return set(LogEntry.objects.filter(rule).values_list("pk", flat=True))


def test_managers_see_exactly_the_entries_the_former_rule_showed(
    world, manager, other_manager, team_a
):
    case_type = ContentType.objects.get_for_model(Case)
    for user in (manager, other_manager):
        old = _visible(old_records_visible_to(user))
        new = _visible(_records_visible_to(user))
        assert new == old, user
        # Both visible and hidden entries of the guarded kinds are in the world.
        guarded = LogEntry.objects.filter(content_type=case_type)
        assert guarded.filter(pk__in=new).exists()
        assert guarded.exclude(pk__in=new).exists()
    kinds = set(
        LogEntry.objects.exclude(pk__in=_visible(_records_visible_to(manager))).values_list(
            "content_type__model", flat=True
        )
    )
    assert {"case", "family", "person", "referral", "contact"} <= kinds


def test_a_manager_named_on_the_restricted_case_sees_it_under_both_rules(world, manager):
    case_type = ContentType.objects.get_for_model(Case)
    hidden = LogEntry.objects.filter(content_type=case_type, object_id=world["hidden"].pk)
    assert not hidden.filter(_records_visible_to(manager)).exists()

    world["hidden"].restricted_to.add(manager)
    assert hidden.filter(_records_visible_to(manager)).exists()
    assert _visible(_records_visible_to(manager)) == _visible(old_records_visible_to(manager))
