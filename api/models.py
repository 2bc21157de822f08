"""Partner systems (a local authority's WCCIS, Mosaic or LCS) that call the API as clients.

A client holds scopes and teams; it authenticates with a token shown once and stored only
as its SHA-256 digest; every call it makes is kept (ApiCall)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ApiScope(models.TextChoices):
    READ_FIGURES = "read_figures", _("Read published figures")
    SUBMIT_REFERRALS = "submit_referrals", _("Submit referrals")


class ApiClient(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    teams = models.ManyToManyField(
        "accounts.Team", related_name="api_clients", verbose_name=_("teams")
    )
    can_read_figures = models.BooleanField(_("may read published figures"), default=False)
    can_submit_referrals = models.BooleanField(_("may submit referrals"), default=False)
    requests_per_minute = models.PositiveIntegerField(_("requests per minute"), default=120)
    # Caught on save: two administrators (or two tabs) editing the client at once.
    version = models.PositiveIntegerField(default=1)
    # The identity its referrals are recorded under (Referral.created_by): it cannot sign in.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_client"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def has_scope(self, scope: str) -> bool:
        granted: dict[str, bool] = {
            ApiScope.READ_FIGURES: self.can_read_figures,
            ApiScope.SUBMIT_REFERRALS: self.can_submit_referrals,
        }
        return granted.get(scope, False)

    @property
    def scopes(self) -> list[str]:
        return [s.value for s in ApiScope if self.has_scope(s)]


class ApiToken(models.Model):
    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="tokens")
    prefix = models.CharField(max_length=16, unique=True)  # shown in lists; finds the token
    digest = models.CharField(max_length=64)  # SHA-256 of the whole key, never the key
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return f"{self.client} {self.prefix}…"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class ApiCall(models.Model):
    """One call to the API: who (the client, if its token was good), what, when, status."""

    client = models.ForeignKey(
        ApiClient, null=True, on_delete=models.SET_NULL, related_name="calls"
    )
    token = models.ForeignKey(ApiToken, null=True, on_delete=models.SET_NULL, related_name="+")
    user = models.ForeignKey(  # a signed-in member of staff reading the schema or docs
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=300)
    status = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            # The client page's recent calls, newest first.
            models.Index(fields=["client", "-at"], name="apicall_client_at_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__gte=100), name="apicall_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.method} {self.path} {self.status}"
