from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import permissions
from accounts.models import STAFF_ROLES, Team, User
from accounts.paging import EndwisePaginator
from audit.services import recent_viewers, record_listed, record_view
from cases import hooks, pathway, services
from cases.access import get_case_for_user
from cases.correctionflow import AmendableKind
from cases.forms import (
    FRAMEWORK_FIELDS,
    AssessmentForm,
    ClosureForm,
    ContactForm,
    EndPhase1Form,
    FamilyPlanForm,
    OverrideForm,
    ProceedForm,
    RestrictionForm,
    SignOffDecisionForm,
    SignOffRequestForm,
    StartAssessmentForm,
)
from cases.loads import caseworkers_with_load_by_team, team_load_summary
from cases.models import Assessment, Case, Closure, Contact, FamilyPlan, Phase1SignOff, StageChange
from core.formflow import carry_version, submit_to_service
from families.language import PRINT_CODES
from families.models import Family
from outcomes.models import Goal
from outcomes.services_accessed import adults_without_after
from reviews.documents import render_family_plan_pdf

from .casefile import (
    CASE_FILE_RELATED,
    attach_due,
    build_case_file,
    retired_entries,
    with_list_figures,
)


def my_cases(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    cases = list(
        with_list_figures(
            Case.objects.open().worked_by(request.user).with_list_related(), today
        ).order_by("allocated_at")
    )
    record_listed({Family: {case.family_id: case.family.name for case in cases}})
    return render(request, "cases/my_cases.html", {"cases": attach_due(cases, today)})


def team_cases(request: HttpRequest) -> HttpResponse:
    """The team caseload: every worker's cases and load against capacity."""
    user = request.user
    today = timezone.localdate()
    qs = Case.objects.visible_to(user)
    stage = request.GET.get("stage", "open")
    if stage == "open":
        qs = qs.open()
    elif stage in {s.value for s in pathway.Stage}:
        qs = qs.filter(stage=stage)
    q = request.GET.get("q", "").replace("\x00", "").strip()  # PostgreSQL refuses NUL
    if q:
        qs = qs.filter(Q(family__name__icontains=q) | Q(family__postcode__icontains=q))
    # Count and page through ids alone; the related rows and figures are loaded for the
    # page's 25 cases only, not sorted with every open case of the team.
    page = EndwisePaginator(
        qs.order_by("worker__first_name", "allocated_at", "pk").values_list("pk", flat=True), 25
    ).get_page(request.GET.get("page"))
    ids = list(page.object_list)
    rows = with_list_figures(Case.objects.filter(pk__in=ids).with_list_related(), today)
    by_id = {case.pk: case for case in rows.order_by()}
    page.object_list = attach_due([by_id[pk] for pk in ids if pk in by_id], today)
    record_listed({Family: {case.family_id: case.family.name for case in page.object_list}})

    # Phase 1 ended short of the model with a sign-off, and requests waiting for one: counted
    # with the teams themselves, each by a subquery over its few rows (partial indexes), not
    # by joining every case of every team with its sign-offs (95 ms at national scale).
    def per_team(rows: QuerySet, team_path: str) -> Coalesce:
        counted = rows.filter(**{team_path: OuterRef("pk")}).order_by().values(team_path)
        return Coalesce(Subquery(counted.annotate(n=Count("pk")).values("n")), 0)

    counted = Team.objects.annotate(
        ended_early=per_team(Case.objects.ended_phase1_early(), "team"),
        signoffs_waiting=per_team(Phase1SignOff.objects.pending(), "case__team"),
    )
    teams = list(counted.filter(pk__in=permissions.manager_team_ids(user)))
    all_wales = user.is_superuser and not teams
    if all_wales:
        teams = list(counted.all())
    by_team = caseworkers_with_load_by_team(teams)
    loads = [(t, by_team[t.pk]) for t in teams]
    summary = []
    if all_wales:
        # Every team's workers would be hundreds of rows: a line per team, and one team's
        # workers when asked for (?team=).
        summary = [team_load_summary(t, workers) for t, workers in loads]
        chosen = request.GET.get("team", "")
        loads = [(t, w) for t, w in loads if str(t.pk) == chosen]
    waiting = (
        list(
            Phase1SignOff.objects.pending()
            .filter(case__team__in=[t for t in teams if t.signoffs_waiting])
            .select_related("case__family", "requested_by")
        )
        if any(t.signoffs_waiting for t in teams)
        else []
    )
    return render(
        request,
        "cases/case_list.html",
        {
            "page": page,
            "loads": loads,
            "load_summary": summary,
            "signoffs_waiting": waiting,
            "stage": stage,
            "q": q,
            "stages": pathway.CHOICES,
        },
    )


def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk, related=CASE_FILE_RELATED)
    record_view(case, case.family)
    file = build_case_file(case, whole_chronology=request.GET.get("chronology") == "all")
    is_manager = permissions.is_manager_of(request.user, case.team_id)
    pending_signoff = (
        Phase1SignOff.objects.pending().filter(case=case).select_related("requested_by").first()
        if case.stage == pathway.Stage.PHASE1
        else None
    )
    facts = pathway.CaseFacts(stage=case.stage, step_down_enabled=case.team.step_down_enabled)
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "pending_signoff": pending_signoff,
            # What the page offers: the pathway decides, the template only asks.
            "actions": pathway.actions(
                facts, is_manager=is_manager, signoff_pending=pending_signoff is not None
            ),
            "viewers": recent_viewers(case),
            **file,
        },
    )


