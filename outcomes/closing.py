"""What the team expects to have measured by the time a case closes (issue 14).

A closing reading is expected for every person and measure with a reading at the start:
without it the before/after pair is lost. A goal is expected to have been scored again
after its baseline (at a Phase 2 review): without that, its distance travelled is unknown.
The closure form lists these gaps, and `cases.services.close_case` refuses to close while
any is open unless the reason is recorded.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from .models import Goal, GoalScore, Instrument, Occasion, Reading


def closing_gaps(case_id: int) -> list[str]:
    """The missing closing readings and goal scores of a case, one sentence each. Two
    queries."""
    readings = list(
        Reading.objects.filter(case_id=case_id, occasion__in=[Occasion.START, Occasion.CLOSURE])
        .select_related("person")
        .order_by("person_id", "instrument")
    )
    closed = {(r.person_id, r.instrument) for r in readings if r.occasion == Occasion.CLOSURE}
    gaps = [
        _("No closing %(measure)s reading for %(name)s (there is one from the start).")
        % {"measure": Instrument(r.instrument).label, "name": r.person.full_name}
        for r in readings
        if r.occasion == Occasion.START and (r.person_id, r.instrument) not in closed
    ]
    rescored = GoalScore.objects.filter(goal__case_id=case_id, review__isnull=False)
    unscored = (
        Goal.objects.filter(case_id=case_id)
        .exclude(pk__in=rescored.values("goal_id"))
        .order_by("created_at", "pk")
    )
    gaps += [
        _("Goal \u201c%(goal)s\u201d has not been scored since its baseline.") % {"goal": g.title}
        for g in unscored
    ]
    return gaps
