"""The data return for commissioners: one quarter's throughput figures per team and per
local authority, in one CSV or XLSX shaped like the evaluation's throughput table, with
small counts suppressed as on board outputs (reporting.card)."""

from __future__ import annotations

import csv
import io

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook

from accounts.models import LocalAuthority, User
from reporting import store
from reporting.access import board_teams
from reporting.card import _throughput_shown, board_suppression
from reporting.exports import neutralise
from reporting.periods import Period, previous_quarter, quarter_containing
from reporting.queries import la_scope, team_scope

from .figures import parse_quarter, quarter_key

COLUMNS = (
    ("referrals", "Referrals"),
    ("inappropriate", "Inappropriate"),
    ("assessed", "Progressing to assessment"),
    ("assessed_re", "of which re-referrals"),
    ("accepted", "Accepted to Phase 1"),
    ("completed_phase1", "Completed Phase 1"),
    ("completed_phase2", "Completed Phase 2"),
)


class QuarterForm(forms.Form):
    quarter = forms.RegexField(
        regex=r"^\d{4}Q[1-4]$",
        label=_("Quarter"),
        help_text=_("Financial quarter: 2026Q1 is April to June 2026."),
        error_messages={"invalid": _("Give a quarter as 2026Q1 (April to June 2026).")},
    )

    def clean_quarter(self) -> Period:
        period = parse_quarter(self.cleaned_data["quarter"])
        if period is None:
            raise forms.ValidationError(_("Give a quarter between 2000 and 2100."))
        return period


def last_quarter() -> Period:
    return previous_quarter(quarter_containing(timezone.localdate()))


def return_rows(user: User, period: Period) -> list[list[object]]:
    """The table: a header, then a row per team the user may report on, then a row per team
    within each local authority those teams serve (only the user's teams)."""
    suppress = board_suppression()
    teams = board_teams(user)
    names = {t.name for t in teams}
    label = quarter_key(period.start)
    header = ["Quarter", "Level", "Area", "Team"]
    for key, title in COLUMNS:
        header += [title] if key == "referrals" else [title, f"{title} %"]
    rows: list[list[object]] = [header]

    def add(level: str, area: str, throughput: list[dict]) -> None:
        for shown in _throughput_shown(throughput, suppress):
            if shown["team"] not in names:
                continue
            row: list[object] = [label, level, area, shown["team"]]
            for key, _title in COLUMNS:
                cell = shown["cells"][key]
                row += [cell["n"]] if key == "referrals" else [cell["n"], cell["pct"]]
            rows.append(row)

    las = list(LocalAuthority.objects.filter(teams__in=teams).distinct().order_by("name"))
    # Every team's and authority's stored figures in one query (issue 15: one per area).
    scopes = [team_scope(team) for team in teams] + [la_scope(la) for la in las]
    figures = store.gather_each(scopes, period, "events")
    for team, data in zip(teams, figures[: len(teams)], strict=True):
        add("Team", team.name, data["throughput"])
    for la, data in zip(las, figures[len(teams) :], strict=True):
        add("Local authority", la.name, data["throughput"])
    return [[neutralise(c) for c in row] for row in rows]


def _csv(rows: list[list[object]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Data return"
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def data_return(request: HttpRequest) -> HttpResponse:
    """The page: choose a quarter, download the return. Managers, performance officers and
    board members (of their teams), and system administrators; anyone else 404."""
    if not board_teams(request.user):
        raise Http404
    initial = {"quarter": quarter_key(last_quarter().start)}
    form = QuarterForm(request.GET or initial)
    form.is_valid()
    return render(
        request,
        "api/data_return.html",
        {"form": form, "suppress_below": board_suppression()},
    )


def download(request: HttpRequest, fmt: str) -> HttpResponse:
    if not board_teams(request.user) or fmt not in ("csv", "xlsx"):
        raise Http404
    form = QuarterForm(request.GET or {"quarter": quarter_key(last_quarter().start)})
    if not form.is_valid():
        return render(
            request,
            "api/data_return.html",
            {"form": form, "suppress_below": board_suppression()},
            status=400,
        )
    period = form.cleaned_data["quarter"]
    rows = return_rows(request.user, period)
    name = f"data-return-{quarter_key(period.start)}"
    if fmt == "csv":
        response = HttpResponse(_csv(rows), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            _xlsx(rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response
