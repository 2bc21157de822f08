from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import signals  # noqa: F401 - sign-in events

        # Every change to these records is logged with the fields before and after; views
        # are logged by audit.services.record_view.
        for label in (
            "accounts.User",
            "accounts.Team",
            "accounts.Membership",
            "families.Family",
            "families.Person",
            "families.Consent",
            "referrals.Referral",
            "referrals.ScreeningDecision",
            "referrals.WaitingListEntry",
            "cases.Case",
            "cases.Assessment",
            "cases.Contact",
            "cases.FamilyPlan",
            "cases.Closure",
            "cases.ChildOutcome",
            "cases.Phase1SignOff",
            "cases.Phase1EndScore",
            "outcomes.Goal",
            "outcomes.GoalScore",
            "outcomes.Reading",
            "outcomes.ServiceUse",
            "reviews.Review",
            "reviews.Booster",
            "teamwork.Consultation",
            "teamwork.TrainingSession",
            "teamwork.Feedback",
            "teamwork.Complaint",
            "reporting.Narrative",
            "reporting.TeamAgenda",
            "reporting.MeasureTarget",
        ):
            from django.apps import apps

            model = apps.get_model(label)
            exclude = ["password", "last_login"] if label == "accounts.User" else []
            # The services ticked on a before/after record are a many-to-many: logged too.
            m2m = {"services"} if label == "outcomes.ServiceUse" else None
            auditlog.register(model, exclude_fields=exclude, m2m_fields=m2m)

        from .admin import audit_every_admin

        # INSTALLED_APPS lists django.contrib.admin first: its ready() has imported every
        # app's admin module (autodiscover), so every model admin is registered by now.
        audit_every_admin()
