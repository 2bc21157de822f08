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
from .formsets import BoundedInline
from .models import LocalAuthority, Membership, Team, User


class MembershipInline(BoundedInline):
    model = Membership
    extra = 1


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [MembershipInline]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Work"), {"fields": ("job_title", "phone", "email_digest")}),
    )
    list_display = ("username", "email", "first_name", "last_name", "is_active", "is_staff")
    actions = ["issue_enrolment_codes"]

    @admin.action(description=_("Issue a two-factor enrolment code"), permissions=["change"])
    def issue_enrolment_codes(self, request: HttpRequest, queryset: QuerySet[User]):  # noqa: ANN201
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
class TeamAdmin(admin.ModelAdmin):
    inlines = [MembershipInline]
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
class LocalAuthorityAdmin(admin.ModelAdmin):
    list_display = ("name", "code")
    search_fields = ("name",)


# Two-factor devices: never the keys, tokens or QR codes (OTP_ADMIN_HIDE_SENSITIVE_DATA hides
# them on the change pages; these also refuse the add page, whose form carries a new key,
# and the recovery codes' inline). An administrator may see that a device exists, and
# delete it to let the user enrol again.
class SecretFreeTOTPDeviceAdmin(TOTPDeviceAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_urls(self):  # noqa: ANN201 - without the config and QR code views
        return admin.ModelAdmin.get_urls(self)

    def get_fieldsets(self, request: HttpRequest, obj=None):  # noqa: ANN001, ANN201
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
