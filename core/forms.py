"""Form pieces every app's forms share."""

from __future__ import annotations

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class CheckboxList(forms.SelectMultiple):
    """A checkbox per choice, in a fieldset whose legend is the field's label, written out
    in Python: crispy-forms' template loop costs about a third of a millisecond a choice
    (a team of 72 staff: 20 ms of the restriction page at national scale)."""

    use_fieldset = True

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        base = final.get("id") or f"id_{name}"
        invalid = " is-invalid" if "is-invalid" in final.get("class", "") else ""
        chosen = set(self.format_value(value))
        boxes = format_html_join(
            "",
            '<div class="form-check"><input type="checkbox" class="form-check-input{}" '
            'name="{}" value="{}" id="{}_{}"{}><label class="form-check-label" for="{}_{}">'
            "{}</label></div>",
            (
                (invalid, name, key, base, i, mark_safe(" checked") if key in chosen else "")
                + (base, i, label)
                for i, (key, label) in enumerate((str(k), v) for k, v in self.choices)
            ),
        )
        # .is-invalid on the group shows the field's errors after it (Bootstrap shows an
        # .invalid-feedback that follows an .is-invalid).
        group = mark_safe(' class="is-invalid"') if invalid else ""
        return format_html('<div id="{}"{}>{}</div>', base, group, boxes)

    def id_for_label(self, id_, index=None):
        return ""  # the fieldset's legend names the group; each box has its own label

    def value_omitted_from_data(self, data, files, name):
        return False  # no box ticked sends nothing: an empty choice, not an omitted one


class VersionedForm(forms.Form):
    """Carries the record's version so a stale edit is caught, not silently saved."""

    version = forms.IntegerField(widget=forms.HiddenInput)
