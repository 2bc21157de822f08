from django.contrib import admin

from accounts.admin_scale import ScaledAdmin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(ScaledAdmin):
    list_display = ("subject", "recipient", "email", "created_at", "read_at", "emailed_at")
    list_filter = ("emailed_at",)
    search_fields = ("subject", "recipient__username", "email")
    readonly_fields = ("created_at",)
