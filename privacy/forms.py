from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DATE_WIDGET


class PersonSearchForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    date_of_birth = forms.DateField(label=_("Date of birth"), required=False, widget=DATE_WIDGET)
