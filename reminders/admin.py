from django.contrib import admin

from accounts.admin_scale import ScaledAdmin

from .models import Reminder


@admin.register(Reminder)
class ReminderAdmin(ScaledAdmin):
    list_display = ("kind", "step", "item_type", "item_id", "team", "due_at", "created_at")
    list_filter = ("kind", "step", "team")
