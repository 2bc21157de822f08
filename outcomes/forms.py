from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.forms import FamilyMembersField
from core.forms import DATE_WIDGET, VersionedForm
from families.models import MemberKind, Person
from reference.models import GoalCategory, ServiceType

from .models import GAS_LEVELS, Instrument, Occasion, SdqInformant, SdqVersion, ServiceUse

SCORE_CHOICES = [(s, f"{s:+d}") for s in GAS_LEVELS]


class GoalForm(forms.Form):
    title = forms.CharField(label=_("Goal"), max_length=300)
    category = forms.ModelChoiceField(queryset=GoalCategory.objects.active(), label=_("Category"))
    is_substance = forms.BooleanField(label=_("About substance use"), required=False)
    members = FamilyMembersField(
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("For (leave empty for the whole family)"),
    )
    level_minus2 = forms.CharField(label=_("-2: much less than expected"), max_length=300)
    level_minus1 = forms.CharField(label=_("-1: less than expected"), max_length=300)
    level_0 = forms.CharField(label=_("0: the expected outcome"), max_length=300)
    level_plus1 = forms.CharField(label=_("+1: more than expected"), max_length=300)
    level_plus2 = forms.CharField(label=_("+2: much more than expected"), max_length=300)
    # Chosen, never preset: a preset baseline would move every "distance travelled".
    baseline = forms.TypedChoiceField(
        label=_("Baseline score (where the family is now)"),
        choices=[("", "---------"), *SCORE_CHOICES],
        coerce=int,
    )

    def __init__(self, *args, case, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = Person.objects.filter(family_id=case.family_id)

    def levels(self) -> dict[int, str]:
        d = self.cleaned_data
        return {
            -2: d["level_minus2"],
            -1: d["level_minus1"],
            0: d["level_0"],
            1: d["level_plus1"],
            2: d["level_plus2"],
        }


class ReadingForm(forms.Form):
    person = forms.ModelChoiceField(queryset=Person.objects.none(), label=_("Family member"))
    instrument = forms.ChoiceField(label=_("Measure"), choices=Instrument.choices)
    occasion = forms.ChoiceField(label=_("When"), choices=Occasion.choices)
    taken_on = forms.DateField(label=_("Taken on"), widget=DATE_WIDGET)
    total = forms.IntegerField(
        label=_("WEMWBS total (14-70), or SWEMWBS raw total of the 7 items (7-35)"),
        required=False,
        min_value=7,
        max_value=70,
    )
    sdq_informant = forms.ChoiceField(
        label=_("SDQ completed by"),
        choices=[("", "---------"), *SdqInformant.choices],
        required=False,
    )
    sdq_version = forms.ChoiceField(
        label=_("SDQ version"), choices=[("", "---------"), *SdqVersion.choices], required=False
    )
    sdq_emotional = forms.IntegerField(
        label=_("SDQ emotional symptoms (0-10)"), required=False, min_value=0, max_value=10
    )
    sdq_conduct = forms.IntegerField(
        label=_("SDQ conduct problems (0-10)"), required=False, min_value=0, max_value=10
    )
    sdq_hyperactivity = forms.IntegerField(
        label=_("SDQ hyperactivity (0-10)"), required=False, min_value=0, max_value=10
    )
    sdq_peer = forms.IntegerField(
        label=_("SDQ peer problems (0-10)"), required=False, min_value=0, max_value=10
    )
    sdq_prosocial = forms.IntegerField(
        label=_("SDQ prosocial (0-10)"), required=False, min_value=0, max_value=10
    )

    def __init__(self, *args, case, **kwargs) -> None:
        kwargs.setdefault("initial", {"taken_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.filter(
            family_id=case.family_id, kind__in=[MemberKind.ADULT, MemberKind.CHILD]
        )
        self.fields["person"].label_from_instance = lambda p: p.full_name

    def clean(self) -> dict:
        data = super().clean()
        instrument, total = data.get("instrument"), data.get("total")
        if instrument == Instrument.WEMWBS and (total is None or total < 14):
            if "total" not in self.errors:
                self.add_error("total", _("Give the WEMWBS total (14-70)."))
        if instrument == Instrument.SWEMWBS and (total is None or total > 35):
            if "total" not in self.errors:
                self.add_error("total", _("Give the SWEMWBS raw total of the 7 items (7-35)."))
        if instrument == Instrument.SDQ:
            if not data.get("sdq_informant"):
                self.add_error("sdq_informant", _("Say who completed the SDQ."))
            if not data.get("sdq_version"):
                self.add_error("sdq_version", _("Say which version of the SDQ was used."))
            for name in (
                "sdq_emotional",
                "sdq_conduct",
                "sdq_hyperactivity",
                "sdq_peer",
                "sdq_prosocial",
            ):
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, _("Give every SDQ subscale score."))
        return data


class ServiceUseForm(VersionedForm):
    """One person's services before or after the work. "None of these" must be ticked to
    say none were used, so a form sent with nothing ticked is not taken for an answer."""

    services = forms.ModelMultipleChoiceField(
        queryset=ServiceType.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Services used"),
    )
    none_used = forms.BooleanField(label=_("None of these"), required=False)
    recorded_on = forms.DateField(label=_("Recorded on"), widget=DATE_WIDGET)

    def __init__(self, *args, current: ServiceUse | None, **kwargs) -> None:
        if current is None:
            initial = {"version": 0, "recorded_on": timezone.localdate()}
        else:
            chosen = list(current.services.all())
            initial = {
                "version": current.version,
                "recorded_on": current.recorded_on,
                "services": chosen,
                "none_used": not chosen,
            }
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        # The types in use, and any retired type this record already holds.
        kept = [s.pk for s in current.services.all()] if current else []
        self.fields["services"].queryset = ServiceType.objects.filter(
            Q(active=True) | Q(pk__in=kept)
        )

    def clean(self) -> dict:
        data = super().clean()
        if "services" in self.errors:
            return data
        if data.get("services") and data.get("none_used"):
            self.add_error("none_used", _("Tick the services used, or 'None of these': not both."))
        elif not data.get("services") and not data.get("none_used"):
            self.add_error("services", _("Tick the services used, or 'None of these'."))
        return data
