from django.contrib import admin

from .models import Booster, Review


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ("case", "offset_months", "due_on", "held_on")
    list_filter = ("offset_months",)


admin.site.register(Booster)
