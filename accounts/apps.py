from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and teams")

    def ready(self) -> None:
        from . import (
            integer_lookups,  # noqa: F401 - registers the bounded `in` lookup
            language,  # noqa: F401 - remembers the sign-in language
        )
