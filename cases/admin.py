from django.contrib import admin

from .models import Case, StageChange


class StageChangeInline(admin.TabularInline):
    model = StageChange
    extra = 0


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ("pk", "family", "team", "worker", "stage", "allocated_at")
    list_filter = ("team", "stage")
    inlines = [StageChangeInline]
