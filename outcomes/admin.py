from django.contrib import admin

from accounts.admin_scale import ReadOnlyInline, ScaledAdmin

from .models import Goal, GoalScore, Reading, ServiceUse


class GoalScoreInline(ReadOnlyInline):
    model = GoalScore
    extra = 0


@admin.register(Goal)
class GoalAdmin(ScaledAdmin):
    list_display = ("title", "case", "category", "baseline")
    str_related = ("case__family",)
    inlines = [GoalScoreInline]


admin.site.register(Reading, ScaledAdmin)
admin.site.register(ServiceUse, ScaledAdmin)
