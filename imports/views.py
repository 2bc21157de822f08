"""The import pages: upload (the dry run), the run's report with its confirm button and
progress, and the blank template. A manager's own teams only; anything else is 404."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import permissions
from accounts.models import Team
from accounts.paging import EndwisePaginator
from core.errors import ServiceError

from . import columns, services
from .forms import UploadForm
from .models import ImportRun


def _manager_teams(user) -> list[Team]:
    teams = list(Team.objects.filter(pk__in=permissions.manager_team_ids(user)).order_by("name"))
    if not teams:
        raise Http404
    return teams


def get_run_for_user(user, pk: int, *, with_report: bool = False) -> ImportRun:
    # The checked rows (and, unless shown, the report) of a 10,000-row file are megabytes
    # of JSON: the progress poll every two seconds reads neither.
    deferred = ["rows"] if with_report else ["rows", "report"]
    run = (
        ImportRun.objects.filter(pk=pk, team_id__in=permissions.manager_team_ids(user))
        .select_related("team", "uploaded_by", "confirmed_by")
        .defer(*deferred)
        .first()
    )
    if run is None:
        raise Http404
    return run


def upload(request: HttpRequest) -> HttpResponse:
    teams = _manager_teams(request.user)
    form = UploadForm(request.POST or None, request.FILES or None, teams=teams)
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        try:
            run = services.check_import(
                team=form.cleaned_data["team"],
                user=request.user,
                file_name=upload_file.name,
                content=upload_file.read(),
            )
        except ServiceError as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("imports:run", run.pk)
    runs = (
        ImportRun.objects.filter(team__in=teams)
        .select_related("team", "uploaded_by")
        .defer("rows", "report")[:20]
    )
    return render(
        request,
        "imports/upload.html",
        {"form": form, "runs": runs, "columns": columns.COLUMNS},
    )


def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    polled = bool(request.headers.get("HX-Request"))
    run = get_run_for_user(request.user, pk, with_report=not polled)
    if polled:
        return render(request, "imports/_progress.html", {"run": run})
    rows = EndwisePaginator(run.report, 200).get_page(request.GET.get("page"))
    return render(request, "imports/run.html", {"run": run, "rows": rows})


@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_run_for_user(request.user, pk)
    try:
        services.confirm_import(run_id=run.pk, user=request.user)
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Confirmed: the import runs in the background."))
    return redirect("imports:run", run.pk)


def template(request: HttpRequest, kind: str) -> HttpResponse:
    _manager_teams(request.user)
    if kind == "csv":
        response = HttpResponse(columns.blank_csv(), content_type="text/csv; charset=utf-8")
    elif kind == "xlsx":
        response = HttpResponse(
            columns.blank_xlsx(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="ifss-import-template.{kind}"'
    return response
