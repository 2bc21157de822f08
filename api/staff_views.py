"""The system administrators' page for partner clients: create a client, issue a token
(shown once), revoke it, and read the client's recent calls. Anyone else: 404."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.formflow import carry_version, submit_to_service

from . import services
from .forms import ClientForm
from .models import ApiClient, ApiToken

RECENT_CALLS = 50


def _admin_only(request: HttpRequest) -> None:
    if not request.user.is_superuser:
        raise Http404


def get_client_for_admin(request: HttpRequest, pk: int) -> ApiClient:
    _admin_only(request)
    return get_object_or_404(ApiClient, pk=pk)


def client_list(request: HttpRequest) -> HttpResponse:
    _admin_only(request)
    clients = ApiClient.objects.prefetch_related("teams", "tokens")
    return render(request, "api/client_list.html", {"clients": clients})


def client_new(request: HttpRequest) -> HttpResponse:
    _admin_only(request)
    form = ClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        client = services.create_client(
            name=d["name"],
            teams=list(d["teams"]),
            can_read_figures=d["can_read_figures"],
            can_submit_referrals=d["can_submit_referrals"],
            requests_per_minute=d["requests_per_minute"],
            by=request.user,
        )
        messages.success(request, _("Client created. Issue it a token below."))
        return redirect("api:client", pk=client.pk)
    return render(request, "api/client_form.html", {"form": form})


def client_detail(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_client_for_admin(request, pk)
    initial = {
        "teams": list(client.teams.all()),
        "can_read_figures": client.can_read_figures,
        "can_submit_referrals": client.can_submit_referrals,
        "requests_per_minute": client.requests_per_minute,
    }
    initial["version"] = client.version
    form = ClientForm(request.POST or None, initial=initial, editing=client)

    def save(d: dict) -> ApiClient:
        return services.update_client(
            client_id=client.pk,
            version=d["version"],
            teams=list(d["teams"]),
            can_read_figures=d["can_read_figures"],
            can_submit_referrals=d["can_submit_referrals"],
            requests_per_minute=d["requests_per_minute"],
        )

    saved, stale = submit_to_service(request, form, save, _("Client saved."))
    if saved is not None:
        return redirect("api:client", pk=client.pk)
    if stale:
        client.refresh_from_db()
        carry_version(form, client.version)
    context = {
        "client": client,
        "client_teams": client.teams.order_by("name"),
        "stale": stale,
        "form": form,
        "tokens": client.tokens.select_related("issued_by", "revoked_by"),
        "calls": client.calls.all()[:RECENT_CALLS],
    }
    return render(request, "api/client_detail.html", context)


@require_POST
def token_issue(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_client_for_admin(request, pk)
    token, key = services.issue_token(client=client, by=request.user)
    # The key is shown on this one answer (sent with no-store) and kept nowhere: only its
    # digest is stored.
    return render(request, "api/token_issued.html", {"client": client, "token": token, "key": key})


@require_POST
def token_revoke(request: HttpRequest, pk: int, token_id: int) -> HttpResponse:
    client = get_client_for_admin(request, pk)
    token = get_object_or_404(ApiToken, pk=token_id, client=client)
    services.revoke_token(token_id=token.pk, by=request.user)
    messages.success(request, _("Token revoked: calls with it now fail."))
    return redirect("api:client", pk=client.pk)
