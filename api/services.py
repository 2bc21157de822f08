"""Writes for partner API clients: issue and revoke tokens, keep each call, submit referrals."""

from __future__ import annotations

import hashlib
import secrets
import uuid

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Team, User
from core.errors import StaleEdit
from referrals.models import Referral
from referrals.services import ReferralData, submit_referral

from .models import ApiCall, ApiClient, ApiToken

KEY_PREFIX = "ifss_"


def digest(key: str) -> str:
    """Tokens are 256 random bits, so one SHA-256 round is as good as a slow hash."""
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def create_client(
    *,
    name: str,
    teams: list[Team],
    can_read_figures: bool,
    can_submit_referrals: bool,
    requests_per_minute: int,
    by: User,
) -> ApiClient:
    """A partner system, with a service identity of its own that can never sign in."""
    user = User(username=f"api-client-{uuid.uuid4().hex[:12]}", first_name=name[:150])
    user.is_active = False
    user.set_unusable_password()
    user.save()
    client = ApiClient.objects.create(
        name=name,
        can_read_figures=can_read_figures,
        can_submit_referrals=can_submit_referrals,
        requests_per_minute=requests_per_minute,
        user=user,
        created_by=by,
    )
    client.teams.set(teams)
    return client


@transaction.atomic
def update_client(
    *,
    client_id: int,
    version: int,
    teams: list[Team],
    can_read_figures: bool,
    can_submit_referrals: bool,
    requests_per_minute: int,
) -> ApiClient:
    client = ApiClient.objects.select_for_update().get(pk=client_id)
    if client.version != version:
        raise StaleEdit(
            _(
                "Someone else changed this client while you were editing it. Its settings "
                "now are shown above; what you chose is still in the form."
            )
        )
    client.version += 1
    client.can_read_figures = can_read_figures
    client.can_submit_referrals = can_submit_referrals
    client.requests_per_minute = requests_per_minute
    client.save(
        update_fields=["can_read_figures", "can_submit_referrals", "requests_per_minute", "version"]
    )
    client.teams.set(teams)
    return client


@transaction.atomic
def issue_token(*, client: ApiClient, by: User) -> tuple[ApiToken, str]:
    """A new token for the client. The key is returned once, to be shown once: only its
    digest is kept."""
    prefix = secrets.token_hex(6)
    key = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        client=client, prefix=prefix, digest=digest(key), issued_at=timezone.now(), issued_by=by
    )
    return token, key


@transaction.atomic
def revoke_token(*, token_id: int, by: User) -> ApiToken:
    token = ApiToken.objects.select_for_update().get(pk=token_id)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_by = by
        token.save(update_fields=["revoked_at", "revoked_by"])
    return token


def token_for_key(key: str) -> ApiToken | None:
    """The active token this key is, or None."""
    if not key.startswith(KEY_PREFIX):
        return None
    prefix, _, _secret = key[len(KEY_PREFIX) :].partition("_")
    token = (
        ApiToken.objects.filter(prefix=prefix, revoked_at__isnull=True)
        .select_related("client", "client__user")
        .first()
    )
    if token is None or not secrets.compare_digest(token.digest, digest(key)):
        return None
    return token


def record_call(
    *,
    method: str,
    path: str,
    status: int,
    token: ApiToken | None = None,
    user: User | None = None,
) -> ApiCall:
    return ApiCall.objects.create(
        client=token.client if token else None,
        token=token,
        user=user,
        at=timezone.now(),
        method=method[:10],
        path=path[:300],
        status=status,
    )


def submit_partner_referral(
    *, client: ApiClient, data: ReferralData, submission_key: uuid.UUID
) -> Referral:
    """The web form's service, with the client's service identity as the referrer's
    account (the one who may poll its receipt)."""
    return submit_referral(user=client.user, data=data, submission_key=submission_key)
