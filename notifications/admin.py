from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("subject", "recipient", "email", "created_at", "read_at", "emailed_at")
    list_filter = ("emailed_at",)
    search_fields = ("subject", "recipient__username", "email")
    readonly_fields = ("created_at",)
