from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.admin_scale import ScaledAdmin
from accounts.models import Team
from cases.amendments import ReadOnlyHistoryAdmin

from .models import Booster, Review


class OffsetFilter(admin.SimpleListFilter):
    """The reviews the teams hold (their offsets, read from the short team table), not the
    offsets found in every review."""

    title = _("months after Phase 1")
    parameter_name = "offset_months"

    def lookups(self, request, model_admin):
        offsets = {
            o
            for row in Team.objects.values_list("review_offsets_months", flat=True)
            for o in row or ()
        }
        return [(str(o), _("%(n)s-month review") % {"n": o}) for o in sorted(offsets)]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(offset_months=value) if value and value.isdigit() else queryset


@admin.register(Review)
class ReviewAdmin(ReadOnlyHistoryAdmin, ScaledAdmin):
    list_display = ("case", "offset_months", "due_on", "held_on")
    str_related = ("case__family",)
    list_filter = (OffsetFilter,)


admin.site.register(Booster, ScaledAdmin)
