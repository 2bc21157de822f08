"""The partner API (v1). Every view is an AuditedView: each call is kept (api.models.ApiCall).

Views authorise (a client's token, scope and teams: anything else answers 404), check the
request, call one service or read one queryset, and answer."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_not_required, login_required
from django.http import Http404
from django.utils.datastructures import MultiValueDict
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import LocalAuthority, Team
from core.errors import ServiceError
from families.models import HouseholdType, MemberKind, Relationship, Sex
from reference.models import LegalStatus, PresentingIssue, ReferralRoute, Substance
from referrals.forms import MemberFormSet, ReferralForm, referral_data
from referrals.models import Proceedings, Referral
from referrals.services import AlreadySubmitted

from . import figures as published
from . import services
from .authentication import ApiTokenAuthentication
from .models import ApiScope, ApiToken
from .permissions import IsClientOrStaff, client_of, is_staff
from .problems import CONTENT_TYPE, ProblemSerializer, problem
from .serializers import (
    FiguresSerializer,
    PublishedSetSerializer,
    ReceiptSerializer,
    ReferenceListsSerializer,
    ReferralInSerializer,
)


def _problem(description: str) -> OpenApiResponse:
    return OpenApiResponse(ProblemSerializer, description=description)


def errors(*statuses: int) -> dict:
    """The problem+json answers a view documents (401 and 429 on every one)."""
    words = {
        400: "The request is not valid (messages per field in `errors`).",
        401: "No token, or a token that is not valid or was revoked.",
        404: "Not found, or not this client's to see.",
        409: "The submission key was used for another referral.",
        429: "Too many requests: wait for Retry-After seconds.",
    }
    return {(s, CONTENT_TYPE): _problem(words[s]) for s in (401, 429, *statuses)}


class AuditedView(APIView):
    """Keeps every call: who (the client, or a signed-in member of staff), what, when and
    the status answered."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        token = request.auth if isinstance(request.auth, ApiToken) else None
        user = request.user if token is None and request.user.is_authenticated else None
        services.record_call(
            method=request.method,
            path=request.get_full_path(),
            status=response.status_code,
            token=token,
            user=user,
        )
        return response


def client_teams(request) -> list[Team]:
    return list(client_of(request).teams.order_by("name"))


# --- referrals ----------------------------------------------------------------------------


def _form_data(data: dict) -> MultiValueDict:
    """The validated JSON as the web form's POST (the form then applies its own rules)."""
    out = MultiValueDict()

    def put(key: str, value) -> None:
        if isinstance(value, list):
            out.setlist(key, [str(v) for v in value])
        elif isinstance(value, bool):
            out[key] = "yes" if value else "no"
        elif value is None:
            out[key] = ""
        else:
            out[key] = value.isoformat() if hasattr(value, "isoformat") else str(value)

    for key, value in data.items():
        if key not in ("members", "submission_key"):
            put(key, value)
    members = data["members"]
    out["members-TOTAL_FORMS"] = str(len(members))
    out["members-INITIAL_FORMS"] = "0"
    out["members-MIN_NUM_FORMS"] = "2"
    out["members-MAX_NUM_FORMS"] = "20"
    for i, member in enumerate(members):
        for key, value in member.items():
            put(f"members-{i}-{key}", value)
    return out


def _form_errors(form: ReferralForm, formset) -> dict:
    found = {field: [str(m) for m in messages] for field, messages in form.errors.items()}
    for i, member in enumerate(formset.forms):
        for field, messages in member.errors.items():
            found[f"members[{i}].{field}"] = [str(m) for m in messages]
    if formset.non_form_errors():
        found["members"] = [str(m) for m in formset.non_form_errors()]
    return found


def receipt(referral: Referral) -> dict:
    """Only what its referrer may know: status, outcome, the day it was decided."""
    decision = referral.decisions.select_related("outcome").first()
    return {
        "receipt": referral.submission_key,
        "status": referral.status,
        "status_label": str(referral.get_status_display()),
        "received": referral.received_at,
        "outcome": str(decision.outcome) if decision else None,
        "decided": decision.decided_at.date() if decision else None,
    }


class SubmitReferral(AuditedView):
    """Submit a referral to one of the client's teams (scope submit_referrals)."""

    required_scope = ApiScope.SUBMIT_REFERRALS

    @extend_schema(
        operation_id="submit_referral",
        summary="Submit a referral",
        description=(
            "The web form's rules apply. Answers a receipt to poll for the screening "
            "decision. Sending the same submission_key again answers the first receipt."
        ),
        request=ReferralInSerializer,
        responses={201: ReceiptSerializer, 200: ReceiptSerializer, **errors(400, 404, 409)},
        tags=["referrals"],
    )
    def post(self, request) -> Response:
        client = client_of(request)
        shape = ReferralInSerializer(data=request.data)
        shape.is_valid(raise_exception=True)
        data = _form_data(shape.validated_data)
        form = ReferralForm(data)
        form.fields["team"].queryset = Team.objects.filter(api_clients=client)
        formset = MemberFormSet(data, prefix="members")
        if not (form.is_valid() and formset.is_valid()):
            return problem(
                400,
                "The referral is not valid: see errors.",
                errors=_form_errors(form, formset),
            )
        members = [m.to_member() for m in formset.forms if m.cleaned_data]
        key = shape.validated_data.get("submission_key") or uuid.uuid4()
        try:
            referral = services.submit_partner_referral(
                client=client, data=referral_data(form, members), submission_key=key
            )
        except AlreadySubmitted as exc:
            if exc.referral.created_by_id != client.user_id:
                return problem(409, "This submission key was used for another referral.")
            return Response(ReceiptSerializer(receipt(exc.referral)).data, status=200)
        except ServiceError as exc:
            return problem(400, str(exc))
        return Response(ReceiptSerializer(receipt(referral)).data, status=201)


