from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DATE_WIDGET

from . import periods
from .models import Narrative


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

    def __init__(self, *args, scopes: list[tuple[str, str]], **kwargs) -> None:
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
