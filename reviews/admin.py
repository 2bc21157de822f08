from django.contrib import admin

from accounts.admin_scale import ScaledAdmin
from cases.amendments import ReadOnlyHistoryAdmin

from .models import Booster, Review


@admin.register(Review)
class ReviewAdmin(ReadOnlyHistoryAdmin, ScaledAdmin):
    list_display = ("case", "offset_months", "due_on", "held_on")
    str_related = ("case__family",)
    list_filter = ("offset_months",)


admin.site.register(Booster, ScaledAdmin)
