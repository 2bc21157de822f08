from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from audit.services import record_view
from cases.access import get_case_for_user
from cases.correctionflow import (
    correction_form,
    correction_page,
    get_entry_for_user,
    withdrawal_page,
)
from core.formflow import carry_version, submit_to_service
from families.models import Person

from . import services
from .forms import GoalForm, ReadingForm, ServiceUseForm
from .models import GAS_LEVELS, Goal, Instrument, Reading, ServiceOccasion, ServiceUse
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
            data=_reading_data(d),
        ),
        _("Reading recorded."),
    )
    if done:
        return redirect("cases:detail", pk=case.pk)
    return render(
        request,
        "cases/case_form.html",
        {"case": case, "form": form, "title": _("Record a WEMWBS, SWEMWBS or SDQ reading")},
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


# --- Corrections and withdrawals ----------------------------------------------------------


def _goal_original(goal: Goal) -> list[tuple[str, object]]:
    return [
        (_("Goal"), goal.title),
        (_("Category"), goal.category),
        (_("About substance use"), _("Yes") if goal.is_substance else _("No")),
        (_("For"), ", ".join(p.full_name for p in goal.members.all()) or _("The whole family")),
        *[(f"{level:+d}", goal.level_text(level)) for level in GAS_LEVELS],
        (_("Baseline score"), f"{goal.baseline:+d}"),
        (_("Recorded by"), goal.created_by),
    ]


def correct_goal(request: HttpRequest, goal_pk: int) -> HttpResponse:
    goal, case = get_entry_for_user(request.user, Goal, goal_pk, author="created_by")
    initial = {
        "version": goal.version,
        "title": goal.title,
        "category": goal.category_id,
        "is_substance": goal.is_substance,
        "members": list(goal.members.all()),
        "level_minus2": goal.level_minus2,
        "level_minus1": goal.level_minus1,
        "level_0": goal.level_0,
        "level_plus1": goal.level_plus1,
        "level_plus2": goal.level_plus2,
        "baseline": goal.baseline,
    }
    form = correction_form(GoalForm)(request.POST or None, case=case, initial=initial)
    return correction_page(
        request,
        case=case,
        entry=goal,
        form=form,
        title=_("Correct a goal"),
        original=_goal_original(goal),
        call=lambda d: services.correct_goal(
            goal_id=goal.pk,
            user=request.user,
            data=services.GoalData(
                title=d["title"],
                category=d["category"],
                is_substance=d["is_substance"],
                members=list(d["members"]),
                levels=form.levels(),
                baseline=d["baseline"],
                weight=goal.weight,
            ),
            reason=d["reason"],
            version=d["version"],
        ),
        done_url=reverse("cases:detail", args=[case.pk]),
    )


def withdraw_goal(request: HttpRequest, goal_pk: int) -> HttpResponse:
    goal, case = get_entry_for_user(request.user, Goal, goal_pk, author="created_by")
    return withdrawal_page(
        request,
        case=case,
        entry=goal,
        title=_("Withdraw a goal"),
        original=_goal_original(goal),
        call=lambda d: services.withdraw_goal(
            goal_id=goal.pk, user=request.user, reason=d["reason"], version=d["version"]
        ),
        done_url=reverse("cases:detail", args=[case.pk]),
    )


def _reading_original(reading: Reading) -> list[tuple[str, object]]:
    rows = [
        (_("Family member"), reading.person.full_name),
        (_("Measure"), reading.get_instrument_display()),
        (_("When"), reading.get_occasion_display()),
        (_("Taken on"), reading.taken_on.strftime("%d %b %Y")),
        (_("Total"), reading.total),
    ]
    if reading.instrument == Instrument.SWEMWBS:
        rows.append((_("Metric score"), reading.metric_score))
    if reading.instrument == Instrument.SDQ:
        rows += [
            (_("Completed by"), reading.get_sdq_informant_display()),
            (_("Version"), reading.get_sdq_version_display()),
            (_("Bands"), f"{reading.band}; {reading.four_band}"),
        ]
    return [*rows, (_("Recorded by"), reading.recorded_by)]


def _reading_data(d: dict) -> services.ReadingData:
    return services.ReadingData(
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
        sdq_informant=d.get("sdq_informant") or "",
        sdq_version=d.get("sdq_version") or "",
    )


def correct_reading(request: HttpRequest, reading_pk: int) -> HttpResponse:
    reading, case = get_entry_for_user(request.user, Reading, reading_pk, author="recorded_by")
    fields = ("person", "instrument", "occasion", "taken_on", "total", "sdq_informant")
    fields += ("sdq_version", "sdq_emotional", "sdq_conduct", "sdq_hyperactivity")
    fields += ("sdq_peer", "sdq_prosocial")
    initial = {name: getattr(reading, name) for name in fields}
    initial.update(version=reading.version, person=reading.person_id)
    form = correction_form(ReadingForm)(request.POST or None, case=case, initial=initial)
    return correction_page(
        request,
        case=case,
        entry=reading,
        form=form,
        title=_("Correct a reading"),
        original=_reading_original(reading),
        call=lambda d: services.correct_reading(
            reading_id=reading.pk,
            user=request.user,
            data=_reading_data(d),
            reason=d["reason"],
            version=d["version"],
        ),
        done_url=reverse("cases:detail", args=[case.pk]),
    )


def withdraw_reading(request: HttpRequest, reading_pk: int) -> HttpResponse:
    reading, case = get_entry_for_user(request.user, Reading, reading_pk, author="recorded_by")
    return withdrawal_page(
        request,
        case=case,
        entry=reading,
        title=_("Withdraw a reading"),
        original=_reading_original(reading),
        call=lambda d: services.withdraw_reading(
            reading_id=reading.pk, user=request.user, reason=d["reason"], version=d["version"]
        ),
        done_url=reverse("cases:detail", args=[case.pk]),
    )
