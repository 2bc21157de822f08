from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from audit.services import record_view
from cases.access import get_case_for_user
from cases.formflow import carry_version, submit_to_service
from families.models import Person

from . import services
from .forms import GoalForm, ReadingForm, ServiceUseForm
from .models import ServiceOccasion, ServiceUse
from .services_accessed import service_rows


def add_goal(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    record_view(case, case.family)
    form = GoalForm(request.POST or None, case=case)
    done, _stale = submit_to_service(
        request,
        form,
        lambda d: services.add_goal(
            case_id=case.pk,
            user=request.user,
            data=services.GoalData(
                title=d["title"],
                category=d["category"],
                is_substance=d["is_substance"],
                members=list(d["members"]),
                levels=form.levels(),
                baseline=d["baseline"],
            ),
        ),
        _("Goal added with its baseline score."),
    )
    if done:
        return redirect("cases:detail", pk=case.pk)
    return render(
        request, "cases/case_form.html", {"case": case, "form": form, "title": _("Add a goal")}
    )


def add_reading(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    record_view(case, case.family)
    form = ReadingForm(request.POST or None, case=case)
    done, _stale = submit_to_service(
        request,
        form,
        lambda d: services.record_reading(
            case_id=case.pk,
            user=request.user,
            data=services.ReadingData(
                person=d["person"],
                instrument=d["instrument"],
                occasion=d["occasion"],
                taken_on=d["taken_on"],
                total=d.get("total"),
                sdq_emotional=d.get("sdq_emotional"),
                sdq_conduct=d.get("sdq_conduct"),
                sdq_hyperactivity=d.get("sdq_hyperactivity"),
                sdq_peer=d.get("sdq_peer"),
                sdq_prosocial=d.get("sdq_prosocial"),
            ),
        ),
        _("Reading recorded."),
    )
    if done:
        return redirect("cases:detail", pk=case.pk)
    return render(
        request,
        "cases/case_form.html",
        {"case": case, "form": form, "title": _("Record a WEMWBS or SDQ reading")},
    )


def service_uses(request: HttpRequest, pk: int) -> HttpResponse:
    """The services each family member used before and after the work."""
    case = get_case_for_user(request.user, pk)
    record_view(case, case.family)
    return render(
        request,
        "outcomes/serviceuse_list.html",
        {
            "case": case,
            "rows": service_rows(case),
            "after_open": case.stage in services.SERVICES_AFTER_STAGES,
            "title": _("Services before and after"),
        },
    )


def record_service_use(
    request: HttpRequest, pk: int, person_pk: int, occasion: str
) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    record_view(case, case.family)
    if occasion not in ServiceOccasion.values:
        raise Http404
    person = get_object_or_404(
        Person.objects.filter(family_id=case.family_id, kind__in=services.SERVICE_USE_KINDS),
        pk=person_pk,
    )
    record_view(person)
    current = (
        ServiceUse.objects.filter(case=case, person=person, occasion=occasion)
        .select_related("recorded_by")
        .prefetch_related("services")
        .first()
    )
    form = ServiceUseForm(request.POST or None, current=current)
    done, stale = submit_to_service(
        request,
        form,
        lambda d: services.record_service_use(
            case_id=case.pk,
            user=request.user,
            data=services.ServiceUseData(
                person=person,
                occasion=occasion,
                recorded_on=d["recorded_on"],
                services=list(d["services"]),
                version=d["version"],
            ),
        ),
        _("Services recorded."),
    )
    if done:
        return redirect("outcomes:services", pk=case.pk)
    latest = None
    if stale:
        latest = (
            ServiceUse.objects.filter(case=case, person=person, occasion=occasion)
            .select_related("recorded_by")
            .prefetch_related("services")
            .first()
        )
        if latest is not None:
            # Saving again now is a deliberate overwrite of the record shown.
            carry_version(form, latest.version)
    return render(
        request,
        "outcomes/serviceuse_form.html",
        {
            "case": case,
            "person": person,
            "occasion": ServiceOccasion(occasion),
            "form": form,
            "latest": latest,
            "after_open": case.stage in services.SERVICES_AFTER_STAGES,
            "title": services.SHORT_OCCASION[occasion],
        },
    )
