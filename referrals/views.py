from __future__ import annotations

import re
import uuid

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts import permissions
from accounts.formsets import HOUSEHOLD_LIMIT
from accounts.models import Team
from accounts.paging import EndwisePaginator, seek_page
from audit.services import record_listed, record_view
from cases.correctionflow import AmendableKind
from cases.deadlines import first_contact_due
from cases.loads import caseworkers_with_load
from core.formflow import carry_version, submit_to_service
from families.models import Family, Person
from reviews.models import Review

from . import services
from .access import get_draft_for_user, get_referral_for_user, get_waiting_entry_for_user
from .forms import (
    AllocationForm,
    DecisionCorrectionForm,
    DecisionForm,
    FamilyUpdateForm,
    FirstContactForm,
    LinkFamilyForm,
    MemberFormSet,
    ReferralForm,
    WaitingEntryForm,
    referral_data,
)
from .models import (
    ALLOCATABLE,
    SCREENABLE,
    FamilyUpdate,
    Referral,
    ReferralDraft,
    ReferralStatus,
    ScreeningDecision,
    WaitingListEntry,
)

PAGE_SIZE = 25
# All a referrer (another agency) is told when the family may be known: nothing the team knows.
KNOWN_TO_THE_TEAM = gettext_lazy("The team may already know this family; the manager will check.")


def _may_refer(user) -> bool:
    return user.is_superuser or bool(permissions.referring_team_ids(user))


def _is_manager(user) -> bool:
    return user.is_superuser or bool(permissions.manager_team_ids(user))


def _without_errors(form) -> None:
    """Show a bound form (a resumed draft) without complaining about what is unfinished."""
    from django.forms.utils import ErrorDict

    if hasattr(form, "forms"):  # a formset: its cleaned_data is read-only
        form._errors = []
        form._non_form_errors = form.error_class()
        for sub in form.forms:
            _without_errors(sub)
        return
    form._errors = ErrorDict()
    form.cleaned_data = {}


def _referral_form(user, data=None, initial=None) -> ReferralForm:
    """Referrers refer to, and see possible duplicates in, only the teams they belong to."""
    form = ReferralForm(data, initial=initial)
    if not user.is_superuser:
        form.fields["team"].queryset = Team.objects.filter(
            pk__in=permissions.referring_team_ids(user)
        )
    return form


def _initial_for(user) -> dict:
    teams = permissions.referring_team_ids(user)
    initial = {
        "referrer_name": user.get_full_name(),
        "referrer_email": user.email,
        "referrer_phone": user.phone,
        "referrer_role": user.job_title,
        "proceedings": "none",
    }
    if len(teams) == 1:
        initial["team"] = teams[0]
    return initial


def _already_submitted(key: str) -> Referral | None:
    """The referral a form with this one-time key created, if it was submitted before."""
    try:
        return Referral.objects.filter(submission_key=uuid.UUID(key)).first()
    except ValueError:
        return None


def _shown_name(user, referral: Referral, staff_teams: set[int]) -> str:
    """Team staff see the family's name on record; anyone else (the referrer) the name they
    gave it: a referral linked to a known family tells its referrer nothing the team knows."""
    if user.is_superuser or referral.team_id in staff_teams:
        return referral.family.name
    return referral.name_as_referred


def referral_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    qs = Referral.objects.visible_to(user).with_list_related()
    q = request.GET.get("q", "").replace("\x00", "").strip()  # PostgreSQL refuses NUL
    status = request.GET.get("status", "")
    staff_teams = set(permissions.staff_team_ids(user))
    if q:
        # A referrer finds their referrals by what they typed; the team's record of the
        # family (its name and postcode) is searched only where the user is team staff.
        on_record = Q(family__name__icontains=q) | Q(family__postcode__icontains=q)
        if not user.is_superuser:
            on_record &= Q(team_id__in=staff_teams)
        qs = qs.filter(
            Q(family_name__icontains=q)
            | Q(postcode__icontains=q)
            | Q(referrer_name__icontains=q)
            | on_record
        )
    if status in ReferralStatus.values:
        qs = qs.filter(status=status)
    # Not counted: the count of every visible referral cost more than the page (issue 15).
    page = seek_page(qs.order_by("-received_at", "-pk"), request.GET, PAGE_SIZE, key="received_at")
    for referral in page:
        referral.shown_name = _shown_name(user, referral, staff_teams)
    _record_listed_families(page.object_list)
    return render(
        request,
        "referrals/referral_list.html",
        {"page": page, "q": q, "status": status, "statuses": ReferralStatus.choices},
    )


