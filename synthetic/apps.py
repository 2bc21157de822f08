from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SyntheticConfig(AppConfig):
    """Generates a realistic national dataset for performance work (no models)."""

    name = "synthetic"
    verbose_name = _("Synthetic data")
