"""Load one record for a user, or 404: records of other teams cannot be discovered."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from accounts.models import User

from .models import Referral, ReferralDraft, WaitingListEntry


def get_referral_for_user(user: User, pk: int, *, manage: bool = False) -> Referral:
    qs = Referral.objects.managed_by(user) if manage else Referral.objects.visible_to(user)
    return get_object_or_404(
        qs.select_related(
            "team",
            "family__local_authority",
            "created_by",
            "route",
            "referrer_local_authority",
            "previous_referral",
        ),
        pk=pk,
    )


def get_draft_for_user(user: User, pk: int) -> ReferralDraft:
    return get_object_or_404(ReferralDraft, pk=pk, owner=user)


def get_waiting_entry_for_user(user: User, pk: int) -> WaitingListEntry:
    return get_object_or_404(
        WaitingListEntry.objects.current()
        .managed_by(user)
        .select_related("referral__family", "referral__team"),
        pk=pk,
    )
