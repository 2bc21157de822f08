from django.contrib import admin

from accounts.admin_scale import ReadOnlyInline, ScaledAdmin

from .amendments import ReadOnlyHistoryAdmin
from .models import Assessment, Case, Closure, Contact, FamilyPlan, StageChange


class StageChangeInline(ReadOnlyInline):
    model = StageChange
    extra = 0


@admin.register(Case)
class CaseAdmin(ScaledAdmin):
    list_display = ("pk", "family", "team", "worker", "stage", "allocated_at")
    str_related = ("family",)
    list_filter = ("team", "stage")
    inlines = [StageChangeInline]


admin.site.register(Assessment, ScaledAdmin, str_related=("case__family",))


@admin.register(Contact)
class ContactAdmin(ReadOnlyHistoryAdmin, ScaledAdmin):
    list_display = ("pk", "case", "started_at", "duration_minutes", "entry_status")
    list_select_related = ("case", "case__family")  # a case is named by its family


admin.site.register(FamilyPlan, ScaledAdmin)
admin.site.register(Closure, ScaledAdmin, str_related=("case__family",))