def referral_form(request: HttpRequest, draft_id: int | None = None) -> HttpResponse:
    """The referral form: save a draft at any point, submit when complete."""
    user = request.user
    if not _may_refer(user):
        raise Http404
    draft = get_draft_for_user(user, draft_id) if draft_id else None
    duplicates: list[Family] = []

    if request.method == "POST":
        raw = MultiValueDict(
            {k: request.POST.getlist(k) for k in request.POST if k != "csrfmiddlewaretoken"}
        )
        form = _referral_form(user, raw)
        formset = MemberFormSet(raw, prefix="members")
        action = request.POST.get("action", "submit")

        already = _already_submitted(request.POST.get("submission_key", ""))
        if already is not None and action == "submit":
            messages.info(request, _("This referral was already submitted."))
            return redirect("referrals:detail", pk=already.pk)

        if action == "draft":
            draft = services.save_draft(user=user, data=dict(raw.lists()), draft=draft)
            messages.success(request, _("Draft saved. You can finish it later from 'My drafts'."))
            return redirect("referrals:draft", draft_id=draft.pk)

        if action == "add_member":
            typed = raw.get("members-TOTAL_FORMS", "2")
            # A tampered count is never a 500 (str.isdigit also accepts "²").
            total = int(typed) if re.fullmatch(r"[0-9]{1,3}", typed) else 2
            raw.setlist("members-TOTAL_FORMS", [str(min(total + 1, HOUSEHOLD_LIMIT))])
            form = _referral_form(user, raw)
            formset = MemberFormSet(raw, prefix="members")
            _without_errors(form)
            _without_errors(formset)
        elif form.is_valid() and formset.is_valid():
            members = [
                f.to_member()
                for f in formset.forms
                if f.cleaned_data and not f.cleaned_data.get("DELETE")
            ]
            data = referral_data(form, members)
            link_choice = request.POST.get("link_family", "")
            # Team staff see the matches among the families they may see, and may link to
            # one; anyone else (a referrer) is told only that the team may know the family.
            staff = user.is_superuser or permissions.is_staff_of(user, data.team.pk)
            offered = (
                services.find_possible_duplicates(
                    team=data.team, postcode=data.postcode, members=members, user=user
                )
                if staff
                else []
            )
            # Only a family the form offered can be linked: never any family by its id.
            link = next((f for f in offered if str(f.pk) == link_choice), None)
            if offered and link is None and link_choice != "new":
                duplicates = offered
                if link_choice:
                    messages.error(
                        request, _("Choose one of the families shown, or 'None of these'.")
                    )
            else:
                try:
                    key = uuid.UUID(request.POST.get("submission_key", ""))
                except ValueError:
                    key = uuid.uuid4()  # a tampered key: still never a 500
                try:
                    referral = services.submit_referral(
                        user=user, data=data, submission_key=key, link_family=link, draft=draft
                    )
                except services.AlreadySubmitted as exc:
                    messages.info(request, _("This referral was already submitted."))
                    return redirect("referrals:detail", pk=exc.referral.pk)
                except services.ServiceError as exc:
                    messages.error(request, str(exc))
                else:
                    messages.success(request, _("Referral submitted. The team has been told."))
                    if not staff and services.find_possible_duplicates(
                        team=data.team,
                        postcode=data.postcode,
                        members=members,
                        exclude_family_id=referral.family_id,
                    ):
                        messages.info(request, KNOWN_TO_THE_TEAM)
                    return redirect("referrals:detail", pk=referral.pk)
        else:
            messages.error(
                request, _("Please correct the errors below. Nothing you typed has been lost.")
            )
    elif draft is not None:
        raw = MultiValueDict(draft.data)
        form = _referral_form(user, raw)
        formset = MemberFormSet(raw, prefix="members")
        _without_errors(form)
        _without_errors(formset)
    else:
        form = _referral_form(user, initial=_initial_for(user))
        formset = MemberFormSet(
            prefix="members",
            initial=[
                {"kind": "adult", "relationship": "mother"},
                {"kind": "child", "relationship": "child"},
            ],
        )

    submission_key = request.POST.get("submission_key") or str(uuid.uuid4())
    return render(
        request,
        "referrals/referral_form.html",
        {
            "form": form,
            "formset": formset,
            "draft": draft,
            "duplicates": duplicates,
            "submission_key": submission_key,
        },
    )


