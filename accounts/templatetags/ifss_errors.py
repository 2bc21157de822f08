"""The error summary shown at the top of a page whose form was refused (GOV.UK pattern).

``{% error_summary %}`` (in base.html) finds every bound form and formset in the page's
context that has errors and lists them, each linked to its field; app.js moves focus to
the summary. ``{% error_title %}`` puts "Error: " before the page title then. Every form
page gets both without its own template saying anything."""

from __future__ import annotations

from django import forms, template
from django.template.context import Context
from django.utils.translation import gettext as _

register = template.Library()


def _bound_forms(context: Context) -> list[forms.BaseForm | forms.BaseFormSet]:
    seen: set[int] = set()
    found: list = []
    for value in context.flatten().values():
        if id(value) in seen:
            continue
        seen.add(id(value))
        if isinstance(value, forms.BaseForm | forms.BaseFormSet) and value.is_bound:
            found.append(value)
    return found


def _errors(context: Context) -> list[tuple[str, str]]:
    """(anchor, message) for each error, in the order of the page's forms and fields.
    Only a submission (POST) is summarised; filter forms on a GET show their own errors."""
    items: list[tuple[str, str]] = []
    request = context.get("request")
    if request is None or request.method != "POST":
        return items
    for value in _bound_forms(context):
        if isinstance(value, forms.BaseFormSet):
            items += [("", str(e)) for e in value.non_form_errors()]
            members = value.forms
        else:
            members = [value]
        for form in members:
            if not form.errors:
                continue
            for message in form.non_field_errors():
                items.append(("", str(message)))
            for name, field in form.fields.items():
                if name not in form.errors:
                    continue
                bound = form[name]
                # A radio group's label points nowhere: link to its first button.
                anchor = bound.id_for_label or (f"{bound.auto_id}_0" if bound.auto_id else "")
                label = str(field.label or name.replace("_", " ").capitalize())
                for message in form.errors[name]:
                    items.append((anchor, f"{label}: {message}"))
    return items


@register.inclusion_tag("includes/_error_summary.html", takes_context=True)
def error_summary(context: Context) -> dict:
    return {"errors": _errors(context)}


@register.simple_tag(takes_context=True)
def error_title(context: Context) -> str:
    return _("Error: ") if _errors(context) else ""
