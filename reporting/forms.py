from __future__ import annotations

import re
from datetime import date

from django import forms
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.models import Team
from cases.models import Case
from referrals.forms import DATE_WIDGET

from . import periods
from .models import Complaint, Consultation, Feedback, FeedbackFrom, Narrative, TrainingSession


class CardForm(forms.Form):
    scope = forms.ChoiceField(label=_("Scope"))
    period_kind = forms.ChoiceField(
        label=_("Period"),
        choices=[
            ("quarter", _("Financial quarter")),
            ("year", _("Financial year")),
            ("range", _("Dates")),
        ],
        initial="quarter",
    )
    year = forms.IntegerField(
        label=_("Financial year starting April"), min_value=2000, max_value=2100
    )
    quarter = forms.TypedChoiceField(
        label=_("Quarter"),
        coerce=int,
        choices=[
            (1, "Q1 (Apr-Jun)"),
            (2, "Q2 (Jul-Sep)"),
            (3, "Q3 (Oct-Dec)"),
            (4, "Q4 (Jan-Mar)"),
        ],
        required=False,
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE_WIDGET)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE_WIDGET)
    basis = forms.ChoiceField(
        label=_("Count"),
        choices=[
            ("events", _("Events in the period")),
            ("cohort", _("The cohort referred in the period")),
        ],
        initial="events",
    )

    def __init__(self, *args, scopes: list[tuple[str, str]], **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = scopes

    def clean(self) -> dict:
        data = super().clean()
        kind = data.get("period_kind")
        try:
            if kind == "quarter":
                if not data.get("quarter") or not data.get("year"):
                    raise forms.ValidationError(_("Choose the year and the quarter."))
                data["period"] = periods.quarter(data["year"], data["quarter"])
            elif kind == "year" and data.get("year"):
                data["period"] = periods.financial_year(data["year"])
            elif kind == "range":
                if not data.get("date_from") or not data.get("date_to"):
                    raise forms.ValidationError(_("Give both dates."))
                if not all(2000 <= d.year <= 2100 for d in (data["date_from"], data["date_to"])):
                    raise forms.ValidationError(_("Choose dates between 2000 and 2100."))
                data["period"] = periods.parse(f"{data['date_from']}..{data['date_to']}")
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return data


class NarrativeForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Narrative
        fields = ["story", "partners", "what_works", "action_plan", "draft"]
        widgets = {
            f: forms.Textarea(attrs={"rows": 4})
            for f in ["story", "partners", "what_works", "action_plan"]
        }
        help_texts = {
            "story": _("Why the curve moved as it did: the causes, in a few sentences."),
            "partners": _("Who else has a role in turning this curve, and what each does."),
            "what_works": _("What would work to do better, including low-cost ideas."),
            "action_plan": _("What the team will do next, by whom and by when."),
        }


class AgendaForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    items = forms.CharField(
        label=_("Measures wanted but not yet recorded"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("One a line: the measure, and why the board would want it."),
    )


# --- Team activity (reporting/teamwork.py) ---------------------------------------------------

# The report card's periods start in 2000: an earlier date is a mistyped year.
EARLIEST_ACTIVITY = date(2000, 1, 1)


class TeamworkFilterForm(forms.Form):
    """The search above each team activity list. Invalid values filter nothing."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE_WIDGET)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE_WIDGET)

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end of the range is before its start."))
        return data


def case_label(case: Case) -> str:
    """A case as the team knows it, family first: "Davies (case 12)"."""
    return _("%(family)s (case %(id)s)") % {"family": case.family, "id": case.pk}


class CaseSearchInput(forms.TextInput):
    """A case typed by its number ("12", "case 12" or "Davies (case 12)"), with matches
    offered as you type (htmx asks search_url; static/js/app.js puts the chosen one in the
    box). Without script, typing the case's number is enough: no <select> of every case."""

    search_url = ""
    current_label = ""

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__({"autocomplete": "off", "class": "form-control", **(attrs or {})})

    def get_context(self, name: str, value, attrs):  # noqa: ANN001, ANN201
        if value not in (None, "") and self.current_label:
            value = self.current_label
        context = super().get_context(name, value, attrs)
        if self.search_url:
            widget_attrs = context["widget"]["attrs"]
            widget_attrs.update(
                {
                    "hx-get": self.search_url,
                    "hx-trigger": "input changed delay:300ms",
                    "hx-target": f"#{widget_attrs.get('id', name)}-matches",
                    "hx-sync": "this:replace",
                    "name": name,
                    "data-case-search": "",
                }
            )
        return context

    def render(self, name: str, value, attrs=None, renderer=None) -> str:  # noqa: ANN001
        html = super().render(name, value, attrs, renderer)
        box = (attrs or {}).get("id", name)
        return format_html(
            '{}<div id="{}-matches" class="list-group mt-1" data-case-matches></div>',
            html,
            box,
        )


def typed_case_id(value: str) -> int | None:
    """The case number in what was typed: "12", "case 12", "Davies (case 12)"."""
    text = str(value).strip()
    found = re.fullmatch(r"\d{1,12}", text) or re.search(r"case\s*(\d{1,12})\b", text, re.I)
    if found is None:
        return None
    return int(found.group(found.lastindex or 0))


class CaseChoiceField(forms.ModelChoiceField):
    """A case the user may choose (the queryset), typed by its number."""

    widget = CaseSearchInput
    default_error_messages = {
        "invalid_choice": _(
            "No case you may choose has this number. Type the case number, or pick one of "
            "the matches shown as you type the family's name."
        ),
    }

    def label_from_instance(self, obj: Case) -> str:
        return case_label(obj)

    def to_python(self, value):  # noqa: ANN001, ANN201
        if value in self.empty_values:
            return None
        pk = typed_case_id(value)
        if pk is None:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid")
        return super().to_python(pk)

    def prepare_value(self, value):  # noqa: ANN001, ANN201
        return value.pk if isinstance(value, Case) else value


class TeamworkForm(forms.ModelForm):
    """One team activity record: the team is one of the user's (a single team is implied,
    not asked), the day it happened is neither in the future nor before 2000, and an edit
    carries the version it started from. Rules about the case live in the service."""

    date_field = "held_on"

    def __init__(  # noqa: ANN002, ANN003
        self,
        *args,
        teams: list[Team],
        cases=None,
        case_search_url: str = "",
        **kwargs,  # noqa: ANN001
    ) -> None:
        super().__init__(*args, **kwargs)
        self.only_team = teams[0] if len(teams) == 1 else None
        if "team" in self.fields:
            if self.only_team is not None:
                del self.fields["team"]
            else:
                self.fields["team"].queryset = Team.objects.filter(pk__in=[t.pk for t in teams])
        if "case" in self.fields:
            field = self.fields["case"]
            field.queryset = cases if cases is not None else Case.objects.none()
            field.widget.search_url = case_search_url
            if self.instance.pk and self.instance.case_id and not self.is_bound:
                field.widget.current_label = case_label(self.instance.case)
        if self.instance.pk:
            self.fields["version"] = forms.IntegerField(
                widget=forms.HiddenInput, initial=self.instance.version
            )

    def clean(self) -> dict:
        data = super().clean()
        if self.only_team is not None:
            data["team"] = self.only_team
        day = data.get(self.date_field)
        if day is not None:
            if day > timezone.localdate():
                self.add_error(self.date_field, _("This date is in the future."))
            elif day < EARLIEST_ACTIVITY:
                self.add_error(
                    self.date_field, _("Check the year: dates before 2000 are not kept.")
                )
        return data


class ConsultationForm(TeamworkForm):
    class Meta:
        model = Consultation
        fields = ["team", "held_on", "asked_by", "agency", "topic", "led_to_referral"]
        widgets = {"held_on": DATE_WIDGET}
        help_texts = {
            "asked_by": _("The worker who asked for the consultation, and their role."),
            "led_to_referral": _("Tick if the advice was to refer the family to the team."),
        }


class TrainingSessionForm(TeamworkForm):
    attendees = forms.IntegerField(label=_("Attendees"), min_value=0, max_value=10000)

    class Meta:
        model = TrainingSession
        fields = ["team", "course", "held_on", "attendees", "audience"]
        widgets = {"held_on": DATE_WIDGET}


class FeedbackForm(TeamworkForm):
    date_field = "received_on"
    case = CaseChoiceField(queryset=Case.objects.none(), label=_("Case"))
    comments = forms.CharField(
        label=_("Comments"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    given_by = forms.ChoiceField(
        label=_("From"), choices=FeedbackFrom.choices, widget=forms.RadioSelect
    )
    positive = forms.TypedChoiceField(
        label=_("Was the feedback positive?"),
        choices=[(True, _("Yes")), (False, _("No"))],
        coerce=lambda v: v in (True, "True"),
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Feedback
        fields = ["case", "given_by", "received_on", "positive", "comments"]
        widgets = {"received_on": DATE_WIDGET}


class ComplaintForm(TeamworkForm):
    date_field = "received_on"
    case = CaseChoiceField(
        queryset=Case.objects.none(),
        label=_("Case"),
        required=False,
        help_text=_("If the complaint is about the work with one family."),
    )
    summary = forms.CharField(
        label=_("Summary"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )

    class Meta:
        model = Complaint
        fields = ["team", "received_on", "case", "summary"]
        widgets = {"received_on": DATE_WIDGET}


class RevisionForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1)
    reason = forms.CharField(
        label=_("Why the published figures are being revised"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("For example: a contact logged as 600 minutes was corrected to 60."),
    )


class AsAtForm(forms.Form):
    as_at = forms.DateField(
        label=_("Show the cards as they stood on"), required=False, widget=DATE_WIDGET
    )


class TargetForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1)
    baseline = forms.DecimalField(
        label=_("Baseline"),
        required=False,
        max_digits=10,
        decimal_places=2,
        help_text=_("Where the measure stood when the team started tracking it."),
    )
    target = forms.DecimalField(label=_("Target"), required=False, max_digits=10, decimal_places=2)
    reason = forms.CharField(
        label=_("Why it is changing"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: agreed with the board on 12 March."),
    )
