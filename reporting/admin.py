from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.admin_scale import ReadOnlyInline, ScaledAdmin

from .models import Measure, MeasureTarget, Narrative, ReportBuild


class MeasureTargetInline(ReadOnlyInline):
    """A team's baseline and target for the measure, shown and never changed here: they
    change only on the targets page (reporting.services.set_target), which asks why and
    keeps the change as a TargetChange, whoever makes it. Each row links to that page."""

    model = MeasureTarget
    fields = ("team", "baseline", "target", "version", "updated_by", "updated_at", "change")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [*super().get_readonly_fields(request, obj), "change"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=gettext_lazy("Change"))
    def change(self, row: MeasureTarget) -> SafeString:
        url = reverse("reporting:target", args=[row.measure.code])
        return format_html(
            '<a href="{}?team={}">{}</a>',
            url,
            row.team_id,
            _("Change it on the targets page, with the reason"),
        )


@admin.register(Measure)
class MeasureAdmin(ScaledAdmin):
    """The measures of the catalogue (reporting.measures). Never deleted here: a measure
    goes with its teams' targets and their history (TargetChange), which nobody rewrites."""

    list_display = ("name", "code", "quadrant", "polarity")
    list_filter = ("quadrant",)
    inlines = [MeasureTargetInline]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ReportBuild)
class ReportBuildAdmin(ScaledAdmin):
    list_display = ("scope_label", "period_label", "status", "requested_by", "requested_at")
    exclude = ("pdf",)


admin.site.register(Narrative, ScaledAdmin)
