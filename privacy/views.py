from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import permissions
from audit.services import record_listed, record_view
from core.errors import ServiceError
from core.http import AuthenticatedHttpRequest
from families.models import Family, Person

from . import services
from .forms import PersonSearchForm


def _managed_teams(request: AuthenticatedHttpRequest) -> list[int]:
    teams = permissions.manager_team_ids(request.user)
    if not teams:
        raise Http404
    return teams


def subject_access(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A manager finds the person whose information is requested."""
    teams = _managed_teams(request)
    form = PersonSearchForm(request.GET or None)
    people: list[Person] = []
    if form.is_valid():
        d = form.cleaned_data
        qs = Person.objects.filter(
            family__team_id__in=teams, family__in=Family.objects.visible_to(request.user)
        ).filter(Q(first_name__icontains=d["name"]) | Q(last_name__icontains=d["name"]))
        if d["date_of_birth"]:
            qs = qs.filter(date_of_birth=d["date_of_birth"])
        people = list(qs.select_related("family")[:50])
        record_view(*people)
    return render(request, "privacy/subject_access.html", {"form": form, "people": people})


@require_POST
def subject_access_export(request: AuthenticatedHttpRequest, person_pk: int) -> HttpResponse:
    teams = _managed_teams(request)
    person = get_object_or_404(
        Person.objects.select_related("family__local_authority", "legal_status"),
        pk=person_pk,
        family__team_id__in=teams,
        family__in=Family.objects.visible_to(request.user),
    )
    archive = services.subject_access_export(person=person, user=request.user)
    response = HttpResponse(archive, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="subject-access-{person.pk}.zip"'
    return response


def retention(request: AuthenticatedHttpRequest) -> HttpResponse:
    teams = _managed_teams(request)
    # The restriction is applied to the queue's own query, not as `pk IN (the visible
    # families)`: the planner then walks family_retention_idx in order and stops at 200
    # (the busiest team at national scale: 27.6 -> 2.3 ms), instead of joining the team's
    # 20,000 families and sorting every one due.
    families = list(services.retention_due(team_ids=teams).visible_to(request.user)[:200])
    record_listed({Family: {f.pk: f.name for f in families}})
    return render(request, "privacy/retention.html", {"families": families})


def anonymise(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    teams = _managed_teams(request)
    family = get_object_or_404(Family.objects.visible_to(request.user), pk=pk, team_id__in=teams)
    if request.method == "POST":
        try:
            services.anonymise_family(family_id=family.pk, user=request.user)
        except ServiceError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The family's records are anonymised."))
        return redirect("privacy:retention")
    # Only the confirmation page is a view: an entry written on POST would keep the name
    # that the anonymisation removes.
    record_view(family)
    return render(request, "privacy/anonymise_confirm.html", {"family": family})
