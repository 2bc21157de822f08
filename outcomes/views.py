from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cases.access import get_case_for_user
from cases.formflow import submit_to_service

from . import services
from .forms import GoalForm, ReadingForm


def add_goal(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
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
