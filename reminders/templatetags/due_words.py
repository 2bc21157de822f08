"""A stored deadline title (kept in English) shown in the reader's language."""

from django import template

from reminders.deadlines import title_in_language

register = template.Library()


@register.filter
def in_language(title: str) -> str:
    return title_in_language(title)
