from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import User

from .models import Case


def get_case_for_user(user: User, pk: int, *, related: tuple[str, ...] = ()) -> Case:
    """The case, if the user may see it (else 404), with what every case page shows joined,
    and the related paths a view adds. Not the family's local authority: no case page shows
    it, and each join makes the query slower to plan."""
    case = get_object_or_404(
        Case.objects.visible_one_to(user).select_related(
            "family", "team", "worker", "co_worker", "referral", *related
        ),
        pk=pk,
    )
    if case.hidden:  # restricted, and not to this user: as if it did not exist
        raise Http404
    return case
