from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from cases.deadlines import MAX_CONTACT_MINUTES
from core.forms import DATE_WIDGET, VersionedForm
from outcomes.forms import SCORE_CHOICES
from outcomes.models import Goal
from reference.models import OnwardService

from .models import Requester


class ReviewForm(VersionedForm):
    held_on = forms.DateField(label=_("Held on"), widget=DATE_WIDGET)
    attendees = forms.CharField(label=_("Who attended"), max_length=500)
    progress = forms.CharField(
        label=_("Progress"), widget=forms.Textarea(attrs={"rows": 5}), max_length=20000
    )
    children_wellbeing = forms.CharField(
        label=_("The children's safety and wellbeing"),
        help_text=_("For the report to the referrer: how safe and well each child is now."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=20000,
    )
    plan_still_fit = forms.TypedChoiceField(
        label=_("Is the Family Plan still fit for purpose?"),
        choices=[("yes", _("Yes")), ("no", _("No: it needs revising"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    services_signposted = forms.ModelMultipleChoiceField(
        queryset=OnwardService.objects.active(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Services signposted"),
    )
    outside_window_reason = forms.CharField(
        label=_("Reason, if held outside the window"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self,
        *args,
        goals: list[Goal],
        window: tuple[date, date],
        **kwargs,
    ):
        kwargs.setdefault("initial", {}).setdefault("held_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        opens, closes = window
        self.window = window
        # The window is shown where the date is typed, so nobody learns of it by refusal.
        self.fields["held_on"].help_text = _(
            "Window: %(opens)s to %(closes)s. Outside it, give the reason below."
        ) % {"opens": opens.strftime("%d %b %Y"), "closes": closes.strftime("%d %b %Y")}
        self.goals = goals
        for goal in goals:
            self.fields[f"goal_{goal.pk}"] = forms.TypedChoiceField(
                label=_("Score now: %(goal)s") % {"goal": goal.title},
                choices=[("", "---------"), *SCORE_CHOICES],
                coerce=int,
                # help_text is rendered as HTML: a worker's words must be escaped.
                help_text=_("0 = %(expected)s") % {"expected": escape(goal.level_0)},
            )

    def scores(self) -> dict[int, int]:
        return {g.pk: self.cleaned_data[f"goal_{g.pk}"] for g in self.goals}


class ReportSendForm(VersionedForm):
    """Send the previewed report (the version shows it is the report that was read)."""

    action = forms.ChoiceField(choices=[("send", _("Send")), ("submit", _("Sign-off"))])


class BoosterForm(forms.Form):
    requested_by = forms.ChoiceField(label=_("Asked for by"), choices=Requester.choices)
    requested_on = forms.DateField(label=_("Asked for on"), widget=DATE_WIDGET)
    delivered_by = forms.ModelChoiceField(queryset=User.objects.none(), label=_("Delivered by"))
    delivered_on = forms.DateField(label=_("Delivered on"), widget=DATE_WIDGET)
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=1, max_value=MAX_CONTACT_MINUTES, initial=60
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    over_limit_reason = forms.CharField(
        label=_("Reason for going past the limit (manager only)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, workers: list[User], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        delivered_by = self.fields["delivered_by"]
        assert isinstance(delivered_by, forms.ModelChoiceField)
        delivered_by.queryset = User.objects.filter(pk__in=[w.pk for w in workers])
        # A per-form label, as Django documents; mypy sees a method replaced.
        delivered_by.label_from_instance = lambda u: u.get_full_name() or u.username  # type: ignore[method-assign, assignment]
