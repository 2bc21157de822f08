from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """Subject access exports and the retention review with anonymisation. They read and
    rewrite records of every app, so this app sits above them all; no app imports it."""

    name = "privacy"
    verbose_name = _("Privacy")
