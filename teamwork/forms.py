"""The forms of the team activity pages (teamwork/views.py): the search above each list, and
one create/edit form per kind."""

from __future__ import annotations

import re
from datetime import date

from django import forms
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.models import Team
from cases.models import Case
from core.forms import DATE_WIDGET

from .models import Complaint, Consultation, Feedback, FeedbackFrom, TrainingSession

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

    def get_context(self, name: str, value, attrs):
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

    def render(self, name: str, value, attrs=None, renderer=None) -> str:
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

    def to_python(self, value):
        if value in self.empty_values:
            return None
        pk = typed_case_id(value)
        if pk is None:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid")
        return super().to_python(pk)

    def prepare_value(self, value):
        return value.pk if isinstance(value, Case) else value


class TeamworkForm(forms.ModelForm):
    """One team activity record: the team is one of the user's (a single team is implied,
    not asked), the day it happened is neither in the future nor before 2000, and an edit
    carries the version it started from. Rules about the case live in the service."""

    date_field = "held_on"

    def __init__(
        self,
        *args,
        teams: list[Team],
        cases=None,
        case_search_url: str = "",
        **kwargs,
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
