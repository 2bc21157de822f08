from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared plumbing under every domain app: service errors, the form-to-service helper,
    versioned forms and date widgets, queueing after commit, the typed request. No models,
    and it imports no app of the project (the one type-only exception is core.http)."""

    name = "core"
    verbose_name = "Core"
