from django.contrib import admin

from accounts.formsets import BoundedInline

from .models import Referral, ScreeningDecision, WaitingListEntry


class DecisionInline(BoundedInline):
    model = ScreeningDecision
    extra = 0


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    list_display = ("pk", "family", "team", "status", "received_at", "is_rereferral")
    list_filter = ("team", "status")
    search_fields = ("family__name", "referrer_name")
    inlines = [DecisionInline]
    raw_id_fields = ("family", "previous_referral", "created_by")


admin.site.register(WaitingListEntry)
