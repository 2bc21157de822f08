from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import LocalAuthority, Membership, Team, User


class MembershipInline(admin.TabularInline):
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
                    "phase1_min_weeks",
                    "phase1_max_weeks",
                    "phase1_min_hours",
                    "review_offsets_months",
                    "review_window_days",
                    "first_review_window_days",
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
