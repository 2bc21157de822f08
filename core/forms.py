"""Form pieces every app's forms share."""

from __future__ import annotations

from django import forms

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class VersionedForm(forms.Form):
    """Carries the record's version so a stale edit is caught, not silently saved."""

    version = forms.IntegerField(widget=forms.HiddenInput)
