"""The import of historic cases: check a file (the dry run), confirm, apply.

Applying is the documented importer service of issue 20. It writes, in bulk, the same rows
the pathway services write for the same history, with the typed dates (never the moment
of import): the family and its members, the referral, the coded screening decision (and
the waiting-list entry), the case with the stage-change history that move_case writes,
the assessment, the Phase 2 reviews schedule_reviews makes (those held, with their dates),
the closure, one family goal with its GAS scores, and WEMWBS/SDQ readings. It sends no
notification: the referrer of a referral of years ago is told nothing now. It marks every
referral as imported (ImportedRecord: run, file, sha256, row), writes one audit entry per
record created, and tells the due store that the team's deadlines moved.

Why not call the services row by row: they notify referrers and workers of each step and
cost about 60 queries a row; a 10,000-row file must import in under a minute."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, time, timedelta

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from accounts.models import Team, User
from cases.models import Assessment, Case, Closure, SubstanceChange
from cases.services import ImportedCase, import_cases
from core.errors import ServiceError
from core.queueing import enqueue_on_commit
from families.models import Family, MemberKind, Person
from outcomes.models import Goal, GoalScore, Instrument, Occasion, Reading
from reference.models import Effect, GoalCategory, ReferralRoute
from referrals.models import (
    Proceedings,
    Referral,
    ReferralStatus,
    ScreeningDecision,
    WaitingListEntry,
)
from reminders import duestore
from reminders.models import Unit
from reporting.models import FigureSet
from reporting.queries import Scope, team_scope
from reviews.models import Review
from reviews.services import add_months

from .checking import Lists, UnreadableFile, check_rows, read_table
from .models import ImportedRecord, ImportRun, ImportStatus

CHUNK = 1000
# Rows per INSERT: statements of one shape repeat, so the driver converts and the server
# plans each shape once (the connections bind on the server and prepare statements).
BATCH = 100
MAX_BYTES = 20 * 1024 * 1024


def _moment(day: str | date | None) -> datetime | None:
    """A typed day as a moment: midday that day, as the pathway services date a typed day."""
    if day is None:
        return None
    if isinstance(day, str):
        day = date.fromisoformat(day)
    return timezone.make_aware(datetime.combine(day, time(12, 0)))


def _required_moment(day: str | date | None) -> datetime:
    """A date the row checks require (a case's allocation date): never missing here."""
    moment = _moment(day)
    assert moment is not None, "the row checks refuse a case without this date"
    return moment


@transaction.atomic
def check_import(*, team: Team, user: User, file_name: str, content: bytes) -> ImportRun:
    """The dry run: read and check every row, and keep what would be created. Writes only
    the run itself (its report is what the page shows)."""
    if not permissions.is_manager_of(user, team.pk):
        raise ServiceError(_("Only a manager of the team can import its history."))
    if len(content) > MAX_BYTES:
        raise ServiceError(_("The file is too large (at most 20 MB)."))
    try:
        rows = read_table(file_name, content)
    except UnreadableFile as exc:
        raise ServiceError(str(exc)) from exc
    lists = Lists.load(team)
    results = check_rows(rows, lists)
    report = [
        {
            "row": r.number,
            "reference": r.reference,
            "already": r.already,
            "errors": r.errors,
            "summary": r.summary(),
        }
        for r in results
    ]
    plans = [dict(r.plan, row=r.number) for r in results if r.plan is not None]
    return ImportRun.objects.create(
        team=team,
        uploaded_by=user,
        file_name=file_name[:255],
        sha256=hashlib.sha256(content).hexdigest(),
        rows=plans,
        report=report,
        rows_total=len(results),
        rows_to_create=len(plans),
        rows_already=sum(1 for r in results if r.already),
        error_count=sum(len(r.errors) for r in results),
    )


@transaction.atomic
def confirm_import(*, run_id: int, user: User) -> ImportRun:
    """A manager confirms a checked run without errors; a worker applies it."""
    run = ImportRun.objects.select_for_update().get(pk=run_id)
    if not permissions.is_manager_of(user, run.team_id):
        raise ServiceError(_("Only a manager of the team can import its history."))
    if run.status != ImportStatus.CHECKED:
        raise ServiceError(_("This import was already confirmed."))
    if run.error_count:
        raise ServiceError(_("Correct the errors in the file and upload it again first."))
    run.status = ImportStatus.QUEUED
    run.confirmed_by = user
    run.confirmed_at = run.beat_at = timezone.now()
    run.save(update_fields=["status", "confirmed_by", "confirmed_at", "beat_at"])
    from .tasks import run_import

    enqueue_on_commit(run_import, run.pk)
    return run


def apply_import(*, run_id: int) -> ImportRun:
    """Write a confirmed run in chunks, each in its own transaction, counting progress.
    Only a queued run is taken (one conditional UPDATE), so a second delivery of the same
    message writes nothing. Idempotent too: a row whose reference the team already
    imported is skipped, so a run resumed by the sweep, or the same file imported twice,
    creates nothing new."""
    with transaction.atomic():
        taken = ImportRun.objects.filter(pk=run_id, status=ImportStatus.QUEUED).update(
            status=ImportStatus.RUNNING, beat_at=timezone.now()
        )
    run = ImportRun.objects.select_related("team", "confirmed_by").get(pk=run_id)
    if not taken:
        return run
    try:
        writer = _Writer(run)
        for start in range(0, len(run.rows), CHUNK):
            with transaction.atomic():
                chunk = run.rows[start : start + CHUNK]
                run.created += writer.write(chunk)
                ImportRun.objects.filter(pk=run.pk).update(
                    rows_done=start + len(chunk), created=run.created, beat_at=timezone.now()
                )
        with transaction.atomic():
            duestore.mark(Unit.TEAM, run.team_id)
            _forget_stored_figures(run)
            run.status = ImportStatus.DONE
            run.finished_at = timezone.now()
            run.rows_done = len(run.rows)
            run.save(update_fields=["status", "finished_at", "rows_done", "created"])
    except Exception as exc:
        run.status = ImportStatus.FAILED
        run.finished_at = timezone.now()
        run.message = _("The import stopped: %(error)s. Rows before it were imported.") % {
            "error": exc.__class__.__name__
        }
        run.save(update_fields=["status", "finished_at", "message"])
        with transaction.atomic():
            duestore.mark(Unit.TEAM, run.team_id)
            _forget_stored_figures(run)
        raise
    return run


SILENT_AFTER = timedelta(minutes=15)  # longer than any chunk takes
REPUBLISH_AFTER = timedelta(minutes=2)


def sweep_imports(*, now: datetime | None = None) -> list[int]:
    """Publish again a confirmed run no worker took (its message was lost: the broker was
    down at confirmation), and queue again a running run whose worker went silent (killed,
    its machine lost): it resumes, skipping what was already written. Returns the runs."""
    from .tasks import run_import

    now = now or timezone.now()
    with transaction.atomic():
        ImportRun.objects.filter(
            status=ImportStatus.RUNNING, beat_at__lt=now - SILENT_AFTER
        ).update(status=ImportStatus.QUEUED, confirmed_at=now - REPUBLISH_AFTER)
    waiting = list(
        ImportRun.objects.filter(
            status=ImportStatus.QUEUED, confirmed_at__lte=now - REPUBLISH_AFTER
        ).values_list("pk", flat=True)
    )
    for pk in waiting:
        enqueue_on_commit(run_import, pk)
    return waiting


class _Writer:
    def __init__(self, run: ImportRun) -> None:
        self.run = run
        self.team = run.team
        self.user = run.confirmed_by or run.uploaded_by
        self.route = ReferralRoute.objects.order_by("order", "pk").first()
        self.category = (
            GoalCategory.objects.filter(code="other").first()
            or GoalCategory.objects.order_by("order", "pk").first()
        )
        self.offsets = sorted({int(m) for m in self.team.review_offsets_months})
        # Translated once: a 10,000-row file would otherwise translate each 10,000 times.
        self.t = {
            "not_recorded": _("Not recorded (imported)"),
            "from_row": _("Imported from %(file)s, row %(row)s"),
            "allocated": _("Allocated"),
            "missing": _("Imported history: not kept in the source."),
            "goal": _("Family goal (imported; the source kept one GAS score per review)"),
            "level": _("Not recorded in the source"),
        }
        self.types = {
            m: ContentType.objects.get_for_model(m) for m in (Referral, Case, Family, Closure)
        }

    def write(self, plans: list[dict]) -> int:
        refs = [p["reference"] for p in plans]
        done = set(
            ImportedRecord.objects.filter(team=self.team, source_reference__in=refs).values_list(
                "source_reference", flat=True
            )
        )
        plans = [p for p in plans if p["reference"] not in done]
        if not plans:
            return 0
        user, now, t = self.user, timezone.now(), self.t
        families = Family.objects.bulk_create(
            [
                Family(
                    team=self.team,
                    name=p["family_name"],
                    local_authority_id=p["local_authority"],
                )
                for p in plans
            ],
            batch_size=BATCH,
        )
        people: list[Person] = []
        labels = {MemberKind.ADULT: _("Adult"), MemberKind.CHILD: _("Child")}
        first_adult: dict[int, Person] = {}
        first_child: dict[int, Person] = {}
        for i, (p, fam) in enumerate(zip(plans, families, strict=True)):
            for kind, count in ((MemberKind.ADULT, p["adults"]), (MemberKind.CHILD, p["children"])):
                for n in range(count):
                    person = Person(
                        family=fam,
                        kind=kind,
                        first_name=f"{labels[kind]} {n + 1}",
                        last_name=fam.name[:80],
                        relationship="other" if kind == MemberKind.ADULT else "child",
                    )
                    people.append(person)
                    target = first_adult if kind == MemberKind.ADULT else first_child
                    target.setdefault(i, person)
        Person.objects.bulk_create(people, batch_size=BATCH)
        referrals = Referral.objects.bulk_create(
            [
                Referral(
                    team=self.team,
                    family=fam,
                    created_by=user,
                    received_at=_moment(p["referral_date"]),
                    route=self.route,
                    referrer_name=t["not_recorded"],
                    referrer_agency=t["not_recorded"],
                    proceedings=Proceedings.NONE,
                    consent_given=True,
                    reason_for_referral=t["from_row"]
                    % {"file": self.run.file_name, "row": p["row"]},
                    is_rereferral=p["rereferral"],
                    status=_referral_status(p),
                    first_contact_at=_moment(p["first_contact_date"]),
                    family_name=fam.name,
                    local_authority_id=p["local_authority"],
                )
                for p, fam in zip(plans, families, strict=True)
            ],
            batch_size=BATCH,
        )
        ScreeningDecision.objects.bulk_create(
            [
                ScreeningDecision(
                    referral=r,
                    outcome_id=p["outcome"],
                    reason_id=p["reason"],
                    detail=p["detail"],
                    onward_service_id=p["onward_service"],
                    decided_by=user,
                    decided_at=_moment(p["decision_date"]),
                )
                for p, r in zip(plans, referrals, strict=True)
                if p.get("outcome")
            ],
            batch_size=BATCH,
        )
        WaitingListEntry.objects.bulk_create(
            [
                WaitingListEntry(
                    referral=r,
                    added_at=_moment(p["decision_date"]),
                    left_at=_moment(p["allocation_date"]) if p["case"] else None,
                    left_because=t["allocated"] if p["case"] else "",
                )
                for p, r in zip(plans, referrals, strict=True)
                if p.get("effect") == Effect.WAITING_LIST
            ],
            batch_size=BATCH,
        )
        with_case = [
            (i, p, r) for i, (p, r) in enumerate(zip(plans, referrals, strict=True)) if p["case"]
        ]
        cases = import_cases(
            user=user,
            cases=[
                ImportedCase(
                    referral_id=r.pk,
                    family=families[i],
                    team=self.team,
                    worker_id=p["worker"] or user.pk,
                    allocated_at=_required_moment(p["allocation_date"]),
                    assessment_clock_from=(
                        _required_moment(p["allocation_date"])
                        if p["effect"] == Effect.WAITING_LIST
                        else r.received_at
                    ),
                    phase1_planned_start=p["assessment_end"] if p["phase1_start"] else None,
                    phase1_start=p["phase1_start"],
                    phase1_end=p["phase1_end"],
                    stages=[(stage, _moment(day)) for stage, day in p["stages"]],
                    note=t["from_row"] % {"file": self.run.file_name, "row": p["row"]},
                )
                for i, p, r in with_case
            ],
            batch_size=BATCH,
        )
        assessments, reviews, closures = [], [], []
        for (_i, p, _r), case in zip(with_case, cases, strict=True):
            if p["assessment_start"]:
                assessments.append(
                    Assessment(
                        case=case,
                        started_at=_moment(p["assessment_start"]),
                        completed_at=_moment(p["assessment_end"]),
                        decision=p["assessment_decision"],
                        not_proceed_reason_id=p["not_proceed_reason"],
                    )
                )
            if p["phase1_end"]:
                end = date.fromisoformat(p["phase1_end"])
                for months in self.offsets:
                    held = p["reviews_held"].get(str(months))
                    reviews.append(
                        Review(
                            case=case,
                            offset_months=months,
                            due_on=add_months(end, months),
                            held_on=held,
                            recorded_by=user if held else None,
                        )
                    )
            if p["closure_reason"]:
                closures.append(
                    Closure(
                        case=case,
                        reason_id=p["closure_reason"],
                        closed_on=p["closure_date"],
                        derived_success=p["closure_success"],
                        substance_change=SubstanceChange.UNKNOWN,
                        measures_missing_reason=t["missing"],
                        closed_by=user,
                    )
                )
        Assessment.objects.bulk_create(assessments, batch_size=BATCH)
        Review.objects.bulk_create(reviews, batch_size=BATCH)
        Closure.objects.bulk_create(closures, batch_size=BATCH)
        self._scores(with_case, cases, reviews, first_adult, first_child)
        ImportedRecord.objects.bulk_create(
            [
                ImportedRecord(
                    run=self.run,
                    team=self.team,
                    source_reference=p["reference"],
                    row_number=p["row"],
                    referral=r,
                )
                for p, r in zip(plans, referrals, strict=True)
            ],
            batch_size=BATCH,
        )
        self._audit([*referrals, *cases, *closures], now)
        return len(referrals)

    def _scores(self, with_case, cases, reviews, first_adult, first_child) -> None:
        user = self.user
        review_of = {(r.case_id, r.offset_months): r for r in reviews}
        goals, pending, readings = [], [], []
        for (i, p, _r), case in zip(with_case, cases, strict=True):
            if p["gas_baseline"] is not None or p["gas"]:
                start_day = p["phase1_start"] or p["assessment_start"] or p["allocation_date"]
                goal = Goal(
                    case=case,
                    title=self.t["goal"],
                    category=self.category,
                    level_minus2=self.t["level"],
                    level_minus1=self.t["level"],
                    level_0=self.t["level"],
                    level_plus1=self.t["level"],
                    level_plus2=self.t["level"],
                    baseline=p["gas_baseline"] if p["gas_baseline"] is not None else -1,
                    created_by=user,
                )
                goals.append(goal)
                if p["gas_baseline"] is not None:
                    pending.append((goal, None, p["gas_baseline"], start_day))
                for months, score in p["gas"].items():
                    review = review_of.get((case.pk, int(months)))
                    pending.append((goal, review, score, p["reviews_held"][months]))
            for instrument, person, prefix in (
                (Instrument.WEMWBS, first_adult.get(i), "wemwbs"),
                (Instrument.SDQ, first_child.get(i), "sdq"),
            ):
                for occasion, key, day in (
                    (
                        Occasion.START,
                        f"{prefix}_start",
                        p["assessment_start"] or p["allocation_date"],
                    ),
                    (Occasion.CLOSURE, f"{prefix}_end", p["closure_date"]),
                ):
                    if p[key] is not None and person is not None:
                        readings.append(
                            Reading(
                                case=case,
                                person=person,
                                instrument=instrument,
                                occasion=occasion,
                                taken_on=day,
                                total=p[key],
                                recorded_by=user,
                            )
                        )
        Goal.objects.bulk_create(goals, batch_size=BATCH)
        GoalScore.objects.bulk_create(
            [
                GoalScore(goal=g, review=r, score=s, scored_on=d, recorded_by=user)
                for g, r, s, d in pending
            ],
            batch_size=BATCH,
        )
        Reading.objects.bulk_create(readings, batch_size=BATCH)

    def _audit(self, objects: list, now: datetime) -> None:
        extra = {
            "import_run": self.run.pk,
            "file": self.run.file_name,
            "sha256": self.run.sha256,
        }
        LogEntry.objects.bulk_create(
            [
                LogEntry(
                    content_type=self.types[type(obj)],
                    object_pk=str(obj.pk),
                    object_id=obj.pk,
                    object_repr=str(obj)[:200]
                    if not isinstance(obj, Referral)
                    else f"Referral {obj.pk}",
                    action=LogEntry.Action.CREATE,
                    changes={},
                    actor=self.user,
                    timestamp=now,
                    additional_data=extra,
                )
                for obj in objects
            ],
            batch_size=BATCH,
        )


def _forget_stored_figures(run: ImportRun) -> None:
    """The report card reads stored figures (reporting.store), and a settled quarter's are
    kept a day: history imported into it must show at once. Forget the sets of the team,
    of the local authorities of its families and of all teams; they are computed again
    when next read. Published cards are snapshots and are left alone."""
    la_ids = set(
        Family.objects.filter(team=run.team).values_list("local_authority_id", flat=True)
    ) | set(run.team.local_authorities.values_list("pk", flat=True))
    keys = [team_scope(run.team).key, Scope("all").key]
    keys += [Scope("la", la_id=pk).key for pk in la_ids]
    FigureSet.objects.filter(scope_key__in=keys).delete()


def _referral_status(p: dict) -> str:
    effect = p.get("effect")
    if not effect:
        return ReferralStatus.SUBMITTED
    if p["case"]:
        return ReferralStatus.ALLOCATED
    return {
        Effect.ACCEPT: ReferralStatus.ACCEPTED,
        Effect.WAITING_LIST: ReferralStatus.WAITING,
        Effect.REFER_ON: ReferralStatus.REFERRED_ON,
        Effect.CLOSE: ReferralStatus.CLOSED,
    }[Effect(effect)]