def _case_form(
    request,
    case,
    form,
    title,
    stale: bool = False,
    template: str = "cases/case_form.html",
    **extra,
):
    # Every case form shows the family: a view of it, as the case page is.
    record_view(case, case.family)
    if stale:
        # Show the case as it is now, and let a second save be a deliberate choice.
        case.refresh_from_db()
        carry_version(form, case.version)
        extra["latest_case"] = case
        extra["latest_change"] = (
            StageChange.objects.filter(case=case).select_related("changed_by").last()
        )
    if "services_missing" in extra:
        # Asked after any refresh above: the text follows the case as it is now.
        extra["services_after_open"] = case.stage in pathway.SERVICES_AFTER_STAGES
    return render(request, template, {"case": case, "form": form, "title": title, **extra})


def start_assessment(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    form = StartAssessmentForm(
        request.POST or None, initial={"started_at": timezone.localtime().replace(second=0)}
    )
    done, _stale = submit_to_service(
        request,
        form,
        lambda d: services.start_assessment(
            case_id=case.pk, user=request.user, started_at=d["started_at"]
        ),
        _("Assessment started."),
    )
    if done:
        return redirect("cases:detail", pk=case.pk)
    return _case_form(request, case, form, _("Start the assessment"))


def edit_assessment(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    assessment = get_object_or_404(Assessment, case=case)
    initial = {
        "version": assessment.version,
        "completed_at": assessment.completed_at and timezone.localtime(assessment.completed_at),
        "hours_spent": assessment.hours_spent,
        "safety_plan": assessment.safety_plan,
        "safety_plan_agreed_on": assessment.safety_plan_agreed_on,
        **{name: getattr(assessment, name) for name in FRAMEWORK_FIELDS},
    }
    form = AssessmentForm(request.POST or None, initial=initial)
    done, stale = submit_to_service(
        request,
        form,
        lambda d: services.update_assessment(
            assessment_id=assessment.pk,
            user=request.user,
            version=d["version"],
            completed_at=d["completed_at"],
            hours_spent=d["hours_spent"],
            safety_plan=d["safety_plan"],
            safety_plan_agreed_on=d["safety_plan_agreed_on"],
            sides=services.AssessmentSides(**{name: d[name] for name in FRAMEWORK_FIELDS}),
        ),
        _("Assessment saved."),
    )
    if done:
        return redirect("cases:detail", pk=case.pk)
    latest = None
    latest_sides = []
    if stale:
        assessment.refresh_from_db()
        latest = assessment
        # Every side of the framework as saved now, not only the summary: the other
        # person's change may be in any of them.
        latest_sides = [(form.fields[n].label, getattr(assessment, n)) for n in FRAMEWORK_FIELDS]
        # Saving again now is a deliberate overwrite of the version shown.
        carry_version(form, assessment.version)
    return _case_form(
        request,
        case,
        form,
        _("Assessment"),
        latest_assessment=latest,
        latest_sides=latest_sides,
    )


def decide_proceed(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    form = ProceedForm(request.POST or None, initial={"version": case.version})
    done, stale = submit_to_service(
        request,
        form,
        lambda d: services.decide_after_assessment(
            case_id=case.pk,
            user=request.user,
            decision=d["decision"],
            not_proceed_reason=d.get("not_proceed_reason"),
            notes=d.get("notes", ""),
            phase1_start=d.get("phase1_start"),
            slip_reason=d.get("slip_reason", ""),
            decided_on=d.get("decided_on"),
            version=d["version"],
        ),
        _("Decision recorded."),
    )
    if done:
        return redirect("cases:detail", pk=case.pk)
    return _case_form(request, case, form, _("Decision after assessment"), stale=stale)


def add_contact(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    form = ContactForm(request.POST or None, case=case)
    done, _stale = submit_to_service(
        request,
        form,
        lambda d: services.record_contact(
            case_id=case.pk,
            user=request.user,
            data=_contact_data(d),
        ),
        _("Contact logged."),
    )
    if done:
        return redirect("cases:detail", pk=case.pk)
    return _case_form(request, case, form, _("Log a contact"))


def add_plan(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    current = FamilyPlan.objects.filter(case=case).prefetch_related("invited_services").first()
    initial = {"agreed_on": timezone.localdate()}
    if current:
        initial.update(
            needs=current.needs,
            service_actions=current.service_actions,
            invited_services=list(current.invited_services.all()),
            agreed_with=current.agreed_with,
        )
    form = FamilyPlanForm(request.POST or None, initial=initial)
    done, _stale = submit_to_service(
        request,
        form,
        lambda d: services.agree_family_plan(
            case_id=case.pk,
            user=request.user,
            needs=d["needs"],
            service_actions=d["service_actions"],
            invited_services=list(d["invited_services"]),
            agreed_on=d["agreed_on"],
            agreed_with=d["agreed_with"],
        ),
        _("Family Plan saved. Print it for the family and the social worker."),
    )
    if done:
        return redirect("cases:detail", pk=case.pk)
    title = _("Revise the Family Plan") if current else _("Agree the Family Plan")
    return _case_form(request, case, form, title)


def plan_pdf(request: HttpRequest, plan_pk: int) -> HttpResponse:
    plan = get_object_or_404(FamilyPlan.objects.select_related("case"), pk=plan_pk)
    case = get_case_for_user(request.user, plan.case_id)  # 404 unless the user may see it
    record_view(case, case.family)
    # The family's language (families.language), or ?lang=cy, en or both (side by side).
    language = request.GET.get("lang")
    language = language if language in PRINT_CODES else None
    response = HttpResponse(render_family_plan_pdf(plan, language), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="family-plan-{plan.case_id}-v{plan.number}.pdf"'
    )
    return response


def end_phase1(request: HttpRequest, pk: int) -> HttpResponse:
    """End Phase 1; short of the model, a worker asks a manager's sign-off from here."""
    case = get_case_for_user(request.user, pk)
    goals = list(Goal.objects.filter(case=case))
    form = EndPhase1Form(
        request.POST or None,
        step_down_enabled=case.team.step_down_enabled,
        goals=goals,
        initial={"version": case.version, "ended_on": timezone.localdate()},
    )
    if request.method == "POST" and request.POST.get("action") == "request":
        ask = SignOffRequestForm(request.POST)
        done, _stale = submit_to_service(
            request,
            ask,
            lambda d: services.request_phase1_signoff(
                case_id=case.pk, user=request.user, reason=d["early_reason"]
            ),
            _("Sign-off asked for: the team's managers have been told."),
        )
        if done:
            return redirect("cases:detail", pk=case.pk)
        form.is_valid()  # show what was typed, with the request's refusal
        for error in ask.errors.get("early_reason", []) + ask.non_field_errors():
            form.add_error("early_reason" if ask.errors.get("early_reason") else None, error)
        stale = False
    else:
        done, stale = submit_to_service(
            request,
            form,
            lambda d: services.end_phase1(
                case_id=case.pk,
                user=request.user,
                ended_on=d["ended_on"],
                step_down=d.get("step_down", False),
                version=d["version"],
                scores=form.scores(),
                outcomes_missing_reason=d["outcomes_missing_reason"],
                early_reason=d["early_reason"],
            ),
            _("Phase 1 ended. The Phase 2 reviews are scheduled."),
        )
        if done:
            return redirect("cases:detail", pk=case.pk)
    today = timezone.localdate()
    is_manager = permissions.is_manager_of(request.user, case.team_id)
    return _case_form(
        request,
        case,
        form,
        _("End Phase 1"),
        stale=stale,
        template="cases/end_phase1.html",
        shortfall_today=services.phase1_shortfall(case, today),
        signoffs=list(
            Phase1SignOff.objects.filter(case=case).select_related("requested_by", "decided_by")
        ),
        is_manager=is_manager,
    )


def phase1_signoff(request: HttpRequest, pk: int) -> HttpResponse:
    """A manager signs off (or not) a worker's request to end Phase 1 early."""
    case = get_case_for_user(request.user, pk)
    if not permissions.is_manager_of(request.user, case.team_id):
        raise Http404
    pending = (
        Phase1SignOff.objects.pending().filter(case=case).select_related("requested_by").first()
    )
    form = SignOffDecisionForm(request.POST or None)
    done, _stale = submit_to_service(
        request,
        form,
        lambda d: services.decide_phase1_signoff(
            case_id=case.pk, user=request.user, approved=d["approved"], note=d["note"]
        ),
        _("Decision recorded; the worker has been told."),
    )
    if done:
        return redirect("cases:detail", pk=case.pk)
    return _case_form(
        request, case, form, _("Sign off ending Phase 1 early"), signoff_request=pending
    )


def finish_step_down(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    if request.method != "POST":
        raise Http404
    try:
        typed = request.POST.get("finished_on", "").strip()
        finished_on = forms.DateField().clean(typed) if typed else None
        services.finish_step_down(case_id=case.pk, user=request.user, finished_on=finished_on)
    except ValidationError:
        messages.error(request, _("Enter the day the step-down finished as a valid date."))
    except services.ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Step-down finished: the case is in Phase 2."))
    return redirect("cases:detail", pk=case.pk)


def close(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    form = ClosureForm(
        request.POST or None,
        case=case,
        gaps=hooks.closing_gaps(case.pk),
        initial={"version": case.version, "closed_on": timezone.localdate()},
    )
    done, stale = submit_to_service(
        request,
        form,
        lambda d: services.close_case(
            case_id=case.pk,
            user=request.user,
            reason=d["reason"],
            closed_on=d["closed_on"],
            substance_change=d["substance_change"],
            child_outcomes=form.child_outcomes(),
            reasons_not_known=form.reasons_not_known(),
            measures_missing_reason=form.measures_missing_reason(),
            destination_services=list(d["destination_services"]),
            notes=d["notes"],
            version=d["version"],
        ),
        _("Case closed."),
    )
    if done:
        return redirect("cases:detail", pk=case.pk)
    # Not a blocker: "after" records can still be made once the case is closed.
    missing = adults_without_after(case)
    return _case_form(
        request, case, form, _("Close the case"), stale=stale, services_missing=missing
    )


def override(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    if not permissions.is_manager_of(request.user, case.team_id):
        raise Http404
    closure = get_object_or_404(Closure, case=case)
    form = OverrideForm(
        request.POST or None, initial={"successful": "derived", "version": closure.version}
    )
    done, stale = submit_to_service(
        request,
        form,
        lambda d: services.override_success(
            closure_id=closure.pk,
            user=request.user,
            successful=form.value(),
            reason=d["reason"],
            version=d["version"],
        ),
        _("Success class updated."),
    )
    if done:
        return redirect("cases:detail", pk=case.pk)
    latest = None
    if stale:
        latest = Closure.objects.select_related("overridden_by").get(pk=closure.pk)
        # Saving again now is a deliberate overwrite of the override shown.
        carry_version(form, latest.version)
    return _case_form(request, case, form, _("Override the success class"), latest_override=latest)


def restrict(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    if not permissions.is_manager_of(request.user, case.team_id):
        raise Http404
    staff = User.objects.filter(
        memberships__team=case.team, memberships__role__in=STAFF_ROLES, memberships__active=True
    ).distinct()
    form = RestrictionForm(
        request.POST or None,
        staff=staff,
        initial={
            "restricted": case.restricted,
            "people": list(case.restricted_to.all()),
            "version": case.version,
        },
    )
    done, stale = submit_to_service(
        request,
        form,
        lambda d: services.restrict_case(
            case_id=case.pk,
            user=request.user,
            restricted=d["restricted"],
            people=list(d["people"]),
            version=d["version"],
        ),
        _("Access to the case updated."),
    )
    if done:
        return redirect("cases:detail", pk=case.pk)
    latest = None
    if stale:
        case.refresh_from_db()
        latest = {"restricted": case.restricted, "people": list(case.restricted_to.all())}
    return _case_form(
        request, case, form, _("Restrict access"), stale=stale, latest_restriction=latest
    )


# --- Corrections and withdrawals ----------------------------------------------------------


def _contact_original(contact: Contact) -> list[tuple[str, object]]:
    return [
        (_("Date and time"), timezone.localtime(contact.started_at).strftime("%d %b %Y %H:%M")),
        (_("Duration (minutes)"), contact.duration_minutes),
        (_("Mode"), contact.get_mode_display()),
        (_("Work type"), contact.get_work_type_display()),
        (_("Who was seen"), ", ".join(p.full_name for p in contact.people_seen.all())),
        (_("Out of hours"), _("Yes") if contact.out_of_hours else _("No")),
        (_("Notes"), contact.notes),
        (_("Recorded by"), contact.recorded_by),
    ]


def _contact_initial(contact: Contact) -> dict[str, object]:
    return {
        "started_at": timezone.localtime(contact.started_at).replace(second=0, microsecond=0),
        "duration_minutes": contact.duration_minutes,
        "mode": contact.mode,
        "work_type": contact.work_type,
        "people_seen": list(contact.people_seen.all()),
        "out_of_hours": contact.out_of_hours,
        "child_seen": contact.child_seen,
        "child_seen_alone": contact.child_seen_alone,
        "methods": list(contact.methods.all()),
        "notes": contact.notes,
    }


def _contact_data(d: dict) -> services.ContactData:
    return services.ContactData(
        started_at=d["started_at"],
        duration_minutes=d["duration_minutes"],
        mode=d["mode"],
        work_type=d["work_type"],
        out_of_hours=d["out_of_hours"],
        child_seen=d["child_seen"],
        child_seen_alone=d["child_seen_alone"],
        people_seen=list(d["people_seen"]),
        methods=list(d["methods"]),
        notes=d["notes"],
    )


correct_contact, withdraw_contact = AmendableKind(
    name="contact",
    model=Contact,
    form_class=ContactForm,
    initial=_contact_initial,
    original=_contact_original,
    correct=services.correct_contact,
    correct_data=lambda d, form, contact: {"data": _contact_data(d)},
    withdraw=services.withdraw_contact,
    correct_title=gettext_lazy("Correct a contact"),
    withdraw_title=gettext_lazy("Withdraw a contact"),
).views()


def corrections(request: HttpRequest, pk: int) -> HttpResponse:
    """Every amended and withdrawn entry of the case, each with who, when and why, and
    what replaced it: the record's history, which is never rewritten."""
    case = get_case_for_user(request.user, pk)
    record_view(case)
    return render(
        request,
        "cases/corrections.html",
        {"case": case, "rows": retired_entries(case)},
    )
