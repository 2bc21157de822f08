from django.contrib import admin

from .models import (
    LegalStatus,
    OnwardService,
    PresentingIssue,
    ReferralRoute,
    ScreeningOutcome,
    ScreeningReason,
    Substance,
)


class ReferenceAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "active", "order")
    list_editable = ("active", "order")
    search_fields = ("name", "code")


for model in (PresentingIssue, Substance, LegalStatus, ReferralRoute, OnwardService):
    admin.site.register(model, ReferenceAdmin)


class ScreeningReasonInline(admin.TabularInline):
    model = ScreeningReason
    extra = 1


@admin.register(ScreeningOutcome)
class ScreeningOutcomeAdmin(ReferenceAdmin):
    list_display = ("name", "code", "effect", "needs_detail", "active", "order")
    inlines = [ScreeningReasonInline]
