from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutcomesConfig(AppConfig):
    name = "outcomes"
    verbose_name = _("Goals and outcome measures")

    def ready(self) -> None:
        from cases import hooks

        from .closing import closing_gaps
        from .phase1 import phase1_gaps

        # What ending Phase 1 and closing a case expect to have been measured.
        hooks.register_phase1_check(phase1_gaps)
        hooks.register_closing_check(closing_gaps)
