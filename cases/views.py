from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from families.models import Person

from .access import get_case_for_user
from .models import Case, StageChange


def my_cases(request: HttpRequest) -> HttpResponse:
    cases = Case.objects.open().worked_by(request.user).with_list_related().order_by("allocated_at")
    return render(request, "cases/my_cases.html", {"cases": cases})


def team_cases(request: HttpRequest) -> HttpResponse:
    qs = Case.objects.visible_to(request.user).with_list_related().order_by("-allocated_at")
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(request, "cases/case_list.html", {"page": page})


def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    members = list(
        Person.objects.filter(family=case.family)
        .select_related("legal_status")
        .prefetch_related("substances")
    )
    history = list(StageChange.objects.filter(case=case).select_related("changed_by"))
    return render(
        request,
        "cases/case_detail.html",
        {"case": case, "members": members, "history": history},
    )
