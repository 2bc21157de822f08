"""The pages that correct or withdraw an entry (cases.amendments), shared by every kind.

Each app's view authorises (get_entry_for_user), builds its kind's form with
correction_fields, and calls correction_page or withdrawal_page with its service. The page
shows the original beside the form, requires a reason, and on a stale save shows what is
saved now and keeps what was typed (the same stale-save rule as every other edit)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from audit.services import record_view
from core.formflow import carry_version, submit_to_service

from .access import get_case_for_user
from .amendments import Amendable, may_correct
from .models import Case

REASON_HELP = gettext_lazy(
    "Required. The original stays in the record, marked amended or withdrawn, with your "
    "name, the time and this reason."
)


class CorrectionMixin(forms.Form):
    """The reason and the version every correction form carries. Mixed in last, so its
    fields come after the entry's own."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=gettext_lazy("Reason for the correction"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text=REASON_HELP,
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Give the reason for the correction."))
        return reason


class WithdrawForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=gettext_lazy("Reason for withdrawing it"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text=REASON_HELP,
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("I confirm this entry was recorded in error and should count nowhere."),
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Give the reason for withdrawing the entry."))
        return reason


def correction_form(form_class: type[forms.Form]) -> type[forms.Form]:
    """The kind's own form with the correction's reason and version added."""
    return type(f"Correct{form_class.__name__}", (form_class, CorrectionMixin), {})


def get_entry_for_user(
    user: User, model: type[Amendable], pk: int, *, author: str, case_path: str = "case"
) -> tuple[Amendable, Case]:
    """The entry (any version) and its case, if this user may correct it: the case is
    visible to them (else 404, as for the case) and they are its author or a manager of the
    team (else 404 too: nobody learns of an entry they may not touch)."""
    entry = model.all_versions.filter(pk=pk).first()
    if entry is None:
        raise Http404
    case_pk = _case_pk(entry, case_path)
    if case_pk is None:
        raise Http404
    case = get_case_for_user(user, case_pk)
    if not may_correct(user, team_id=case.team_id, author_id=getattr(entry, f"{author}_id")):
        raise Http404
    return entry, case


def _case_pk(entry: Amendable, case_path: str) -> int | None:
    obj: Any = entry
    *steps, last = case_path.split("__")
    for step in steps:
        obj = getattr(obj, step, None)
        if obj is None:
            return None
    return getattr(obj, f"{last}_id", None)


def _page(
    request: HttpRequest,
    *,
    case: Case | None,
    back_url: str,
    entry: Amendable,
    form: forms.Form,
    title: str,
    original: list[tuple[str, Any]],
    stale: bool,
    withdraw: bool,
    viewed: tuple[Any, ...],
) -> HttpResponse:
    # The page shows the entry and its family: log the view, as every personal page does.
    record_view(*(viewed or ((case, case.family) if case is not None else ())))
    if stale:
        entry = type(entry).all_versions.get(pk=entry.pk)
        carry_version(form, getattr(entry, "version", 0))
    return render(
        request,
        "cases/entry_correct.html",
        {
            "case": case,
            "back_url": back_url,
            "entry": entry,
            "form": form,
            "title": title,
            "original": original,
            "stale": stale,
            "withdraw": withdraw,
        },
    )


def correction_page(
    request: HttpRequest,
    *,
    case: Case | None,
    entry: Amendable,
    form: forms.Form,
    title: str,
    original: list[tuple[str, Any]],
    call: Callable[[dict[str, Any]], Any],
    done_url: str,
    viewed: tuple[Any, ...] = (),
) -> HttpResponse:
    done, stale = submit_to_service(request, form, call, _("Correction saved."))
    if done:
        return redirect(done_url)
    return _page(
        request,
        case=case,
        back_url=done_url,
        entry=entry,
        form=form,
        title=title,
        original=original,
        stale=stale,
        withdraw=False,
        viewed=viewed,
    )


def withdrawal_page(
    request: HttpRequest,
    *,
    case: Case | None,
    entry: Amendable,
    title: str,
    original: list[tuple[str, Any]],
    call: Callable[[dict[str, Any]], Any],
    done_url: str,
    viewed: tuple[Any, ...] = (),
) -> HttpResponse:
    form = WithdrawForm(request.POST or None, initial={"version": getattr(entry, "version", 0)})
    done, stale = submit_to_service(request, form, call, _("Entry withdrawn."))
    if done:
        return redirect(done_url)
    return _page(
        request,
        case=case,
        back_url=done_url,
        entry=entry,
        form=form,
        title=title,
        original=original,
        stale=stale,
        withdraw=True,
        viewed=viewed,
    )