def draft_list(request: HttpRequest) -> HttpResponse:
    drafts = ReferralDraft.objects.filter(owner=request.user)
    return render(request, "referrals/draft_list.html", {"drafts": drafts})


def draft_delete(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = get_draft_for_user(request.user, draft_id)
    if request.method == "POST":
        draft.delete()
        messages.success(request, _("Draft deleted."))
        return redirect("referrals:drafts")
    return render(request, "referrals/draft_confirm_delete.html", {"draft": draft})


def _household(referral: Referral, with_people: bool = False) -> list:
    """The household as referred. Referrals made before that was kept show the family's
    record instead. with_people: each member with the family member matched to them and
    their substances too (the manager's differences of a re-referral, read at once)."""
    if referral.has_snapshot:
        members = referral.household.select_related("legal_status").prefetch_related("substances")
        if with_people:
            members = members.select_related("person").prefetch_related("person__substances")
        return list(members)
    return list(
        Person.objects.filter(family=referral.family)
        .select_related("legal_status")
        .prefetch_related("substances")
    )


def _previous_involvement(user, referral: Referral) -> list[dict]:
    """The family's earlier referrals, each with its case, closure and reviews, that this
    user may see (team staff only; the referral page is already hidden from staff of a
    restricted family that does not name them)."""
    from cases.models import Case

    earlier = list(
        Referral.objects.visible_to(user)
        .filter(family_id=referral.family_id, received_at__lte=referral.received_at)
        .exclude(pk=referral.pk)
        .order_by("-received_at", "-pk")
    )
    cases = {
        c.referral_id: c
        for c in Case.objects.visible_to(user)
        # Only an allocated referral has a case (the page's own rule): none, no query.
        .filter(referral__in=[r.pk for r in earlier if r.status == ReferralStatus.ALLOCATED])
        .select_related("closure__reason", "worker")
        .prefetch_related("reviews")
    }
    return [{"referral": r, "case": cases.get(r.pk)} for r in earlier]


def _may_work_on(user, referral: Referral) -> bool:
    return user.is_superuser or permissions.is_staff_of(user, referral.team_id)


def referral_detail(
    request: HttpRequest, pk: int, first_contact_form: FirstContactForm | None = None
) -> HttpResponse:
    from cases.models import Case

    user = request.user
    referral = get_referral_for_user(user, pk)
    record_view(referral, referral.family)
    staff = _may_work_on(user, referral)
    # Team staff see amended and withdrawn decisions too, marked, with who, when and why;
    # the referrer sees the decisions as they stand.
    versions = ScreeningDecision.all_versions if staff else ScreeningDecision.objects
    decisions = list(
        versions.filter(referral=referral).select_related(
            "outcome", "reason", "onward_service", "decided_by", "retired_by"
        )
    )
    current = [d for d in decisions if d.is_current]
    latest_decision = current[0] if current else None
    allocated = referral.status == ReferralStatus.ALLOCATED
    # Allocation takes the family off the waiting list (services.allocate): an allocated
    # referral has no current entry to look for.
    waiting = (
        None if allocated else WaitingListEntry.objects.current().filter(referral=referral).first()
    )
    is_manager = permissions.is_manager_of(user, referral.team_id) or (user.is_superuser)
    # The case with its worker, whom the page names, in one query.
    allocated_case = (
        Case.objects.select_related("worker").filter(referral=referral).first()
        if allocated
        else None
    )
    members = _household(referral, with_people=is_manager and referral.is_rereferral)
    # Only team staff may open the case, see the family's record and its earlier episodes;
    # the referrer sees what they referred, and that it was allocated.
    context = {
        "referral": referral,
        "members": members,
        "issues": list(referral.presenting_issues.all()),
        "decisions": decisions,
        "latest_decision": latest_decision,
        "may_correct_decisions": permissions.is_manager_of(user, referral.team_id),
        "waiting": waiting,
        "case": allocated_case if staff else None,
        "allocated_case": allocated_case,
        "review_reports": list(
            Review.objects.filter(case=allocated_case, held_on__isnull=False)
            if allocated_case
            else []
        ),
        "staff": staff,
        "shown_name": referral.family.name if staff else referral.name_as_referred,
        "is_manager": is_manager,
        "can_decide": is_manager and referral.status in SCREENABLE,
        "can_allocate": is_manager and referral.status in ALLOCATABLE,
        "first_contact_form": first_contact_form
        or FirstContactForm(
            initial={"version": referral.version, "contacted_at": timezone.localtime()}
        ),
        "first_contact_due": first_contact_due(
            referral.received_at, referral.team.first_contact_hours
        ),
        "now": timezone.now(),
    }
    if staff:
        context["previous"] = _previous_involvement(user, referral)
    if is_manager:
        context.update(_manager_panels(user, referral, members))
    return render(request, "referrals/referral_detail.html", context)


def _manager_panels(user, referral: Referral, members: list) -> dict:
    """Families the referral may be about (among those the manager may see), and the
    differences between the referral and the family's record, each to apply on purpose.
    `members`: the household as the page shows it (_household), read once."""
    matches = []
    if referral.status in SCREENABLE and referral.has_snapshot:
        said = [
            services.MemberData(
                kind=m.kind,
                first_name=m.first_name,
                last_name=m.last_name,
                relationship=m.relationship,
                date_of_birth=m.date_of_birth,
            )
            for m in members
        ]
        matches = services.find_possible_duplicates(
            team=referral.team,
            postcode=referral.postcode,
            members=said,
            user=user,
            exclude_family_id=referral.family_id,
        )
    return {
        "matches": matches,
        "differences": (
            services.family_differences(
                referral, household=members if referral.has_snapshot else None
            )
            if referral.is_rereferral
            else []
        ),
        "family_updates": list(
            FamilyUpdate.objects.filter(referral=referral).select_related("applied_by")
        ),
    }


@require_POST
def link_family(request: HttpRequest, pk: int) -> HttpResponse:
    referral = get_referral_for_user(request.user, pk, manage=True)
    form = LinkFamilyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the families shown."))
        return redirect("referrals:detail", pk=referral.pk)
    try:
        services.link_referral_to_family(
            referral_id=referral.pk,
            user=request.user,
            family_id=form.cleaned_data["family"],
            version=form.cleaned_data["version"],
        )
    except services.ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _(
                "Linked as a re-referral. The family's record is unchanged: apply the "
                "differences you agree with below."
            ),
        )
    return redirect("referrals:detail", pk=referral.pk)


