"""Ending Phase 1 in fixtures that are about something else: short of the model, the worker
asks and a manager signs off first, as the pathway requires (cases.services.end_phase1)."""

from __future__ import annotations

from datetime import date

from accounts.models import Membership, Role
from cases import services
from cases.models import Case, Phase1SignOff

FIXTURE_REASON = "Agreed with the family and the social worker."


def _a_manager(case: Case):
    membership = Membership.objects.filter(team=case.team, role=Role.MANAGER, active=True).first()
    if membership is None:
        from tests.factories import MembershipFactory

        membership = MembershipFactory(team=case.team, role=Role.MANAGER)
    return membership.user


def end_phase1(
    *,
    case_id: int,
    user,
    ended_on: date,
    manager=None,
    **kwargs,
) -> Case:
    """cases.services.end_phase1, signed off first when the ending falls short of the model
    (and the case is in a state to end Phase 1 at all: refusals are the service's own)."""
    case = Case.objects.select_related("team").get(pk=case_id)
    signed = Phase1SignOff.objects.filter(case=case, approved=True).exists()
    short = case.stage == "phase1" and ended_on >= (case.phase1_start or ended_on)
    if short and services.phase1_shortfall(case, ended_on) and not signed:
        pending = Phase1SignOff.objects.pending().filter(case=case).exists()
        if not pending:
            services.request_phase1_signoff(
                case_id=case_id, user=user, reason=FIXTURE_REASON, ends_on=ended_on
            )
        services.decide_phase1_signoff(
            case_id=case_id, user=manager or _a_manager(case), approved=True, note=FIXTURE_REASON
        )
    kwargs.setdefault("outcomes_missing_reason", "Not taken in this fixture.")
    return services.end_phase1(case_id=case_id, user=user, ended_on=ended_on, **kwargs)


def end_phase1_signed_off(
    *,
    case_id: int,
    worker,
    manager,
    ended_on: date,
    step_down: bool = False,
) -> Case:
    return end_phase1(
        case_id=case_id, user=worker, manager=manager, ended_on=ended_on, step_down=step_down
    )
