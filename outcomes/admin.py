from django.contrib import admin

from accounts.formsets import BoundedInline

from .models import Goal, GoalScore, Reading, ServiceUse


class GoalScoreInline(BoundedInline):
    model = GoalScore
    extra = 0


@admin.register(Goal)
class GoalAdmin(admin.ModelAdmin):
    list_display = ("title", "case", "category", "baseline")
    inlines = [GoalScoreInline]


admin.site.register(Reading)
admin.site.register(ServiceUse)
