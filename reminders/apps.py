from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemindersConfig(AppConfig):
    name = "reminders"
    verbose_name = _("Deadlines and reminders")

    def ready(self) -> None:
        from cases.signals import stage_changed

        from . import signals

        signals.connect()
        # A case leaving the intensive stages frees capacity: recheck the waiting list.
        stage_changed.connect(
            signals.recheck_when_capacity_frees, dispatch_uid="reminders.recheck_waiting_list"
        )