@require_POST
def apply_update(request: HttpRequest, pk: int) -> HttpResponse:
    referral = get_referral_for_user(request.user, pk, manage=True)
    form = FamilyUpdateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the differences shown."))
        return redirect("referrals:detail", pk=referral.pk)
    try:
        services.apply_family_update(
            referral_id=referral.pk,
            user=request.user,
            key=form.cleaned_data["key"],
            before=form.cleaned_data["before"],
        )
    except services.ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The family's record is updated; the change is recorded."))
    return redirect("referrals:detail", pk=referral.pk)


def _refreshed(request: HttpRequest, pk: int, form) -> Referral:
    """After a refused or stale submission: the referral as it is now, with the form
    carrying its current version, so confirming again is a deliberate choice."""
    referral = get_referral_for_user(request.user, pk, manage=True)
    carry_version(form, referral.version)
    return referral


def _record_listed_families(referrals) -> None:
    """A list names families: who saw which family on it is logged, as a page is."""
    record_listed({Family: {r.family_id: r.family.name for r in referrals}})


def screening_queue(request: HttpRequest) -> HttpResponse:
    if not _is_manager(request.user):
        raise Http404
    qs = (
        Referral.objects.managed_by(request.user)
        .filter(status=ReferralStatus.SUBMITTED)
        .with_list_related()
        .order_by("received_at", "pk")
    )
    page = EndwisePaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    _record_listed_families(page.object_list)
    now = timezone.now()
    rows = [
        {
            "referral": r,
            "waited": now - r.received_at,
            "contact_due": first_contact_due(r.received_at, r.team.first_contact_hours),
        }
        for r in page
    ]
    return render(
        request, "referrals/screening_queue.html", {"page": page, "rows": rows, "now": now}
    )


