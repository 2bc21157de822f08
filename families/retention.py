"""When a family's retention period starts: the moment its last case closed, stored on the
family (Family.last_closed_at) so the manager's retention review (privacy.services.
retention_due) is a range of the (team, date) index, not a GROUP BY of the team's cases
(docs/performance.md, issue 15).

The one rule, refresh_last_closed: NULL while any case of the family is open or none has
closed; otherwise the latest closed_at of its cases. Every writer of a case's stage,
closed_at or family calls it in the same transaction (cases.services.move_case, open_case,
import_cases; the synthetic generator once at the end, for every family):
tests/families/test_retention_writers.py walks the code so a new writer without the call
fails. Referrals do not move it: the queue checks "no referral since the cutoff" per
candidate family, on the referral's family index."""

from __future__ import annotations

from django.db.models import Case as CaseWhen
from django.db.models import Exists, OuterRef, QuerySet, Subquery, When

from .models import Family

# cases.pathway.Stage.CLOSED: families sits below cases (README "Architecture: layers") and
# cannot import it; tests/families/test_retention.py asserts the two are the same.
CLOSED_STAGE = "closed"


def last_closed_expression():
    """The stored value, as an expression over a family row (also the migration's backfill)."""
    case_model = Family._meta.get_field("cases").related_model
    cases = case_model.objects.filter(family=OuterRef("pk"))
    last = cases.filter(closed_at__isnull=False).order_by("-closed_at").values("closed_at")[:1]
    return CaseWhen(
        When(Exists(cases.exclude(stage=CLOSED_STAGE)), then=None),
        default=Subquery(last),
    )


def refresh_last_closed(families: QuerySet[Family]) -> int:
    """Recompute Family.last_closed_at for these families (one UPDATE); returns the count."""
    return families.order_by().update(last_closed_at=last_closed_expression())
