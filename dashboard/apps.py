from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    """The web shell, the top layer: each role's home page and the navigation every page
    shows. It may import any app; no app imports it."""

    name = "dashboard"
    verbose_name = _("Dashboard")
