from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemindersConfig(AppConfig):
    name = "reminders"
    verbose_name = _("Deadlines and reminders")

    def ready(self) -> None:
        from . import signals

        signals.connect()
