"""The POST half of every form page that calls one service: validate, call, report."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest

from .errors import ServiceError, StaleEdit


def submit_to_service(
    request: HttpRequest, form: forms.Form, call: Callable[[dict[str, Any]], Any], success: str
) -> tuple[Any, bool]:
    """Returns (result, stale). On a refused rule the form carries the message and keeps
    everything typed; on a stale edit the caller shows what changed."""
    if request.method != "POST" or not form.is_valid():
        return None, False
    try:
        result = call(form.cleaned_data)
    except StaleEdit as exc:
        form.add_error(None, str(exc))
        return None, True
    except ServiceError as exc:
        form.add_error(None, str(exc))
        return None, False
    messages.success(request, success)
    return result, False


def carry_version(form: forms.Form, version: int) -> None:
    """After a stale edit has been shown, the form carries the record's current version,
    so saving again is a deliberate overwrite of what the user has now seen."""
    form.data = form.data.copy()
    form.data["version"] = version
