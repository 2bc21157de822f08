from django.contrib import admin

from accounts.formsets import BoundedInline
from cases.amendments import ReadOnlyHistoryAdmin

from .models import Goal, GoalScore, Reading, ServiceUse


class GoalScoreInline(ReadOnlyHistoryAdmin, BoundedInline):
    model = GoalScore
    extra = 0


@admin.register(Goal)
class GoalAdmin(ReadOnlyHistoryAdmin, admin.ModelAdmin):
    list_display = ("title", "case", "category", "baseline")
    inlines = [GoalScoreInline]


@admin.register(Reading)
class ReadingAdmin(ReadOnlyHistoryAdmin, admin.ModelAdmin):
    list_display = ("pk", "case", "person", "instrument", "occasion", "total", "entry_status")


admin.site.register(ServiceUse)
