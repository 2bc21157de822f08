from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Team
from core.forms import VersionedForm

from .models import ApiClient


class ClientForm(VersionedForm):
    """A new client, or a client's teams and scopes (with its version: a stale save is
    refused, api.services.update_client)."""

    name = forms.CharField(label=_("Name of the partner system"), max_length=120)
    teams = forms.ModelMultipleChoiceField(
        queryset=Team.objects.all(), widget=forms.CheckboxSelectMultiple, label=_("Teams")
    )
    can_read_figures = forms.BooleanField(label=_("May read published figures"), required=False)
    can_submit_referrals = forms.BooleanField(label=_("May submit referrals"), required=False)
    requests_per_minute = forms.IntegerField(
        label=_("Requests per minute"), min_value=1, max_value=10000, initial=120
    )

    def __init__(self, *args, editing: ApiClient | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.editing = editing
        if editing is None:
            del self.fields["version"]
        else:
            del self.fields["name"]

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if ApiClient.objects.filter(name__iexact=name).exists():
            raise forms.ValidationError(_("A client of this name exists already."))
        return name

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        if not (data.get("can_read_figures") or data.get("can_submit_referrals")):
            raise forms.ValidationError(_("Give the client at least one scope."))
        return data
