from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import permissions
from accounts.models import Team
from core.errors import ServiceError
from core.formflow import carry_version, submit_to_service

from . import exports, measures, periods, publishing, services, store, story
from .access import board_teams, report_teams, scope_choices, scope_for
from .card import board_suppression, build_card
from .forms import AgendaForm, AsAtForm, CardForm, NarrativeForm, RevisionForm, TargetForm
from .models import (
    BuildStatus,
    Measure,
    MeasureTarget,
    Narrative,
    PublishedCard,
    ReportBuild,
    TargetChange,
    TeamAgenda,
)

PRINT_LANGUAGES = {code for code, _name in settings.LANGUAGES}


def _chosen(request: HttpRequest):
    """The scope, period and basis asked for, defaulting to the last complete quarter."""
    scopes = scope_choices(request.user)
    if not scopes:
        raise Http404
    last = periods.previous_quarter(periods.quarter_containing(timezone.localdate()))
    fy = int(last.label.split()[1][:4])
    defaults = {
        "scope": scopes[0][0],
        "period_kind": "quarter",
        "year": fy,
        "quarter": int(last.label[1]),
        "basis": "events",
    }
    asked = request.GET.get("scope")
    if asked and asked not in dict(scopes):
        raise Http404  # another team's figures: as if the scope did not exist
    form = CardForm({**defaults, **request.GET.dict()}, scopes=scopes)
    if not form.is_valid():
        return form, None, None, None
    d = form.cleaned_data
    return form, scope_for(request.user, d["scope"], scopes), d["period"], d["basis"]


def report_card(request: HttpRequest) -> HttpResponse:
    """The card from stored figures (a few queries whatever the data); when they are missing
    or old a worker computes them and the page polls until they are there."""
    form, scope, period, basis = _chosen(request)
    card, computing, failed = None, False, False
    if scope:
        sets = store.ready(scope, period, basis)
        if sets is None:
            failed = not services.request_figures(scope, period, basis)
            sets = store.ready(scope, period, basis)  # at once when tasks run in-process
        if sets is not None:
            others = store.comparison(scope, period, basis)
            if others is None and scope.kind != "all":
                # Asked of a worker (once at a time); the card says they are coming.
                services.request_figures(store.ALL_TEAMS, period, basis)
                others = store.comparison(scope, period, basis)
            card = build_card(scope, period, basis=basis, sets=sets, comparison=others)
            failed = False
        else:
            computing = not failed
    context = {
        "form": form,
        "card": card,
        "computing": computing,
        "failed": failed,
        "query": request.GET.urlencode(),
        "can_write": card is not None and _may_write_narrative(request, scope),
        "can_publish": card is not None and publishing.may_publish(request.user, scope),
        "published": publishing.latest(scope, period, basis) if card is not None else None,
    }
    if request.headers.get("HX-Request"):
        return render(request, "reporting/_card_area.html", context)
    return render(request, "reporting/report_card.html", context)


@require_POST
def recompute(request: HttpRequest) -> HttpResponse:
    form, scope, period, basis = _chosen(request)
    if scope is None:
        raise Http404
    services.recompute_figures(scope, period, basis)
    messages.success(request, _("The figures are being computed again."))
    return redirect(f"{reverse('reporting:card')}?{request.GET.urlencode()}")


def _may_write_narrative(request: HttpRequest, scope) -> bool:
    """A team's managers and performance officers write its story (and the administrator
    any scope's)."""
    if request.user.is_superuser:
        return True
    return scope.kind == "team" and permissions.may_report_on(request.user, scope.team_id)


