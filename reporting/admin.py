from django.contrib import admin

from accounts.formsets import BoundedInline

from .models import (
    Complaint,
    Consultation,
    Feedback,
    Measure,
    MeasureTarget,
    Narrative,
    ReportBuild,
    TrainingSession,
)


class MeasureTargetInline(BoundedInline):
    model = MeasureTarget
    extra = 0


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "quadrant", "polarity")
    list_filter = ("quadrant",)
    inlines = [MeasureTargetInline]


@admin.register(Consultation)
class ConsultationAdmin(admin.ModelAdmin):
    list_display = ("held_on", "team", "agency", "topic", "led_to_referral")
    list_filter = ("team",)


@admin.register(TrainingSession)
class TrainingSessionAdmin(admin.ModelAdmin):
    list_display = ("held_on", "team", "course", "attendees")


@admin.register(ReportBuild)
class ReportBuildAdmin(admin.ModelAdmin):
    list_display = ("scope_label", "period_label", "status", "requested_by", "requested_at")
    exclude = ("pdf",)


admin.site.register(Feedback)
admin.site.register(Complaint)
admin.site.register(Narrative)
