from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import signals, twofactor
from .admin_scale import ScaledAdmin, ScaledFormfields
from .formsets import BoundedInline
from .models import LocalAuthority, Membership, Team, User


class MembershipInline(ScaledFormfields, BoundedInline):
    """A user's few memberships (a team's many are listed on the Membership admin); the
    teams' <select> is read once for all its rows."""

    model = Membership
    extra = 1
    raw_id_fields = ("user",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Membership]:
        return super().get_queryset(request).select_related("user", "team")


@admin.register(User)
class UserAdmin(ScaledAdmin, BaseUserAdmin):
    inlines = [MembershipInline]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Work"), {"fields": ("job_title", "phone", "email_digest")}),
    )
    list_display = ("username", "email", "first_name", "last_name", "is_active", "is_staff")
    actions = ["issue_enrolment_codes"]

    @admin.action(description=_("Issue a two-factor enrolment code"), permissions=["change"])
    def issue_enrolment_codes(self, request: HttpRequest, queryset: QuerySet[User]):
        """One single-use code per chosen user, shown once on the page that follows: the
        user needs it, besides the password, to set up an authenticator app."""
        issued = []
        for user in queryset.order_by("username"):
            code = twofactor.issue_enrolment_code(user=user, issued_by=request.user)
            signals.enrolment_code_issued.send(
                sender=type(self), request=request, user=user, issued_by=request.user, emailed=False
            )
            issued.append((user, code))
        return TemplateResponse(
            request,
            "admin/accounts/enrolment_codes.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Two-factor enrolment codes"),
                "issued": issued,
                "lifetime_days": twofactor.ISSUED_CODE_LIFETIME.days,
                "opts": self.model._meta,
            },
        )


@admin.register(Team)
class TeamAdmin(ScaledAdmin):
    filter_horizontal = ("local_authorities",)
    list_display = ("name", "practitioner_capacity", "assessment_hours", "booster_limit")
    fieldsets = (
        (None, {"fields": ("name", "email", "local_authorities")}),
        (
            _("Pathway settings"),
            {
                "fields": (
                    "first_contact_hours",
                    "screening_pending_days",
                    "assessment_hours",
                    "assessment_clock",
                    "assessment_target_from",
                    "phase1_min_weeks",
                    "phase1_max_weeks",
                    "phase1_min_hours",
                    "review_offsets_months",
                    "review_window_days",
                    "first_review_window_days",
                    "booster_limit",
                    "review_report_signoff",
                    "practitioner_capacity",
                    "step_down_enabled",
                    "reminder_days_before",
                    "escalate_after_days",
                )
            },
        ),
        (
            _("Report card"),
            {"fields": ("cost_panel", "cost_of_care", "cost_of_registration")},
        ),
    )


@admin.register(LocalAuthority)
class LocalAuthorityAdmin(ScaledAdmin):
    list_display = ("name", "code")
    search_fields = ("name",)


# Two-factor devices: never the keys, tokens or QR codes (OTP_ADMIN_HIDE_SENSITIVE_DATA hides
# them on the change pages; these also refuse the add page, whose form carries a new key,
# and the recovery codes' inline). An administrator may see that a device exists, and
# delete it to let the user enrol again.
class SecretFreeTOTPDeviceAdmin(TOTPDeviceAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_urls(self):
        return admin.ModelAdmin.get_urls(self)

    def get_fieldsets(self, request: HttpRequest, obj=None):
        return [
            (None, {"fields": ["user", "name", "confirmed"]}),
            (_("Timestamps"), {"fields": ["created_at", "last_used_at"]}),
        ]


class SecretFreeStaticDeviceAdmin(StaticDeviceAdmin):
    inlines = []

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


for _model, _admin in (
    (TOTPDevice, SecretFreeTOTPDeviceAdmin),
    (StaticDevice, SecretFreeStaticDeviceAdmin),
):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, _admin)


@admin.register(Membership)
class MembershipAdmin(ScaledAdmin):
    """A team's members, found by team (a team's page does not list its hundreds)."""

    list_display = ("user", "team", "role", "active")
    list_filter = ("team", "role", "active")
    search_fields = ("user__username", "user__last_name")


def _rescale(model: type, base: type[admin.ModelAdmin]) -> None:
    """Register a library's model again with its own admin made ScaledAdmin (no full
    counts, raw ids for large tables, the keys it lists joined)."""
    admin.site.unregister(model)
    admin.site.register(model, type(base.__name__, (ScaledAdmin, base), {}))


def _log_entry_admin() -> type[admin.ModelAdmin]:
    """django-auditlog's admin, its record-kind filter listing the content types' short
    table: its own listed the kinds found in every entry (a DISTINCT over the whole log).
    ScaledAdmin makes its date hierarchy the date's fixed ranges (fixed_filters)."""
    from auditlog.admin import LogEntryAdmin
    from auditlog.filters import CIDFilter

    class EntriesAdmin(LogEntryAdmin):
        list_filter = ["action", "content_type", CIDFilter]

    EntriesAdmin.__name__ = LogEntryAdmin.__name__
    return EntriesAdmin


def _rescale_libraries() -> None:
    from auditlog.models import LogEntry
    from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    for model, base in [
        (LogEntry, _log_entry_admin()),
        (AccessAttempt, AccessAttemptAdmin),
        (AccessLog, AccessLogAdmin),
        (AccessFailureLog, AccessFailureLogAdmin),
        (StaticDevice, SecretFreeStaticDeviceAdmin),
        (TOTPDevice, SecretFreeTOTPDeviceAdmin),
    ]:
        _rescale(model, base)


_rescale_libraries()
