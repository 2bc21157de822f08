from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Team


class UploadForm(forms.Form):
    team = forms.ModelChoiceField(queryset=Team.objects.none(), label=_("Team"))
    file = forms.FileField(
        label=_("Spreadsheet (.csv or .xlsx)"),
        help_text=_("One row per referral, in the template's columns. Nothing is written yet."),
    )

    def __init__(self, *args, teams=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        ids = [t.pk for t in teams or []]
        team = self.fields["team"]
        assert isinstance(team, forms.ModelChoiceField)
        team.queryset = Team.objects.filter(pk__in=ids).order_by("name")
        if len(ids) == 1:
            self.fields["team"].initial = ids[0]
