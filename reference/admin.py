from django.contrib import admin

from accounts.admin_scale import ScaledAdmin
from accounts.formsets import BoundedInline

from .models import (
    ClosureReason,
    GoalCategory,
    LegalStatus,
    NotProceedReason,
    OnwardService,
    PracticeMethod,
    PresentingIssue,
    ReferralRoute,
    ScreeningOutcome,
    ScreeningReason,
    ServiceType,
    Substance,
)


class ReferenceAdmin(ScaledAdmin):
    list_display: tuple[str, ...] = ("name", "code", "active", "order")
    list_editable = ("active", "order")
    search_fields = ("name", "code")

    def get_changelist_form(self, request, **kwargs):
        """The list's editable fields sit under column headings, with no label of their
        own: each gets one naming its column and its row ("Active: Alcohol")."""
        base = super().get_changelist_form(request, **kwargs)

        class LabelledRowForm(base):
            def __init__(self, *args, **kwargs) -> None:
                super().__init__(*args, **kwargs)
                for field in self.fields.values():
                    field.widget.attrs["aria-label"] = f"{field.label}: {self.instance}"

        return LabelledRowForm


for model in (
    PresentingIssue,
    Substance,
    LegalStatus,
    ReferralRoute,
    OnwardService,
    ServiceType,
    NotProceedReason,
    PracticeMethod,
    GoalCategory,
):
    admin.site.register(model, ReferenceAdmin)


class ScreeningReasonInline(BoundedInline):
    model = ScreeningReason
    extra = 1


@admin.register(ScreeningOutcome)
class ScreeningOutcomeAdmin(ReferenceAdmin):
    list_display = ("name", "code", "effect", "needs_detail", "active", "order")
    inlines = [ScreeningReasonInline]


@admin.register(ClosureReason)
class ClosureReasonAdmin(ReferenceAdmin):
    list_display = ("name", "code", "counts_as_success", "planned_end", "active", "order")
