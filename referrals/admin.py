from django.contrib import admin

from accounts.admin_scale import ReadOnlyInline, ScaledAdmin
from cases.amendments import ReadOnlyHistoryAdmin

from .models import Referral, ScreeningDecision, WaitingListEntry


class DecisionInline(ReadOnlyHistoryAdmin, ReadOnlyInline):
    model = ScreeningDecision
    extra = 0


@admin.register(Referral)
class ReferralAdmin(ScaledAdmin):
    list_display = ("pk", "family", "team", "status", "received_at", "is_rereferral")
    list_filter = ("team", "status")
    search_fields = ("family__name", "referrer_name")
    inlines = [DecisionInline]
    raw_id_fields = ("family", "previous_referral", "created_by")
    str_related = ("family",)


admin.site.register(WaitingListEntry, ScaledAdmin, str_related=("referral__family",))
