from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "imports"
    verbose_name = _("Imports of historic cases")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        # Uploading, confirming and finishing an import are logged like any other change;
        # the records an import creates get one audit entry each (imports.services).
        auditlog.register(self.get_model("ImportRun"), exclude_fields=["rows", "report"])
