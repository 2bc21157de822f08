from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from families.models import MemberKind, Person
from reference.models import ClosureReason, NotProceedReason, OnwardService, PracticeMethod
from referrals.forms import DATE_WIDGET, DATETIME_WIDGET, VersionedForm

from .models import ChildOutcomeKind, ContactMode, Decision, SubstanceChange, WorkType


class FamilyMembersField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return obj.full_name


def _family_people(case) -> forms.QuerySet:  # noqa: ANN001
    return Person.objects.filter(family_id=case.family_id)


class StartAssessmentForm(forms.Form):
    started_at = forms.DateTimeField(label=_("Assessment started"), widget=DATETIME_WIDGET)


class AssessmentForm(VersionedForm):
    completed_at = forms.DateTimeField(
        label=_("Assessment completed"), required=False, widget=DATETIME_WIDGET
    )
    hours_spent = forms.DecimalField(
        label=_("Hours spent with the family"),
        required=False,
        min_value=0,
        max_value=200,
        decimal_places=2,
        help_text=_("Usually 7-10 hours over three days."),
    )
    safety_plan = forms.CharField(
        label=_("Children and young people's Safety Plan"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=20000,
    )
    safety_plan_agreed_on = forms.DateField(
        label=_("Safety Plan agreed on"), required=False, widget=DATE_WIDGET
    )


class ProceedForm(VersionedForm):
    decision = forms.ChoiceField(
        label=_("Decision, taken with the social worker and the family"),
        choices=Decision.choices,
        widget=forms.RadioSelect,
    )
    not_proceed_reason = forms.ModelChoiceField(
        queryset=NotProceedReason.objects.active(),
        required=False,
        label=_("Reason the family is not proceeding"),
    )
    phase1_start = forms.DateField(
        label=_("Phase 1 starts on"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("Leave empty to start on the day the assessment was completed."),
    )
    slip_reason = forms.CharField(
        label=_("Why Phase 1 starts later (holidays, court...)"), required=False, max_length=300
    )
    decided_on = forms.DateField(
        label=_("If not proceeding: decided on"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("The case closes on this day. Leave empty for today."),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("decision") == Decision.NOT_PROCEED and not data.get("not_proceed_reason"):
            self.add_error("not_proceed_reason", _("Give the reason the family is not proceeding."))
        return data


class ContactForm(forms.Form):
    started_at = forms.DateTimeField(label=_("Date and time"), widget=DATETIME_WIDGET)
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=1, max_value=24 * 60
    )
    mode = forms.ChoiceField(label=_("Mode"), choices=ContactMode.choices)
    work_type = forms.ChoiceField(label=_("Work type"), choices=WorkType.choices)
    people_seen = FamilyMembersField(
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Who was seen"),
    )
    out_of_hours = forms.BooleanField(label=_("Out of hours"), required=False)
    methods = forms.ModelMultipleChoiceField(
        queryset=PracticeMethod.objects.active(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Practice methods"),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )

    def __init__(self, *args, case, **kwargs) -> None:  # noqa: ANN001, ANN002, ANN003
        kwargs.setdefault(
            "initial", {"started_at": timezone.localtime().replace(second=0, microsecond=0)}
        )
        super().__init__(*args, **kwargs)
        self.fields["people_seen"].queryset = _family_people(case)


class FamilyPlanForm(forms.Form):
    needs = forms.CharField(
        label=_("The family's needs"), widget=forms.Textarea(attrs={"rows": 5}), max_length=20000
    )
    service_actions = forms.CharField(
        label=_("What each service will do"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=20000,
    )
    invited_services = forms.ModelMultipleChoiceField(
        queryset=OnwardService.objects.active(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Services the family will invite in"),
    )
    agreed_on = forms.DateField(label=_("Agreed on"), widget=DATE_WIDGET)
    agreed_with = forms.CharField(
        label=_("Agreed with (family members, social worker, case coordinators)"),
        required=False,
        max_length=300,
    )


class EndPhase1Form(VersionedForm):
    ended_on = forms.DateField(label=_("Phase 1 ended on"), widget=DATE_WIDGET)
    step_down = forms.BooleanField(
        label=_("Go into the tapered step-down stage first"), required=False
    )

    def __init__(self, *args, step_down_enabled: bool, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        if not step_down_enabled:
            del self.fields["step_down"]


class ClosureForm(VersionedForm):
    """Every outcome on this form is chosen, never preset (issue 14): an untouched form
    must not record a success. "Not known" is a choice, with its reason."""

    reason = forms.ModelChoiceField(
        queryset=ClosureReason.objects.active(), label=_("Reason for closing")
    )
    closed_on = forms.DateField(label=_("Closed on"), widget=DATE_WIDGET)
    substance_change = forms.ChoiceField(
        label=_("Substance use at closure"),
        choices=[("", "---------"), *SubstanceChange.choices],
    )
    destination_services = forms.ModelMultipleChoiceField(
        queryset=OnwardService.objects.active(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Destination services"),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, case, gaps: list[str] = (), **kwargs) -> None:  # noqa: ANN001, ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.gaps = list(gaps)
        self.children = list(
            _family_people(case).filter(kind__in=[MemberKind.CHILD, MemberKind.UNBORN])
        )
        for child in self.children:
            self.fields[f"child_{child.pk}"] = forms.ChoiceField(
                label=_("Outcome for %(name)s") % {"name": child.full_name},
                choices=[("", "---------"), *ChildOutcomeKind.choices],
            )
            self.fields[f"child_{child.pk}_why"] = forms.CharField(
                label=_("If not known: why, for %(name)s") % {"name": child.full_name},
                required=False,
                max_length=2000,
            )
        if self.gaps:
            self.fields["measures_missing_reason"] = forms.CharField(
                label=_("Why the closing readings or goal scores listed above are missing"),
                widget=forms.Textarea(attrs={"rows": 3}),
                max_length=5000,
                help_text=_("Or record them first: the form keeps what you typed."),
            )

    def clean(self) -> dict:
        data = super().clean()
        for child in self.children:
            why = (data.get(f"child_{child.pk}_why") or "").strip()
            if data.get(f"child_{child.pk}") == ChildOutcomeKind.NOT_KNOWN and not why:
                self.add_error(
                    f"child_{child.pk}_why", _("Say why this child's outcome is not known.")
                )
        return data

    def child_outcomes(self) -> dict[int, str]:
        return {
            c.pk: self.cleaned_data.get(f"child_{c.pk}", "")
            for c in self.children
            if self.cleaned_data.get(f"child_{c.pk}")
        }

    def reasons_not_known(self) -> dict[int, str]:
        return {c.pk: self.cleaned_data.get(f"child_{c.pk}_why", "") for c in self.children}

    def measures_missing_reason(self) -> str:
        return self.cleaned_data.get("measures_missing_reason", "")


class OverrideForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    successful = forms.ChoiceField(
        label=_("Was the work successful?"),
        choices=[
            ("derived", _("Use the derived class")),
            ("yes", _("Successful")),
            ("no", _("Not successful")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason for the override"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("A child being accommodated is not automatically a failure."),
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("successful") in {"yes", "no"} and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give the reason for overriding the success class."))
        return data

    def value(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.cleaned_data["successful"])


class RestrictionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    restricted = forms.BooleanField(
        label=_("Restrict this case to named people"),
        required=False,
        help_text=_("For example when the family is related to a member of staff."),
    )
    people = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Who may see it (you and the case's workers always may)"),
    )

    def __init__(self, *args, staff, **kwargs) -> None:  # noqa: ANN001, ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = staff
        self.fields["people"].label_from_instance = lambda u: u.get_full_name() or u.username
