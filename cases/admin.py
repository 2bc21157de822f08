from django.contrib import admin

from accounts.formsets import BoundedInline

from .amendments import ReadOnlyHistoryAdmin
from .models import Assessment, Case, Closure, Contact, FamilyPlan, StageChange


class StageChangeInline(BoundedInline):
    model = StageChange
    extra = 0


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ("pk", "family", "team", "worker", "stage", "allocated_at")
    list_filter = ("team", "stage")
    inlines = [StageChangeInline]


admin.site.register(Assessment)


@admin.register(Contact)
class ContactAdmin(ReadOnlyHistoryAdmin, admin.ModelAdmin):
    list_display = ("pk", "case", "started_at", "duration_minutes", "entry_status")


admin.site.register(FamilyPlan)
admin.site.register(Closure)
