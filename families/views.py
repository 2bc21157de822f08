from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from audit.services import record_view
from core.formflow import submit_to_service

from . import services
from .forms import ConsentForm
from .models import Consent, Family


def consent(request: HttpRequest, pk: int) -> HttpResponse:
    family = get_object_or_404(Family.objects.visible_to(request.user), pk=pk)
    record_view(family)
    form = ConsentForm(request.POST or None, family=family)
    done, _stale = submit_to_service(
        request,
        form,
        lambda d: services.record_consent(
            person=d["person"],
            user=request.user,
            topic=d["topic"],
            agreed=d["agreed"],
            who_may_be_told=d["who_may_be_told"],
            recorded_on=d["recorded_on"],
            notes=d["notes"],
        ),
        _("Consent recorded."),
    )
    if done:
        return redirect("families:consent", pk=family.pk)
    consents = list(
        Consent.objects.filter(person__family=family).select_related("person", "recorded_by")
    )
    return render(
        request,
        "families/consent.html",
        {"family": family, "form": form, "consents": consents},
    )
