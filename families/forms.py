from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import DATE_WIDGET

from .models import ConsentTopic, Person


class ConsentForm(forms.Form):
    person = forms.ModelChoiceField(queryset=Person.objects.none(), label=_("Family member"))
    topic = forms.ChoiceField(label=_("About"), choices=ConsentTopic.choices)
    agreed = forms.TypedChoiceField(
        label=_("Agreed?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    who_may_be_told = forms.CharField(label=_("Who may be told"), required=False, max_length=300)
    recorded_on = forms.DateField(label=_("Recorded on"), widget=DATE_WIDGET)
    notes = forms.CharField(label=_("Notes"), required=False, max_length=500)

    def __init__(self, *args, family, **kwargs) -> None:
        kwargs.setdefault("initial", {"recorded_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        person = self.fields["person"]
        assert isinstance(person, forms.ModelChoiceField)
        person.queryset = Person.objects.filter(family=family)
        # A per-form label, as Django documents; mypy sees a method replaced.
        person.label_from_instance = lambda p: p.full_name  # type: ignore[method-assign, assignment]
