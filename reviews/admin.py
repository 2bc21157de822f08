from django.contrib import admin

from cases.amendments import ReadOnlyHistoryAdmin

from .models import Booster, Review


@admin.register(Review)
class ReviewAdmin(ReadOnlyHistoryAdmin, admin.ModelAdmin):
    list_display = ("case", "offset_months", "due_on", "held_on")
    list_filter = ("offset_months",)


admin.site.register(Booster)
