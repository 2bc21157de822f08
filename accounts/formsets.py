"""The cap every formset of the project has: a form count is typed by the client, and a
formset builds and validates one form per count, so an uncapped count is a way to keep a
server worker busy for minutes (issue 13: members-TOTAL_FORMS=1000 ran past 60 s)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

# Household members on a referral: the form's "add a member" stops at this many too.
HOUSEHOLD_LIMIT = 20
# Rows of one inline in the admin (a family's people, a goal's scores, a case's stages).
ADMIN_INLINE_LIMIT = 50


class BoundedInline(admin.TabularInline):
    """An admin inline whose form count is capped: a larger TOTAL_FORMS is refused with
    Django's "Please submit at most N forms" before more than N forms are built."""

    max_num = ADMIN_INLINE_LIMIT

    def get_formset(self, request: Any, obj: Any = None, **kwargs: Any) -> Any:
        kwargs.setdefault("absolute_max", ADMIN_INLINE_LIMIT)
        return super().get_formset(request, obj, **kwargs)
