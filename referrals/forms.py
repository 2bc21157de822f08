from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.forms import formset_factory
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from accounts.formsets import HOUSEHOLD_LIMIT
from accounts.models import LocalAuthority, Team, User
from core.forms import DATE_WIDGET, DATETIME_WIDGET, VersionedForm
from families.models import (
    ActiveOffer,
    HouseholdType,
    MemberKind,
    PreferredLanguage,
    Relationship,
    Sex,
    normalise_postcode,
)
from reference.models import (
    Effect,
    LegalStatus,
    OnwardService,
    PresentingIssue,
    ReferralRoute,
    ScreeningOutcome,
    ScreeningReason,
    Substance,
)

from .models import ContactMethod, Priority, Proceedings, WaitingListEntry
from .services import MemberData, ReferralData


def conditional_label(label: str, name: str, *, required: bool) -> str:
    """A label with a "required" marker that shows while another answer makes the field
    required (static/js/app.js toggles it with the answer; the form's clean enforces it)."""
    return format_html(
        '{} <span class="required-when text-danger small" data-required-marker="{}"{}>{}</span>',
        label,
        name,
        "" if required else mark_safe(" hidden"),
        _("(required)"),
    )


class ReferralForm(forms.Form):
    team = forms.ModelChoiceField(queryset=Team.objects.all(), label=_("Team you are referring to"))
    family_name = forms.CharField(
        label=_("Family name"), max_length=120, help_text=_("For example, 'Jones family'.")
    )
    address = forms.CharField(label=_("Address"), widget=forms.Textarea(attrs={"rows": 2}))
    postcode = forms.CharField(label=_("Postcode"), max_length=10)
    local_authority = forms.ModelChoiceField(
        queryset=LocalAuthority.objects.all(), label=_("Family's local authority")
    )
    household_type = forms.ChoiceField(
        label=_("Household type"),
        choices=[("", "---------"), *HouseholdType.choices],
        required=False,
    )
    presenting_issues = forms.ModelMultipleChoiceField(
        queryset=PresentingIssue.objects.active(),
        widget=forms.CheckboxSelectMultiple,
        label=_("Presenting issues"),
    )
    reason_for_referral = forms.CharField(
        label=_("Why are you referring this family?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )
    proceedings = forms.ChoiceField(
        label=_("Are court proceedings under way?"), choices=Proceedings.choices
    )
    consent_given = forms.TypedChoiceField(
        label=_("Has the family consented to this referral?"),
        choices=[("", "---------"), ("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda v: v == "yes",
    )
    # Required when consent is "Yes" (clean): marked as required while that is the answer.
    consent_date = forms.DateField(
        label=_("Date consent given"),
        required=False,
        widget=forms.DateInput(
            attrs={"type": "date", "data-required-when": "consent_given=yes"}, format="%Y-%m-%d"
        ),
    )
    route = forms.ModelChoiceField(
        queryset=ReferralRoute.objects.active(), label=_("How the referral came in")
    )
    referrer_name = forms.CharField(label=_("Referrer's name"), max_length=120)
    referrer_role = forms.CharField(label=_("Job title"), max_length=120, required=False)
    referrer_team = forms.CharField(label=_("Team"), max_length=120, required=False)
    referrer_agency = forms.CharField(label=_("Agency"), max_length=120)
    referrer_local_authority = forms.ModelChoiceField(
        queryset=LocalAuthority.objects.all(), label=_("Local authority"), required=False
    )
    referrer_phone = forms.CharField(label=_("Phone"), max_length=40)
    referrer_email = forms.EmailField(label=_("Email"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        consented = (
            self.data.get("consent_given") == "yes"
            if self.is_bound
            else self.initial.get("consent_given") in (True, "yes")
        )
        self.fields["consent_date"].label = conditional_label(
            _("Date consent given"), "consent_date", required=consented
        )

    def clean_postcode(self) -> str:
        postcode = normalise_postcode(self.cleaned_data["postcode"])
        if len(postcode) > 10:  # upper-casing can lengthen text ("ß" becomes "SS")
            raise forms.ValidationError(_("A postcode has at most 10 characters."))
        return postcode

    def clean_consent_date(self):
        value = self.cleaned_data.get("consent_date")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The consent date cannot be in the future."))
        return value

    def clean(self) -> dict:
        data = super().clean()
        if data.get("consent_given") is True and not data.get("consent_date"):
            self.add_error("consent_date", _("Give the date the family consented."))
        return data


class MemberForm(forms.Form):
    kind = forms.ChoiceField(label=_("Member"), choices=MemberKind.choices)
    first_name = forms.CharField(label=_("First name"), max_length=80, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=80)
    sex = forms.ChoiceField(
        label=_("Sex"), choices=[("", "---------"), *Sex.choices], required=False
    )
    date_of_birth = forms.DateField(label=_("Date of birth"), required=False, widget=DATE_WIDGET)
    due_date = forms.DateField(label=_("Due date (unborn)"), required=False, widget=DATE_WIDGET)
    relationship = forms.ChoiceField(label=_("Relationship"), choices=Relationship.choices)
    ethnicity = forms.CharField(label=_("Ethnicity"), max_length=80, required=False)
    substances = forms.ModelMultipleChoiceField(
        queryset=Substance.objects.active(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label=_("Substances used (adults)"),
    )
    legal_status = forms.ModelChoiceField(
        queryset=LegalStatus.objects.active(),
        required=False,
        label=_("Legal status (children)"),
    )
    language = forms.ChoiceField(
        label=_("Preferred language"),
        choices=[("", _("Not recorded")), *PreferredLanguage.choices],
        required=False,
    )
    active_offer = forms.ChoiceField(
        label=_("Welsh Active Offer"),
        choices=[("", _("Not recorded")), *ActiveOffer.choices],
        required=False,
        help_text=_("Was this person offered the service in Welsh without having to ask?"),
    )
    active_offer_on = forms.DateField(label=_("Offer made on"), required=False, widget=DATE_WIDGET)
    active_offer_by = forms.CharField(label=_("Offer made by"), max_length=120, required=False)

    def clean(self) -> dict:
        data = super().clean()
        kind = data.get("kind")
        today = timezone.localdate()
        dob = data.get("date_of_birth")
        due = data.get("due_date")
        if dob and dob > today:
            self.add_error(
                "date_of_birth",
                _(
                    "A date of birth cannot be in the future. For an unborn child choose "
                    "'Unborn child' and give the due date."
                ),
            )
        if kind == MemberKind.UNBORN:
            if not due:
                self.add_error("due_date", _("An unborn child needs a due date."))
            elif due < today - timedelta(weeks=4):
                self.add_error(
                    "due_date",
                    _("This due date has passed: record the child as born, with a date of birth."),
                )
            elif due > today + timedelta(weeks=42):
                self.add_error("due_date", _("A due date is at most 42 weeks away."))
            if dob:
                self.add_error("date_of_birth", _("An unborn child has no date of birth."))
        else:
            if due:
                self.add_error("due_date", _("Only an unborn child has a due date."))
            if kind == MemberKind.CHILD and not dob:
                self.add_error("date_of_birth", _("Give the child's date of birth."))
            if kind == MemberKind.CHILD and dob and dob < today.replace(year=today.year - 19):
                self.add_error(
                    "date_of_birth", _("This person is over 18: record them as an adult.")
                )
        if kind != MemberKind.ADULT and data.get("substances"):
            self.add_error(
                "substances",
                _(
                    "Substances are recorded for adults. A young person's own use is a "
                    "presenting issue."
                ),
            )
        if kind == MemberKind.ADULT and data.get("legal_status"):
            self.add_error("legal_status", _("Legal status is recorded for children only."))
        self._clean_active_offer(data, today)
        return data

    def _clean_active_offer(self, data: dict, today: date) -> None:
        """The Active Offer's date and maker belong to an offer that was made, not later
        than today."""
        made = data.get("active_offer") == ActiveOffer.MADE
        offered_on = data.get("active_offer_on")
        if offered_on and not made:
            self.add_error("active_offer_on", _("Give a date only when the Active Offer was made."))
        elif offered_on and offered_on > today:
            self.add_error("active_offer_on", _("The Active Offer cannot be made in the future."))
        if data.get("active_offer_by", "").strip() and not made:
            self.add_error(
                "active_offer_by", _("Say who made the offer only when the Active Offer was made.")
            )

    def to_member(self) -> MemberData:
        d = self.cleaned_data
        return MemberData(
            kind=d["kind"],
            first_name=d.get("first_name", ""),
            last_name=d["last_name"],
            sex=d.get("sex", ""),
            date_of_birth=d.get("date_of_birth"),
            due_date=d.get("due_date"),
            relationship=d["relationship"],
            ethnicity=d.get("ethnicity", ""),
            substances=list(d.get("substances") or []),
            legal_status=d.get("legal_status"),
            language=d.get("language", ""),
            active_offer=d.get("active_offer", ""),
            active_offer_on=d.get("active_offer_on"),
            active_offer_by=d.get("active_offer_by", "").strip(),
        )


class BaseMemberFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        kinds = [
            f.cleaned_data.get("kind")
            for f in self.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        if MemberKind.ADULT not in kinds:
            raise forms.ValidationError(_("Add at least one adult (parent or carer)."))
        if MemberKind.CHILD not in kinds and MemberKind.UNBORN not in kinds:
            raise forms.ValidationError(_("Add at least one child or unborn child."))


MemberFormSet = formset_factory(
    MemberForm,
    formset=BaseMemberFormSet,
    extra=0,
    min_num=2,
    validate_min=True,
    can_delete=True,
    max_num=HOUSEHOLD_LIMIT,
    validate_max=True,
    # A larger TOTAL_FORMS is refused before more than this many forms are built.
    absolute_max=HOUSEHOLD_LIMIT,
)


def referral_data(form: ReferralForm, members: list[MemberData]) -> ReferralData:
    d = form.cleaned_data
    return ReferralData(
        team=d["team"],
        family_name=d["family_name"],
        address=d["address"],
        postcode=d["postcode"],
        local_authority=d["local_authority"],
        household_type=d.get("household_type", ""),
        route=d["route"],
        referrer_name=d["referrer_name"],
        referrer_role=d.get("referrer_role", ""),
        referrer_team=d.get("referrer_team", ""),
        referrer_agency=d["referrer_agency"],
        referrer_local_authority=d.get("referrer_local_authority"),
        referrer_phone=d["referrer_phone"],
        referrer_email=d["referrer_email"],
        presenting_issues=list(d["presenting_issues"]),
        proceedings=d["proceedings"],
        consent_given=d["consent_given"],
        consent_date=d.get("consent_date"),
        reason_for_referral=d["reason_for_referral"],
        members=members,
    )


class ReasonSelect(forms.Select):
    """Each reason names its outcome (data-outcome), so the page offers only the reasons of
    the chosen outcome (static/js/app.js). Without script the reasons stay grouped by
    outcome, and the server refuses a reason of another outcome either way."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.outcome_of: dict[str, int] = {}

    def create_option(self, name, value, *args, **kwargs) -> dict:
        option = super().create_option(name, value, *args, **kwargs)
        outcome = self.outcome_of.get(str(value))
        if outcome is not None:
            option["attrs"]["data-outcome"] = outcome
        return option


class DecisionForm(VersionedForm):
    outcome = forms.ModelChoiceField(
        queryset=ScreeningOutcome.objects.active(), label=_("Outcome"), widget=forms.RadioSelect
    )
    reason = forms.ModelChoiceField(
        queryset=ScreeningReason.objects.active().select_related("outcome"),
        label=_("Reason"),
        help_text=_("Required. Choose the reason that matches the outcome."),
        widget=ReasonSelect(attrs={"data-follows": "outcome"}),
    )
    detail = forms.CharField(
        label=_("Explanation"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )
    onward_service = forms.ModelChoiceField(
        queryset=OnwardService.objects.active(),
        required=False,
        label=_("Referred on to (when referring on)"),
    )
    priority = forms.TypedChoiceField(
        label=_("Waiting-list priority (when there is no space)"),
        choices=Priority.choices,
        coerce=int,
        initial=Priority.MEDIUM,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        reasons = list(self.fields["reason"].queryset)
        grouped: dict[str, list[tuple[int, str]]] = {}
        for r in reasons:
            grouped.setdefault(str(r.outcome), []).append((r.pk, r.name))
        self.fields["reason"].choices = [("", "---------"), *grouped.items()]
        self.fields["reason"].widget.outcome_of = {str(r.pk): r.outcome_id for r in reasons}

    def clean(self) -> dict:
        data = super().clean()
        outcome, reason = data.get("outcome"), data.get("reason")
        if outcome and reason and reason.outcome_id != outcome.pk:
            self.add_error(
                "reason",
                _("This reason belongs to '%(other)s', not '%(this)s'.")
                % {"other": reason.outcome, "this": outcome},
            )
        if outcome and outcome.needs_detail and not (data.get("detail") or "").strip():
            self.add_error("detail", _("This outcome needs a written explanation."))
        if outcome and outcome.effect == Effect.REFER_ON and not data.get("onward_service"):
            self.add_error("onward_service", _("Say which service the family is referred on to."))
        return data


class FirstContactForm(VersionedForm):
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={
            "required": _("This page is out of date: reload it and try again."),
            "invalid": _("This page is out of date: reload it and try again."),
        },
    )
    contacted_at = forms.DateTimeField(
        label=_("First contact with the referrer"),
        widget=DATETIME_WIDGET,
        error_messages={
            "required": _("Give the date and time of the first contact."),
            "invalid": _("Give the date and time of the first contact."),
        },
    )
    spoken_to = forms.CharField(
        label=_("Who was spoken to"),
        max_length=120,
        help_text=_("The referrer, or whoever answered for them."),
    )
    method = forms.ChoiceField(label=_("How"), choices=[("", "---------"), *ContactMethod.choices])
    note = forms.CharField(
        label=_("Short note"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class WaitingEntryForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = WaitingListEntry
        fields = ["priority", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class AllocationForm(VersionedForm):
    worker = forms.ModelChoiceField(queryset=User.objects.none(), label=_("Spearhead worker"))
    co_worker = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, label=_("Co-worker (optional)")
    )
    confirm_over_capacity = forms.BooleanField(
        label=_("I confirm this allocation takes the worker past the team's capacity"),
        required=False,
    )
    over_capacity_reason = forms.CharField(
        label=_("Reason for going past capacity"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed only when the worker is already at capacity. It is recorded."),
    )

    def __init__(
        self,
        *args,
        caseworkers: list[User],
        capacity: int,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        ids = [u.pk for u in caseworkers]
        self.capacity = capacity
        self.loads = {u.pk: u.intensive_load for u in caseworkers}
        for name in ("worker", "co_worker"):
            self.fields[name].queryset = User.objects.filter(pk__in=ids)
        # The drop-down shows each person's load against capacity (loaded once, above).
        self.fields["worker"].label_from_instance = self._with_load
        self.fields["co_worker"].label_from_instance = lambda u: u.get_full_name() or u.username

    def _with_load(self, user: User) -> str:
        load = self.loads.get(user.pk, 0)
        text = _("%(name)s: %(load)s of %(capacity)s intensive families") % {
            "name": user.get_full_name() or user.username,
            "load": load,
            "capacity": self.capacity,
        }
        if load >= self.capacity:
            text += " " + str(_("(at capacity)"))
        return text

    def over_capacity(self) -> bool:
        worker = self.cleaned_data.get("worker")
        return worker is not None and self.loads.get(worker.pk, 0) >= self.capacity

    def clean(self) -> dict:
        data = super().clean()
        if data.get("worker") and data.get("worker") == data.get("co_worker"):
            self.add_error("co_worker", _("The co-worker must be a different person."))
        if self.over_capacity():
            if not data.get("confirm_over_capacity"):
                self.add_error(
                    "confirm_over_capacity",
                    _(
                        "%(worker)s is already at capacity (%(load)s of %(capacity)s). "
                        "Tick to confirm you mean to go past it."
                    )
                    % {
                        "worker": data["worker"],
                        "load": self.loads[data["worker"].pk],
                        "capacity": self.capacity,
                    },
                )
            if not (data.get("over_capacity_reason") or "").strip():
                self.add_error(
                    "over_capacity_reason", _("Give the reason for going past capacity.")
                )
        return data


class LinkFamilyForm(VersionedForm):
    """A manager links a referral to one of the families the duplicate check offered."""

    family = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)


class FamilyUpdateForm(forms.Form):
    """One difference between the referral and the family's record, applied on purpose."""

    key = forms.CharField(widget=forms.HiddenInput, max_length=60)
    before = forms.CharField(widget=forms.HiddenInput, required=False, max_length=5000)


class DecisionCorrectionForm(forms.Form):
    """A screening decision's coded reason, explanation and onward service, corrected.
    The outcome stays: it moved the referral on, so a different one is a new decision."""

    reason_code = forms.ModelChoiceField(queryset=ScreeningReason.objects.none(), label=_("Reason"))
    detail = forms.CharField(
        label=_("Explanation"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=5000,
    )
    onward_service = forms.ModelChoiceField(
        queryset=OnwardService.objects.active(),
        required=False,
        label=_("Referred on to (when referring on)"),
    )

    def __init__(self, *args, outcome, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason_code"].queryset = ScreeningReason.objects.filter(outcome=outcome)