def decide(request: HttpRequest, pk: int) -> HttpResponse:
    referral = get_referral_for_user(request.user, pk, manage=True)
    record_view(referral, referral.family)
    form = DecisionForm(request.POST or None, initial={"version": referral.version})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.decide_referral(
                referral_id=referral.pk,
                user=request.user,
                outcome=d["outcome"],
                reason=d["reason"],
                detail=d["detail"],
                onward_service=d.get("onward_service"),
                priority=d["priority"],
                version=d["version"],
            )
        except services.ServiceError as exc:
            form.add_error(None, str(exc))
            referral = _refreshed(request, pk, form)
        else:
            messages.success(request, _("Decision recorded and the referrer told."))
            return redirect("referrals:detail", pk=referral.pk)
    return render(request, "referrals/decide.html", {"referral": referral, "form": form})


@require_POST
def first_contact(request: HttpRequest, pk: int) -> HttpResponse:
    referral = get_referral_for_user(request.user, pk, manage=True)
    form = FirstContactForm(request.POST)
    done, stale = submit_to_service(
        request,
        form,
        lambda d: services.record_first_contact(
            referral_id=referral.pk,
            user=request.user,
            contacted_at=d["contacted_at"],
            spoken_to=d["spoken_to"],
            method=d["method"],
            note=d["note"],
            version=d["version"],
        ),
        _("First contact recorded."),
    )
    if done:
        return redirect("referrals:detail", pk=referral.pk)
    if stale:
        _refreshed(request, pk, form)
    # Refused: the page again, with the form as typed and its messages.
    return referral_detail(request, pk, first_contact_form=form)


def waiting_list(request: HttpRequest) -> HttpResponse:
    if not _is_manager(request.user):
        raise Http404
    entries = (
        WaitingListEntry.objects.current()
        .managed_by(request.user)
        .select_related("referral__family", "referral__team")
        .order_by("priority", "added_at", "pk")
    )
    page = EndwisePaginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    _record_listed_families(entry.referral for entry in page.object_list)
    return render(request, "referrals/waiting_list.html", {"page": page, "now": timezone.now()})


def waiting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_waiting_entry_for_user(request.user, pk)
    record_view(entry.referral, entry.referral.family)
    form = WaitingEntryForm(
        request.POST or None, instance=entry, initial={"version": entry.version}
    )
    done, stale = submit_to_service(
        request,
        form,
        lambda d: services.update_waiting_entry(
            entry_id=entry.pk,
            user=request.user,
            priority=d["priority"],
            notes=d["notes"],
            version=d["version"],
        ),
        _("Waiting-list entry updated."),
    )
    if done:
        return redirect("referrals:waiting_list")
    latest = None
    if stale:
        latest = get_waiting_entry_for_user(request.user, pk)
        # Saving again now is a deliberate overwrite of the entry shown.
        carry_version(form, latest.version)
    return render(
        request, "referrals/waiting_edit.html", {"entry": entry, "form": form, "latest": latest}
    )


