from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from core.forms import DATE_WIDGET, DATETIME_WIDGET, CheckboxList, VersionedForm
from families.models import MemberKind, Person
from reference.models import ClosureReason, NotProceedReason, OnwardService, PracticeMethod

from .deadlines import MAX_CONTACT_MINUTES
from .models import ChildOutcomeKind, ContactMode, Decision, Readiness, SubstanceChange, WorkType


class FamilyMembersField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return obj.full_name


def _family_people(case) -> forms.QuerySet:
    return Person.objects.filter(family_id=case.family_id)


class StartAssessmentForm(forms.Form):
    started_at = forms.DateTimeField(label=_("Assessment started"), widget=DATETIME_WIDGET)


def _side(label: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=20000,
    )


# The Assessment Framework's three sides, each with its strengths and its risks: the
# fields of AssessmentForm in the order the page shows them.
FRAMEWORK_FIELDS = [
    "child_strengths",
    "child_risks",
    "child_voice",
    "parenting_strengths",
    "parenting_risks",
    "substance_history",
    "readiness",
    "family_strengths",
    "family_risks",
]


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
    child_strengths = _side(
        _("The child's developmental needs: strengths"),
        _("Health, education, emotional development, identity, relationships, self-care."),
    )
    child_risks = _side(_("The child's developmental needs: risks"))
    child_voice = _side(
        _("The child's voice"), _("What each child says about home, in their own words.")
    )
    parenting_strengths = _side(
        _("Parenting capacity: strengths"),
        _("Basic care, safety, warmth, stimulation, guidance and boundaries, stability."),
    )
    parenting_risks = _side(_("Parenting capacity: risks"))
    substance_history = _side(
        _("Substance use history"), _("What, how much, since when, earlier attempts to stop.")
    )
    readiness = forms.ChoiceField(
        label=_("Readiness to change"),
        choices=[("", "---------"), *Readiness.choices],
        required=False,
    )
    family_strengths = _side(
        _("Family and environmental factors: strengths"),
        _("Wider family, housing, income, community, the family's own networks."),
    )
    family_risks = _side(_("Family and environmental factors: risks"))
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
        label=_("Duration (minutes)"), min_value=1, max_value=MAX_CONTACT_MINUTES
    )
    mode = forms.ChoiceField(label=_("Mode"), choices=ContactMode.choices)
    work_type = forms.ChoiceField(label=_("Work type"), choices=WorkType.choices)
    people_seen = FamilyMembersField(
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Who was seen"),
    )
    child_seen = forms.BooleanField(label=_("A child was seen"), required=False)
    child_seen_alone = forms.BooleanField(
        label=_("A child was seen alone"),
        required=False,
        help_text=_("Without a parent or carer present."),
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

    def clean(self) -> dict:
        data = super().clean()
        if data.get("child_seen_alone") and not data.get("child_seen"):
            self.add_error(
                "child_seen",
                _("A child seen alone was seen: tick “A child was seen” as well."),
            )
        return data

    def __init__(self, *args, case, **kwargs) -> None:
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
    outcomes_missing_reason = forms.CharField(
        label=_("If a goal score or reading is missing, why"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "The end of Phase 1 asks for a score for every goal, and a reading for everyone "
            "who had one at the start (record readings on the readings page)."
        ),
    )
    early_reason = forms.CharField(
        label=_("If Phase 1 ends short of the team's minimum weeks or hours, why"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("A manager signs this off. The reason is recorded."),
    )

    def __init__(
        self,
        *args,
        step_down_enabled: bool,
        goals: list | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        if not step_down_enabled:
            del self.fields["step_down"]
        self.goals = goals or []
        for goal in self.goals:
            self.fields[f"goal_{goal.pk}"] = forms.TypedChoiceField(
                label=_("Score at the end of Phase 1: %(goal)s") % {"goal": goal.title},
                choices=[("", "---------"), *goal.score_choices()],
                coerce=int,
                empty_value=None,
                required=False,
                help_text=_("0 = %(expected)s") % {"expected": escape(goal.level_0)},
            )

    def scores(self) -> dict[int, int]:
        return {
            g.pk: self.cleaned_data[f"goal_{g.pk}"]
            for g in self.goals
            if self.cleaned_data.get(f"goal_{g.pk}") is not None
        }


class SignOffRequestForm(forms.Form):
    early_reason = forms.CharField(
        label=_("Why Phase 1 should end early"),
        max_length=2000,
        error_messages={"required": _("Give the reason Phase 1 should end early.")},
    )


class SignOffDecisionForm(forms.Form):
    approved = forms.TypedChoiceField(
        label=_("Your decision"),
        choices=[("yes", _("Sign off: Phase 1 may end early")), ("no", _("Do not sign off"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Your reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


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

    def __init__(self, *args, case, gaps: list[str] = (), **kwargs) -> None:
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
        widget=CheckboxList,
        label=_("Who may see it (you and the case's workers always may)"),
    )

    def __init__(self, *args, staff, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = staff
        self.fields["people"].label_from_instance = lambda u: u.get_full_name() or u.username
