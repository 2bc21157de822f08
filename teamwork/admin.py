from django.contrib import admin

from accounts.admin_scale import ScaledAdmin

from .models import Complaint, Consultation, Feedback, TrainingSession


@admin.register(Consultation)
class ConsultationAdmin(ScaledAdmin):
    list_display = ("held_on", "team", "agency", "topic", "led_to_referral")
    list_filter = ("team",)


@admin.register(TrainingSession)
class TrainingSessionAdmin(ScaledAdmin):
    list_display = ("held_on", "team", "course", "attendees")


admin.site.register(Feedback, ScaledAdmin)
admin.site.register(Complaint, ScaledAdmin)
