from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token

from . import signals, twofactor

# Set in the session once this user has given a valid enrolment code (setup may go on).
ENROLMENT_KEY = "two_factor_enrolment"


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class EnrolmentForm(forms.Form):
    enrolment_code = forms.CharField(
        label=gettext_lazy("Enrolment code"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


def _second_factor_passed(request: HttpRequest, device) -> None:
    """Mark this sign-in as verified, under a new session key (whatever was known of the
    session before the second factor is of no use after it)."""
    otp_login(request, device)
    request.session.cycle_key()
    signals.second_factor_passed.send(
        sender=TokenForm, request=request, user=request.user, device=device
    )


def _enrolment(request: HttpRequest) -> HttpResponse:
    """Before any secret is shown: the one-time enrolment code from an administrator, or
    one sent to the user's recorded email address. A password alone is not enough."""
    user = request.user
    form = EnrolmentForm(None)
    if request.method == "POST" and "send_code" in request.POST:
        if twofactor.email_enrolment_code(user=user):
            signals.enrolment_code_issued.send(
                sender=EnrolmentForm, request=request, user=user, issued_by=None, emailed=True
            )
            messages.success(request, _("We have emailed a code to your recorded address."))
        elif user.email:
            messages.info(request, _("A code was sent less than a minute ago: check your email."))
        return redirect("two_factor_setup")
    if request.method == "POST":
        form = EnrolmentForm(request.POST)
        if form.is_valid():
            code = form.cleaned_data["enrolment_code"]
            if twofactor.redeem_enrolment_code(user=user, code=code):
                request.session[ENROLMENT_KEY] = user.pk
                return redirect("two_factor_setup")
            signals.enrolment_code_failed.send(sender=EnrolmentForm, request=request, user=user)
            form.add_error(
                "enrolment_code",
                _("That enrolment code is not right, has been used or has expired."),
            )
    return render(
        request,
        "accounts/two_factor_enrol.html",
        {
            "form": form,
            "has_email": bool(user.email),
            "required": twofactor.two_factor_required(user),
        },
    )


def setup(request: HttpRequest) -> HttpResponse:
    """Give the enrolment code, then scan the QR code, type the first code, get recovery
    codes once."""
    user = request.user
    if twofactor.has_confirmed_device(user) and not user.is_verified():
        return redirect("two_factor_verify")
    if request.session.get(ENROLMENT_KEY) != user.pk and not user.is_verified():
        return _enrolment(request)
    device = twofactor.pending_device(user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = twofactor.confirm_device(device=device, token=form.cleaned_data["token"])
        if codes is None:
            form.add_error("token", _("That code is not right. Check the clock on your phone."))
        else:
            request.session.pop("two_factor_exempt", None)
            request.session.pop(ENROLMENT_KEY, None)
            _second_factor_passed(request, device)
            return render(request, "accounts/two_factor_codes.html", {"codes": codes})
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr": twofactor.qr_data_uri(device),
            "secret": twofactor.secret_for_typing(device),
            "required": twofactor.two_factor_required(user),
        },
    )


def verify(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"].strip().replace(" ", ""))
        if device is None:
            signals.second_factor_failed.send(sender=TokenForm, request=request, user=request.user)
            form.add_error("token", _("That code is not right."))
        else:
            _second_factor_passed(request, device)
            target = request.GET.get("next", "")
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = "/"
            return redirect(target)
    return render(request, "accounts/two_factor_verify.html", {"form": form})


def manage(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/two_factor_manage.html",
        {
            "enabled": twofactor.has_confirmed_device(request.user),
            "required": twofactor.two_factor_required(request.user),
        },
    )


@require_POST
def new_codes(request: HttpRequest) -> HttpResponse:
    if not request.user.is_verified():
        return redirect("two_factor_verify")
    codes = twofactor.new_recovery_codes(user=request.user)
    return render(request, "accounts/two_factor_codes.html", {"codes": codes})


@require_POST
def disable(request: HttpRequest) -> HttpResponse:
    if twofactor.has_confirmed_device(request.user) and not request.user.is_verified():
        # Turning it off needs the second factor, not only the password.
        return redirect("two_factor_verify")
    if twofactor.two_factor_required(request.user):
        messages.error(request, _("Your role requires two-factor sign-in."))
    else:
        twofactor.remove_devices(user=request.user)
        messages.success(request, _("Two-factor sign-in is off."))
    return redirect("two_factor_manage")


@require_POST
def keepalive(request: HttpRequest) -> HttpResponse:
    """The idle-timeout warning's "stay signed in": any request renews the session."""
    return HttpResponse(status=204)


def _storable(path: str, fields: dict[str, list[str]]) -> bool:
    """Text PostgreSQL can keep: no NUL characters, no lone surrogates."""
    texts = [path, *fields, *(v for values in fields.values() for v in values)]
    try:
        for text in texts:
            text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return not any("\x00" in text for text in texts)


@require_POST
def autosave(request: HttpRequest) -> HttpResponse:
    """Keep what is typed in a form page on the server (JSON: {path, fields})."""
    import json

    from .models import FormDraft

    try:
        payload = json.loads(request.body.decode() or "{}")
        path = str(payload["path"])[:300]
        fields = {
            str(k)[:100]: [str(v)[:20000] for v in (vs if isinstance(vs, list) else [vs])][:50]
            for k, vs in dict(payload["fields"]).items()
            if k != "csrfmiddlewaretoken"
        }
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
        return HttpResponse(status=400)
    if not path.startswith("/") or len(fields) > 300 or not _storable(path, fields):
        return HttpResponse(status=400)
    if not fields:
        # Nothing typed to keep (the page's form was just sent, say): an empty draft would
        # offer to "restore" a form that was already submitted when the user goes back.
        FormDraft.objects.filter(user=request.user, path=path).delete()
        return HttpResponse(status=204)
    FormDraft.objects.update_or_create(user=request.user, path=path, defaults={"data": fields})
    return HttpResponse(status=204)