def allocate(request: HttpRequest, pk: int) -> HttpResponse:
    referral = get_referral_for_user(request.user, pk, manage=True)
    record_view(referral, referral.family)
    team: Team = referral.team
    caseworkers = caseworkers_with_load(team)
    form = AllocationForm(
        request.POST or None,
        caseworkers=caseworkers,
        capacity=team.practitioner_capacity,
        initial={"version": referral.version},
    )
    if request.method == "POST" and form.is_valid():
        try:
            case = services.allocate_referral(
                referral_id=referral.pk,
                user=request.user,
                worker=form.cleaned_data["worker"],
                co_worker=form.cleaned_data.get("co_worker"),
                version=form.cleaned_data["version"],
                over_capacity_reason=form.cleaned_data["over_capacity_reason"]
                if form.cleaned_data["confirm_over_capacity"]
                else "",
            )
        except services.ServiceError as exc:
            form.add_error(None, str(exc))
            referral = _refreshed(request, pk, form)
        else:
            messages.success(request, _("Allocated to %(worker)s.") % {"worker": case.worker})
            return redirect("referrals:detail", pk=referral.pk)
    return render(
        request,
        "referrals/allocate.html",
        {
            "referral": referral,
            "form": form,
            "caseworkers": caseworkers,
            "capacity": team.practitioner_capacity,
            "allocatable": referral.status in ALLOCATABLE,
        },
    )


# --- Corrections and withdrawals of screening decisions ----------------------------------


def _decision_for_manager(request: HttpRequest, pk: int) -> ScreeningDecision:
    """The decision (any version), if the user may manage its referral: a manager of its
    team (as the decision's author was), never of a restricted family that does not name
    them; else 404."""
    decision = (
        ScreeningDecision.all_versions.select_related(
            "referral__family", "outcome", "reason", "onward_service", "decided_by"
        )
        .filter(pk=pk, referral__in=Referral.objects.managed_by(request.user))
        .first()
    )
    if decision is None or not permissions.is_manager_of(request.user, decision.referral.team_id):
        raise Http404
    return decision


def _decision_original(decision: ScreeningDecision) -> list[tuple[str, object]]:
    return [
        (_("Outcome"), decision.outcome),
        (_("Reason"), decision.reason),
        (_("Explanation"), decision.detail),
        (_("Referred on to"), decision.onward_service or ""),
        (_("Decided"), f"{timezone.localtime(decision.decided_at):%d %b %Y %H:%M}"),
        (_("Decided by"), decision.decided_by),
    ]


correct_decision, withdraw_decision = AmendableKind(
    name="decision",
    model=ScreeningDecision,
    lookup=lambda request, pk: (_decision_for_manager(request, pk), None),
    form_class=DecisionCorrectionForm,
    form_kwargs=lambda decision, case: {"outcome": decision.outcome},
    initial=lambda decision: {
        "reason_code": decision.reason_id,
        "detail": decision.detail,
        "onward_service": decision.onward_service_id,
    },
    original=_decision_original,
    correct=services.correct_decision,
    correct_data=lambda d, form, decision: {
        "reason_code": d["reason_code"],
        "detail": d["detail"],
        "onward_service": d.get("onward_service"),
    },
    withdraw=services.withdraw_decision,
    correct_title=gettext_lazy("Correct a screening decision"),
    withdraw_title=gettext_lazy("Withdraw a screening decision"),
    done_url=lambda decision, case: reverse("referrals:detail", args=[decision.referral_id]),
    viewed=lambda decision: (decision.referral, decision.referral.family),
).views()
