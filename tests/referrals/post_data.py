"""Build the POST body of the referral form, reusing seeded reference rows by code."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.utils import timezone

from accounts.models import LocalAuthority, Team
from reference.models import LegalStatus, PresentingIssue, ReferralRoute, Substance

FormValue = str | list[str]


def member(
    *,
    kind: str = "adult",
    first_name: str = "Carys",
    last_name: str = "Evans",
    relationship: str = "mother",
    date_of_birth: date | str | None = date(1990, 2, 3),
    due_date: date | str | None = None,
    sex: str = "",
    ethnicity: str = "",
    substances: tuple[str, ...] = (),
    legal_status: str | None = None,
) -> dict[str, Any]:
    """One household member, with substances and legal status given by their codes."""
    return {
        "kind": kind,
        "first_name": first_name,
        "last_name": last_name,
        "relationship": relationship,
        "date_of_birth": date_of_birth,
        "due_date": due_date,
        "sex": sex,
        "ethnicity": ethnicity,
        "substances": substances,
        "legal_status": legal_status,
    }


def adult(**kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("substances", ("alcohol",))
    return member(**kwargs)


def child(**kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("kind", "child")
    kwargs.setdefault("first_name", "Dylan")
    kwargs.setdefault("relationship", "child")
    kwargs.setdefault("date_of_birth", date(2018, 6, 7))
    kwargs.setdefault("legal_status", "child-in-need")
    return member(**kwargs)


def _text(value: date | str | None) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else value


def members_post(members: list[dict[str, Any]]) -> dict[str, FormValue]:
    data: dict[str, FormValue] = {
        "members-TOTAL_FORMS": str(len(members)),
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "2",
        "members-MAX_NUM_FORMS": "20",
    }
    substance_pks = dict(Substance.objects.values_list("code", "pk"))
    legal_pks = dict(LegalStatus.objects.values_list("code", "pk"))
    for i, m in enumerate(members):
        p = f"members-{i}-"
        data[p + "kind"] = m["kind"]
        data[p + "first_name"] = m["first_name"]
        data[p + "last_name"] = m["last_name"]
        data[p + "relationship"] = m["relationship"]
        data[p + "sex"] = m["sex"]
        data[p + "ethnicity"] = m["ethnicity"]
        data[p + "date_of_birth"] = _text(m["date_of_birth"])
        data[p + "due_date"] = _text(m["due_date"])
        data[p + "legal_status"] = str(legal_pks[m["legal_status"]]) if m["legal_status"] else ""
        if m["substances"]:
            data[p + "substances"] = [str(substance_pks[c]) for c in m["substances"]]
    return data


def referral_post(
    *,
    team: Team,
    action: str = "submit",
    submission_key: uuid.UUID | str | None = None,
    members: list[dict[str, Any]] | None = None,
    issues: tuple[str, ...] = ("parental-substance-misuse",),
    route: str = "online-form",
    **overrides: FormValue,
) -> dict[str, FormValue]:
    """A complete, valid referral form POST. Override any field by name; pass "" to blank it."""
    local_authority = (
        team.local_authorities.order_by("pk").first() or LocalAuthority.objects.first()
    )
    data: dict[str, FormValue] = {
        "team": str(team.pk),
        "family_name": "Evans family",
        "address": "2 Station Road\nNewport",
        "postcode": "np20 1aa",
        "local_authority": str(local_authority.pk),
        "household_type": "lone_mother",
        "presenting_issues": [
            str(pk)
            for pk in PresentingIssue.objects.filter(code__in=issues).values_list("pk", flat=True)
        ],
        "reason_for_referral": "Mother's drinking is affecting school attendance.",
        "proceedings": "none",
        "consent_given": "yes",
        "consent_date": timezone.localdate().isoformat(),
        "route": str(ReferralRoute.objects.get(code=route).pk),
        "referrer_name": "Rhian Social-Worker",
        "referrer_role": "Social worker",
        "referrer_team": "Newport Children's Services",
        "referrer_agency": "Newport City Council",
        "referrer_local_authority": "",
        "referrer_phone": "01633 000000",
        "referrer_email": "rhian@example.org",
        "action": action,
        "submission_key": str(submission_key or uuid.uuid4()),
    }
    data.update(members_post(members if members is not None else [adult(), child()]))
    data.update(overrides)
    return data
