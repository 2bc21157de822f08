from django.contrib import admin

from accounts.admin_scale import ScaledAdmin
from accounts.formsets import BoundedInline

from .models import Measure, MeasureTarget, Narrative, ReportBuild


class MeasureTargetInline(BoundedInline):
    model = MeasureTarget
    extra = 0


@admin.register(Measure)
class MeasureAdmin(ScaledAdmin):
    list_display = ("name", "code", "quadrant", "polarity")
    list_filter = ("quadrant",)
    inlines = [MeasureTargetInline]


@admin.register(ReportBuild)
class ReportBuildAdmin(ScaledAdmin):
    list_display = ("scope_label", "period_label", "status", "requested_by", "requested_at")
    exclude = ("pdf",)


admin.site.register(Narrative, ScaledAdmin)
