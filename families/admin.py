from django.contrib import admin

from accounts.admin_scale import ReadOnlyInline, ScaledAdmin

from .models import Family, Person


class PersonInline(ReadOnlyInline):
    model = Person
    extra = 0


@admin.register(Family)
class FamilyAdmin(ScaledAdmin):
    list_display = ("name", "team", "postcode", "local_authority")
    list_filter = ("team",)
    search_fields = ("name", "postcode")
    inlines = [PersonInline]
