from django.apps import AppConfig
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def _families_hidden_from(user) -> Q:
    from .models import hidden_rows

    return hidden_rows(user, "pk", by="family_id")


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from families.models import register_restriction

        # A family with a restricted case that does not name the user is hidden from them.
        register_restriction(_families_hidden_from)
