from django.contrib import admin

from accounts.formsets import BoundedInline

from .models import Family, Person


class PersonInline(BoundedInline):
    model = Person
    extra = 0


@admin.register(Family)
class FamilyAdmin(admin.ModelAdmin):
    list_display = ("name", "team", "postcode", "local_authority")
    list_filter = ("team",)
    search_fields = ("name", "postcode")
    inlines = [PersonInline]
