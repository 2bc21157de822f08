"""The pages that correct or withdraw an entry (cases.amendments), shared by every kind.

Each app declares its kind once (AmendableKind: its model, form, services, what the
original shows) and takes the two views from it. A view authorises (get_entry_for_user,
else 404), builds the kind's form with the reason and version added, and calls the
service. The page shows the original beside the form, requires a reason, and on a stale
save shows what is saved now and keeps what was typed (the same stale-save rule as every
other edit)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from audit.services import record_view
from core.formflow import carry_version, submit_to_service
from core.http import AuthenticatedHttpRequest

from .access import get_case_for_user
from .amendments import Amendable, AmendableT, may_correct
from .models import Case

StrOrPromise = str | Promise

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
    user: User, model: type[AmendableT], pk: int, *, author: str, case_path: str = "case"
) -> tuple[AmendableT, Case]:
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


def _case_page(entry: Any, case: Case | None) -> str:
    assert case is not None  # an entry of a case: its lookup returned the case
    return reverse("cases:detail", args=[case.pk])


def _no_views(entry: Any) -> tuple[Any, ...]:
    return ()


def _case_form(entry: Any, case: Case | None) -> dict[str, Any]:
    return {"case": case}


@dataclass(frozen=True)
class AmendableKind:
    """One kind of entry's correct and withdraw pages, declared once by its app.

    `name` is the kind's word in its URL and services: the page's URL carries `<name>_pk`
    and the services take `<name>_id`, `user`, `reason` and `version`. `correct_data` gives
    the correction service's further keywords from the valid form. By default an entry is
    found by get_entry_for_user (its `author` or a manager of its case's team, else 404)
    and the page returns to its case; `lookup`, `done_url` and `viewed` say otherwise."""

    name: str
    model: type[Amendable]
    form_class: type[forms.Form]
    initial: Callable[[Any], dict[str, Any]]
    original: Callable[[Any], list[tuple[str, Any]]]
    correct: Callable[..., Any]
    correct_data: Callable[[dict[str, Any], Any, Any], dict[str, Any]]
    withdraw: Callable[..., Any]
    correct_title: StrOrPromise
    withdraw_title: StrOrPromise
    author: str = "recorded_by"
    lookup: Callable[[AuthenticatedHttpRequest, int], tuple[Any, Case | None]] | None = None
    form_kwargs: Callable[[Any, Case | None], dict[str, Any]] = _case_form
    done_url: Callable[[Any, Case | None], str] = _case_page
    viewed: Callable[[Any], tuple[Any, ...]] = _no_views

    def entry(self, request: AuthenticatedHttpRequest, pk: int) -> tuple[Any, Case | None]:
        if self.lookup is not None:
            return self.lookup(request, pk)
        return get_entry_for_user(request.user, self.model, pk, author=self.author)

    def _service(
        self, service: Callable[..., Any], request: AuthenticatedHttpRequest, entry: Any
    ) -> Any:
        def call(d: dict[str, Any], **more: Any) -> Any:
            return service(
                **{f"{self.name}_id": entry.pk},
                user=request.user,
                reason=d["reason"],
                version=d["version"],
                **more,
            )

        return call

    def correct_page(self, request: AuthenticatedHttpRequest, **kwargs: int) -> HttpResponse:
        entry, case = self.entry(request, kwargs[f"{self.name}_pk"])
        initial = {"version": entry.version, **self.initial(entry)}
        form: Any = correction_form(self.form_class)(
            request.POST or None, initial=initial, **self.form_kwargs(entry, case)
        )
        call = self._service(self.correct, request, entry)
        return self._submit(
            request,
            entry,
            case,
            form,
            lambda d: call(d, **self.correct_data(d, form, entry)),
            _("Correction saved."),
            withdraw=False,
        )

    def withdraw_page(self, request: AuthenticatedHttpRequest, **kwargs: int) -> HttpResponse:
        entry, case = self.entry(request, kwargs[f"{self.name}_pk"])
        form = WithdrawForm(request.POST or None, initial={"version": entry.version})
        call = self._service(self.withdraw, request, entry)
        return self._submit(request, entry, case, form, call, _("Entry withdrawn."), withdraw=True)

    def _submit(
        self,
        request: AuthenticatedHttpRequest,
        entry: Any,
        case: Case | None,
        form: forms.Form,
        call: Callable[[dict[str, Any]], Any],
        success: str,
        *,
        withdraw: bool,
    ) -> HttpResponse:
        done_url = self.done_url(entry, case)
        done, stale = submit_to_service(request, form, call, success)
        if done:
            return redirect(done_url)
        return _page(
            request,
            case=case,
            back_url=done_url,
            entry=entry,
            form=form,
            title=str(self.withdraw_title if withdraw else self.correct_title),
            original=self.original(entry),
            stale=stale,
            withdraw=withdraw,
            viewed=self.viewed(entry),
        )

    def views(self) -> tuple[Callable[..., HttpResponse], Callable[..., HttpResponse]]:
        """The correct and withdraw views, for the app's urls.py."""
        return self.correct_page, self.withdraw_page
