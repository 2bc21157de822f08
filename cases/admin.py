from django.contrib import admin

from accounts.formsets import BoundedInline

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
admin.site.register(Contact)
admin.site.register(FamilyPlan)
admin.site.register(Closure)
