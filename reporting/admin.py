from django.contrib import admin

from accounts.admin_scale import ScaledAdmin
from accounts.formsets import BoundedInline

from .models import Measure, MeasureTarget, Narrative, ReportBuild


class MeasureTargetInline(BoundedInline):
    model = MeasureTarget
    extra = 0
    # Who changed a target, when and its version are set by reporting.services.set_target
    # (with the change and its reason kept): shown here, never chosen from every user.
    readonly_fields = ("version", "updated_by", "updated_at")


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
