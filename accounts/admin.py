from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .admin_scale import ScaledAdmin
from .models import LocalAuthority, Membership, Team, User


class MembershipInline(admin.TabularInline):
    """A user's few memberships (a team's many are listed on the Membership admin)."""

    model = Membership
    extra = 1
    raw_id_fields = ("user",)


@admin.register(User)
class UserAdmin(ScaledAdmin, BaseUserAdmin):
    inlines = [MembershipInline]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Work"), {"fields": ("job_title", "phone", "email_digest")}),
    )
    list_display = ("username", "email", "first_name", "last_name", "is_active", "is_staff")


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
                    "phase1_min_weeks",
                    "phase1_max_weeks",
                    "phase1_min_hours",
                    "review_offsets_months",
                    "booster_limit",
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


def _rescale_libraries() -> None:
    from auditlog.admin import LogEntryAdmin
    from auditlog.models import LogEntry
    from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
    from django_otp.plugins.otp_totp.models import TOTPDevice

    for model, base in [
        (LogEntry, LogEntryAdmin),
        (AccessAttempt, AccessAttemptAdmin),
        (AccessLog, AccessLogAdmin),
        (AccessFailureLog, AccessFailureLogAdmin),
        (StaticDevice, StaticDeviceAdmin),
        (TOTPDevice, TOTPDeviceAdmin),
    ]:
        _rescale(model, base)


_rescale_libraries()
