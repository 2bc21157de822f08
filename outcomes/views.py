from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import record_view
from cases.access import get_case_for_user
from cases.correctionflow import AmendableKind
from core.formflow import carry_version, submit_to_service
from families.models import Person

from . import services
from .forms import GoalForm, ReadingForm, ServiceUseForm
from .models import GAS_LEVELS, Goal, Instrument, Reading, ServiceOccasion, ServiceUse
from .services_accessed import service_rows


def _goal_data(d: dict, form: GoalForm, **more: int) -> services.GoalData:
    return services.GoalData(
        title=d["title"],
        category=d["category"],
        is_substance=d["is_substance"],
        members=list(d["members"]),
        levels=form.levels(),
        baseline=d["baseline"],
        **more,
    )


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
            data=_goal_data(d, form),
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


def _goal_initial(goal: Goal) -> dict[str, object]:
    return {
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


correct_goal, withdraw_goal = AmendableKind(
    name="goal",
    model=Goal,
    author="created_by",
    form_class=GoalForm,
    initial=_goal_initial,
    original=_goal_original,
    correct=services.correct_goal,
    correct_data=lambda d, form, goal: {"data": _goal_data(d, form, weight=goal.weight)},
    withdraw=services.withdraw_goal,
    correct_title=gettext_lazy("Correct a goal"),
    withdraw_title=gettext_lazy("Withdraw a goal"),
).views()


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


def _reading_initial(reading: Reading) -> dict[str, object]:
    fields = ("instrument", "occasion", "taken_on", "total", "sdq_informant", "sdq_version")
    fields += ("sdq_emotional", "sdq_conduct", "sdq_hyperactivity", "sdq_peer", "sdq_prosocial")
    return {"person": reading.person_id, **{name: getattr(reading, name) for name in fields}}


correct_reading, withdraw_reading = AmendableKind(
    name="reading",
    model=Reading,
    form_class=ReadingForm,
    initial=_reading_initial,
    original=_reading_original,
    correct=services.correct_reading,
    correct_data=lambda d, form, reading: {"data": _reading_data(d)},
    withdraw=services.withdraw_reading,
    correct_title=gettext_lazy("Correct a reading"),
    withdraw_title=gettext_lazy("Withdraw a reading"),
).views()