def export(request: HttpRequest, fmt: str) -> HttpResponse:
    form, scope, period, basis = _chosen(request)
    if scope is None:
        raise Http404
    # The figures the card page shows (stored, if still good), so the two agree.
    card = build_card(scope, period, basis=basis, with_trends=False, fresh=False)
    name = f"report-card-{scope.key}-{period.start:%Y%m%d}-{period.end:%Y%m%d}"
    response = _download(card, fmt)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _download(card: dict, fmt: str) -> HttpResponse:
    """The card's figures as CSV or XLSX (the caller names the attachment)."""
    if fmt == "csv":
        return HttpResponse(exports.to_csv(card), content_type="text/csv; charset=utf-8")
    if fmt == "xlsx":
        return HttpResponse(
            exports.to_xlsx(card),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    raise Http404


def published_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """A published card's figures as CSV or XLSX: frozen as published, and for a board
    member with small counts hidden exactly as the card shows them."""
    published = get_object_or_404(publishing.visible_to(request.user), pk=pk)
    board_only = not publishing.sees_live_figures(request.user, published.team_id)
    card = publishing.card_of(published, board_suppression() if board_only else None)
    name = (
        f"report-card-{published.scope_key}-{published.period_start:%Y%m%d}-"
        f"{published.period_end:%Y%m%d}-revision-{published.revision}"
    )
    response = _download(card, fmt)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@require_POST
def request_pdf(request: HttpRequest) -> HttpResponse:
    form, scope, period, basis = _chosen(request)
    if scope is None:
        raise Http404
    # Printed in the language of the page it was asked from (the switcher), or the one asked
    # for: ?lang=cy or ?lang=en.
    asked = request.POST.get("lang") or request.GET.get("lang")
    language = asked if asked in PRINT_LANGUAGES else get_language()
    build = services.request_build(
        user=request.user, scope=scope, period=period, basis=basis, language=language
    )
    messages.success(request, _("The PDF is being built. This page shows its progress."))
    return redirect("reporting:build", pk=build.pk)


def _build_for_user(request: HttpRequest, pk: int) -> ReportBuild:
    build = get_object_or_404(ReportBuild, pk=pk)
    if request.user.is_superuser or build.requested_by_id == request.user.pk:
        return build
    if build.team_id and build.team_id in [t.pk for t in board_teams(request.user)]:
        # A board member sees the PDFs of published figures only.
        if build.published_id or publishing.sees_live_figures(request.user, build.team_id):
            return build
    raise Http404


def build_status(request: HttpRequest, pk: int) -> HttpResponse:
    build = _build_for_user(request, pk)
    template = (
        "reporting/_build_status.html"
        if request.headers.get("HX-Request")
        else "reporting/build.html"
    )
    return render(request, template, {"build": build})


def build_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    build = _build_for_user(request, pk)
    if build.status != BuildStatus.DONE or not build.pdf:
        raise Http404
    response = HttpResponse(bytes(build.pdf), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="report-card-{build.scope_key}-{build.period_start:%Y%m%d}.pdf"'
    )
    return response


def reports(request: HttpRequest) -> HttpResponse:
    """Board members (and managers) see their teams' report cards, ready to download."""
    teams = board_teams(request.user)
    if not teams:
        raise Http404
    # Board members see the PDFs of published figures; managers and performance officers
    # also see the PDFs they and the quarterly job built from live figures.
    live = [t.pk for t in report_teams(request.user)]
    builds = (
        ReportBuild.objects.filter(team__in=teams, status=BuildStatus.DONE)
        .filter(Q(published__isnull=False) | Q(team__in=live))
        .defer("pdf")
        .select_related("team", "requested_by", "published")
        .order_by("-period_start", "scope_label")[:100]
    )
    as_at = AsAtForm(request.GET or None)
    day = as_at.cleaned_data["as_at"] if as_at.is_valid() else None
    cards = list(publishing.visible_to(request.user).defer("data")[:500])
    if day:
        # Each card as it stood on that day: the revision in force then.
        by_card: dict[tuple, list[PublishedCard]] = {}
        for c in cards:
            by_card.setdefault((c.scope_key, c.period_start, c.period_end, c.basis), []).append(c)
        cards = [r for rows in by_card.values() if (r := publishing.as_at(rows, day))]
    return render(
        request,
        "reporting/reports.html",
        {
            "builds": builds,
            "cards": cards,
            "as_at": as_at,
            "day": day,
            "suppress_below": settings.REPORT_SUPPRESS_BELOW,
        },
    )


@require_POST
def publish(request: HttpRequest) -> HttpResponse:
    """Publish the card's figures as they stand: frozen, and the board told."""
    form, scope, period, basis = _chosen(request)
    if scope is None or not publishing.may_publish(request.user, scope):
        raise Http404
    try:
        card = services.publish_card(user=request.user, scope=scope, period=period, basis=basis)
    except ServiceError as exc:
        messages.error(request, str(exc))
        return redirect(f"{reverse('reporting:card')}?{request.GET.urlencode()}")
    messages.success(request, _("Published. The board sees these figures; they are frozen."))
    return redirect("reporting:published_card", pk=card.pk)


def revision(request: HttpRequest) -> HttpResponse:
    """The published card against the figures computed now: the differences, and a reason
    to publish them as a revision."""
    form_choice, scope, period, basis = _chosen(request)
    if scope is None or not publishing.may_publish(request.user, scope):
        raise Http404
    latest = publishing.latest(scope, period, basis)
    changes: list[dict] = []
    if latest is not None:
        changes = publishing.differences(latest.data, publishing.frozen(scope, period, basis))
    form = RevisionForm(
        request.POST or None, initial={"revision": latest.revision if latest else 0}
    )
    done, stale = submit_to_service(
        request,
        form,
        lambda d: services.publish_revision(
            user=request.user,
            scope=scope,
            period=period,
            basis=basis,
            revision=d["revision"],
            reason=d["reason"],
        ),
        _("The revision is published, with its reason and differences."),
    )
    if done:
        return redirect("reporting:published_card", pk=done.pk)
    if stale and latest:
        # Publishing again is deliberate: against the revision the user now sees.
        form.data = form.data.copy()
        form.data["revision"] = latest.revision
    return render(
        request,
        "reporting/revision.html",
        {
            "form": form,
            "scope": scope,
            "period": period,
            "latest": latest,
            "changes": changes,
            "query": request.GET.urlencode(),
        },
    )


def published_card(request: HttpRequest, pk: int) -> HttpResponse:
    """A published card (one revision), its figures as frozen, with every revision of the
    same card and what each changed."""
    published = get_object_or_404(publishing.visible_to(request.user), pk=pk)
    board_only = not publishing.sees_live_figures(request.user, published.team_id)
    suppress = board_suppression() if board_only else None
    card = publishing.card_of(published, suppress)
    revisions = list(
        PublishedCard.objects.filter(
            scope_key=published.scope_key,
            period_start=published.period_start,
            period_end=published.period_end,
            basis=published.basis,
        )
        .defer("data")
        .select_related("published_by")
        .order_by("revision")
    )
    for r in revisions:
        r.shown_differences = publishing.shown_differences(r.differences, suppress)
    # The PDF of these frozen figures, built when they were published.
    pdf = published.builds.defer("pdf").order_by("-requested_at").first()
    return render(
        request,
        "reporting/published_card.html",
        {"published": published, "card": card, "revisions": revisions, "pdf": pdf},
    )


def narrative(request: HttpRequest) -> HttpResponse:
    """Turn the curve: the story behind one measure's curve (?measure=code), or the card's
    as a whole, for the card's period."""
    form_choice, scope, period, basis = _chosen(request)
    if scope is None or not _may_write_narrative(request, scope):
        raise Http404
    code = request.GET.get("measure", "")
    if code and code not in {d.code for d in measures.CATALOGUE}:
        raise Http404
    existing = Narrative.objects.filter(
        scope_key=scope.key, period_start=period.start, period_end=period.end, measure_code=code
    ).first()
    form = NarrativeForm(
        request.POST or None,
        instance=existing,
        initial={"version": existing.version if existing else 1},
    )
    done, stale = submit_to_service(
        request,
        form,
        lambda d: services.save_narrative(
            user=request.user,
            scope=scope,
            period=period,
            version=d["version"],
            measure_code=code,
            draft=d["draft"],
            story=d["story"],
            partners=d["partners"],
            what_works=d["what_works"],
            action_plan=d["action_plan"],
        ),
        _("Narrative saved."),
    )
    if done:
        back = request.GET.copy()
        back.pop("measure", None)
        return redirect(f"{reverse('reporting:card')}?{back.urlencode()}")
    if stale and existing:
        existing.refresh_from_db()
        carry_version(form, existing.version)
    shown = story.narratives(scope, period).get(code)
    return render(
        request,
        "reporting/narrative.html",
        {
            "form": form,
            "scope": scope,
            "period": period,
            "measure": story.measure_label(code),
            "latest": existing if stale else None,
            "earlier": shown if shown and shown["carried"] else None,
            "query": request.GET.urlencode(),
        },
    )


def agenda(request: HttpRequest) -> HttpResponse:
    """A team's data development agenda: the measures wanted but not yet recorded."""
    teams = report_teams(request.user)
    team = next((t for t in teams if str(t.pk) == request.GET.get("team")), None)
    if team is None:
        if request.GET.get("team") or not teams:
            raise Http404
        team = teams[0]
    existing = TeamAgenda.objects.filter(team=team).first()
    initial_items = existing.items if existing else "\n".join(story.DEFAULT_AGENDA)
    form = AgendaForm(
        request.POST or None,
        initial={"version": existing.version if existing else 1, "items": initial_items},
    )
    done, stale = submit_to_service(
        request,
        form,
        lambda d: services.save_agenda(
            user=request.user, team=team, version=d["version"], items=d["items"]
        ),
        _("The data development agenda is saved."),
    )
    if done:
        return redirect(f"{reverse('reporting:agenda')}?team={team.pk}")
    if stale and existing:
        existing.refresh_from_db()
        carry_version(form, existing.version)
    return render(
        request,
        "reporting/agenda.html",
        {
            "form": form,
            "team": team,
            "teams": teams,
            "latest": existing if stale else None,
            "saved": existing,
        },
    )


def _target_team(request: HttpRequest) -> tuple[Team, list[Team]]:
    """The team asked for (?team=), one the user reports on; else their first; else 404."""
    teams = report_teams(request.user)
    team = next((t for t in teams if str(t.pk) == request.GET.get("team")), None)
    if team is None and (request.GET.get("team") or not teams):
        raise Http404
    return team or teams[0], teams


def targets(request: HttpRequest) -> HttpResponse:
    """A team's baselines and targets, every measure, with the last change of each."""
    team, teams = _target_team(request)
    set_now = MeasureTarget.objects.filter(team=team).select_related("updated_by")
    current = {t.measure_id: t for t in set_now}
    rows = [
        {"measure": m, "row": current.get(m.pk)}
        for m in Measure.objects.filter(code__in=[d.code for d in measures.CATALOGUE])
    ]
    return render(request, "reporting/targets.html", {"team": team, "teams": teams, "rows": rows})


def target(request: HttpRequest, code: str) -> HttpResponse:
    """Change a measure's baseline and target, with the reason; its history below."""
    team, _teams = _target_team(request)
    measure = get_object_or_404(Measure, code=code)
    row = MeasureTarget.objects.filter(team=team, measure=measure).first()
    form = TargetForm(
        request.POST or None,
        initial={
            "version": row.version if row else 0,
            "baseline": row.baseline if row else None,
            "target": row.target if row else None,
        },
    )
    done, stale = submit_to_service(
        request,
        form,
        lambda d: services.set_target(
            user=request.user,
            team=team,
            measure=measure,
            version=d["version"],
            baseline=d["baseline"],
            target=d["target"],
            reason=d["reason"],
        ),
        _("The baseline and target are saved, with the reason."),
    )
    if done:
        return redirect(f"{reverse('reporting:targets')}?team={team.pk}")
    if stale:
        row = MeasureTarget.objects.filter(team=team, measure=measure).first()
        carry_version(form, row.version if row else 0)
    history = list(
        TargetChange.objects.filter(team=team, measure=measure).select_related("changed_by")[:50]
    )
    return render(
        request,
        "reporting/target.html",
        {
            "form": form,
            "team": team,
            "measure": measure,
            "current": row,
            "stale": stale,
            "history": history,
        },
    )
