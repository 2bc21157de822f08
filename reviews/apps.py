from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Phase 2 reviews and boosters")

    def ready(self) -> None:
        from cases.signals import phase1_ended

        from .services import schedule_reviews

        def schedule_after_phase1(sender, case, **kwargs) -> None:
            schedule_reviews(case_id=case.pk)

        # The Phase 2 reviews are scheduled from the end of Phase 1 (cases.services.end_phase1).
        phase1_ended.connect(schedule_after_phase1, weak=False, dispatch_uid="reviews.schedule")
