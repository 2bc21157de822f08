"""What the end of Phase 1 expects to have been measured (cases.services.end_phase1 asks
through cases.hooks; outcomes registers this in its AppConfig.ready())."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from core.errors import ServiceError

from .models import GAS_LEVELS, Goal, Occasion, Reading

if TYPE_CHECKING:
    from cases.models import Case


def phase1_gaps(case: Case, scores: dict[int, int]) -> list[str]:
    """The end-of-Phase-1 scores checked (this case's goals, on the scale), and what the end
    of Phase 1 asks for and has not got: a GAS score for every goal, and an end-of-Phase-1
    reading for everyone who had one at the start."""
    goals = set(Goal.objects.filter(case=case).values_list("pk", flat=True))
    if set(scores) - goals:
        raise ServiceError(_("Scores can be given only for this case's goals."))
    if any(score not in GAS_LEVELS for score in scores.values()):
        raise ServiceError(_("Goal scores run from -2 to +2."))
    missing = [
        str(_("a score for '%(goal)s'") % {"goal": g.title})
        for g in Goal.objects.filter(case=case)
        if g.pk not in scores
    ]
    readings = Reading.objects.filter(case=case).select_related("person")
    ended = {(r.person_id, r.instrument) for r in readings if r.occasion == Occasion.END_PHASE1}
    missing += [
        str(
            _("a %(measure)s reading for %(person)s")
            % {"measure": r.get_instrument_display(), "person": r.person.full_name}
        )
        for r in readings
        if r.occasion == Occasion.START and (r.person_id, r.instrument) not in ended
    ]
    return missing
