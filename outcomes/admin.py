from django.contrib import admin

from accounts.admin_scale import ReadOnlyInline, ScaledAdmin
from cases.amendments import ReadOnlyHistoryAdmin

from .models import Goal, GoalScore, Reading, ServiceUse


class GoalScoreInline(ReadOnlyHistoryAdmin, ReadOnlyInline):
    model = GoalScore
    extra = 0


@admin.register(Goal)
class GoalAdmin(ReadOnlyHistoryAdmin, ScaledAdmin):
    list_display = ("title", "case", "category", "baseline")
    str_related = ("case__family",)
    inlines = [GoalScoreInline]


@admin.register(Reading)
class ReadingAdmin(ReadOnlyHistoryAdmin, ScaledAdmin):
    list_display = ("pk", "case", "person", "instrument", "occasion", "total", "entry_status")


admin.site.register(ServiceUse, ScaledAdmin, str_related=("person",))