class ReferralReceipt(AuditedView):
    """The receipt of a referral this client submitted: status, outcome, decided date."""

    required_scope = ApiScope.SUBMIT_REFERRALS

    @extend_schema(
        operation_id="referral_receipt",
        summary="Poll a referral's decision",
        responses={200: ReceiptSerializer, **errors(404)},
        tags=["referrals"],
    )
    def get(self, request, receipt_key: uuid.UUID) -> Response:
        client = client_of(request)
        referral = Referral.objects.filter(
            submission_key=receipt_key,
            created_by=client.user,
            team__in=client.teams.all(),
        ).first()
        if referral is None:
            raise Http404
        return Response(ReceiptSerializer(receipt(referral)).data)


# --- figures ------------------------------------------------------------------------------


class PublishedFigures(AuditedView):
    """The quarters whose figures are published for the client's teams (scope read_figures)."""

    required_scope = ApiScope.READ_FIGURES

    @extend_schema(
        operation_id="published_figures_list",
        summary="The published quarters of the client's teams",
        responses={200: PublishedSetSerializer(many=True), **errors(404)},
        tags=["figures"],
    )
    def get(self, request) -> Response:
        rows = published.published_sets(client_teams(request))
        return Response(
            PublishedSetSerializer([published.as_published(r) for r in rows], many=True).data
        )


class TeamFigures(AuditedView):
    """One team's published figures: counts below the board threshold show as '<N'."""

    required_scope = ApiScope.READ_FIGURES

    @extend_schema(
        operation_id="published_figures_read",
        summary="A team's published figures for a quarter, suppressed as on board outputs",
        parameters=[
            OpenApiParameter(
                "quarter",
                str,
                OpenApiParameter.PATH,
                pattern=r"^\d{4}Q[1-4]$",
                description="Financial quarter: 2026Q1 is April-June 2026.",
            )
        ],
        responses={200: FiguresSerializer, **errors(404)},
        tags=["figures"],
    )
    def get(self, request, team_id: int, quarter: str) -> Response:
        team = next((t for t in client_teams(request) if t.pk == team_id), None)
        period = published.parse_quarter(quarter)
        if team is None or period is None:
            raise Http404
        row = published.published_set(team, period)
        if row is None:
            raise Http404
        return Response(FiguresSerializer(published.figures(row)).data)


# --- reference lists ----------------------------------------------------------------------


def _items(queryset) -> list[dict]:
    return list(queryset.values("id", "code", "name"))


def _choices(choices) -> list[dict]:
    return [{"code": code, "name": str(name)} for code, name in choices]


class ReferenceLists(AuditedView):
    """The client's teams and the coded lists a referral uses (any client)."""

    required_scope = None  # any client

    @extend_schema(
        operation_id="reference_lists",
        summary="The coded lists a referral uses",
        responses={200: ReferenceListsSerializer, **errors()},
        tags=["reference"],
    )
    def get(self, request) -> Response:
        data = {
            "teams": [{"id": t.pk, "name": t.name} for t in client_teams(request)],
            "local_authorities": _items(LocalAuthority.objects.order_by("name")),
            "presenting_issues": _items(PresentingIssue.objects.active()),
            "referral_routes": _items(ReferralRoute.objects.active()),
            "substances": _items(Substance.objects.active()),
            "legal_statuses": _items(LegalStatus.objects.active()),
            "household_types": _choices(HouseholdType.choices),
            "member_kinds": _choices(MemberKind.choices),
            "relationships": _choices(Relationship.choices),
            "sexes": _choices(Sex.choices),
            "proceedings": _choices(Proceedings.choices),
        }
        return Response(ReferenceListsSerializer(data).data)


@extend_schema(exclude=True)
class NoSuchRoute(AuditedView):
    """Any other path under /api/v1/: a problem+json 404 (audited like any call), not the
    site's HTML page."""

    required_scope = None

    def _missing(self, request, *args, **kwargs) -> Response:
        raise Http404

    get = post = put = patch = delete = _missing


# --- the schema and its docs --------------------------------------------------------------


class Schema(AuditedView, SpectacularAPIView):
    """The OpenAPI description: for clients, and for signed-in staff."""

    authentication_classes = [ApiTokenAuthentication, SessionAuthentication]
    permission_classes = [IsClientOrStaff]


class StaffOnly(BasePermission):
    def has_permission(self, request, view) -> bool:
        if not is_staff(request.user):
            raise Http404
        return True


class Docs(AuditedView, SpectacularSwaggerView):
    """Swagger UI (vendored by drf-spectacular-sidecar, served from this site). Our template
    starts it from static/js/api_docs.js, so the page has no inline script or style."""

    authentication_classes = [SessionAuthentication]
    permission_classes = [StaffOnly]
    throttle_classes: list = []
    url_name = "api:schema"
    template_name = "api/swagger_ui.html"  # the package's page: its language set, no inline code


# Partner systems do not sign in: their token is checked by the views.
submit_referral_view = login_not_required(SubmitReferral.as_view())
referral_receipt_view = login_not_required(ReferralReceipt.as_view())
published_figures_view = login_not_required(PublishedFigures.as_view())
team_figures_view = login_not_required(TeamFigures.as_view())
reference_lists_view = login_not_required(ReferenceLists.as_view())
schema_view = login_not_required(Schema.as_view())
no_such_route_view = login_not_required(NoSuchRoute.as_view())
# Signed-in staff only. (DRF marks its views as needing no sign-in, for their own
# authentication; the docs are a page: anyone not signed in goes to the sign-in page.)
docs_view = login_required(Docs.as_view())
