from __future__ import annotations

from django.shortcuts import get_object_or_404

from accounts.models import User

from .models import Case


def get_case_for_user(user: User, pk: int) -> Case:
    return get_object_or_404(
        Case.objects.visible_to(user).select_related(
            "family__local_authority", "team", "worker", "co_worker", "referral"
        ),
        pk=pk,
    )
