"""Baselines and targets: set in the app by a team's managers and performance officers
(reporting.services.set_target), every change kept with who, when and why
(reporting.models.TargetChange). The card, the summary and every chart read the current
ones through `current_targets`, and nothing else."""

from __future__ import annotations

from .models import MeasureTarget


def as_float(value) -> float | None:
    return float(value) if value is not None else None


def current_targets(team_id: int | None) -> dict[str, tuple[float | None, float | None]]:
    """measure code -> (baseline, target) of a team (empty for other scopes), one query."""
    if team_id is None:
        return {}
    return {
        code: (as_float(baseline), as_float(target))
        for code, baseline, target in MeasureTarget.objects.filter(team_id=team_id).values_list(
            "measure__code", "baseline", "target"
        )
    }
