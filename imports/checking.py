"""Reading a spreadsheet and checking every row: the dry run. Nothing here writes.

Each row becomes either a plan (typed values, JSON-ready, that imports.services writes) or
a list of errors in words, each naming its row and column. Rows are numbered as the
spreadsheet shows them (the header is row 1)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import CASEWORKER_ROLES, LocalAuthority, Membership, Team
from cases.models import Decision
from reference.models import (
    ClosureReason,
    Effect,
    NotProceedReason,
    OnwardService,
    ScreeningOutcome,
    ScreeningReason,
)

from .columns import BY_NAME, GAS_COLUMNS, NAMES, REVIEW_COLUMNS

MAX_ROWS = 20_000


class UnreadableFile(ValueError):
    pass


def read_table(file_name: str, content: bytes) -> list[dict[str, str]]:
    """The rows of a CSV or XLSX file as dicts of text keyed by the (lower-cased) header."""
    if file_name.lower().endswith(".xlsx"):
        grid = _xlsx_grid(content)
    elif file_name.lower().endswith(".csv"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = content.decode("cp1252", errors="replace")
        # PostgreSQL stores no NUL character in text or JSON: a stray one is dropped.
        text = text.replace("\x00", "")
        try:
            grid = list(csv.reader(io.StringIO(text)))
        except csv.Error as exc:
            raise UnreadableFile(_("This is not a readable CSV file: %(e)s.") % {"e": exc}) from exc
    else:
        raise UnreadableFile(_("Upload a .csv or .xlsx file."))
    if not grid:
        raise UnreadableFile(_("The file is empty."))
    header = [h.strip().lower() for h in grid[0]]
    unknown = [h for h in header if h and h not in BY_NAME]
    if unknown:
        raise UnreadableFile(
            _("Unknown columns: %(cols)s. Use the template's column names.")
            % {"cols": ", ".join(unknown)}
        )
    if "reference" not in header or "referral_date" not in header:
        raise UnreadableFile(_("The file needs at least the reference and referral_date columns."))
    rows = []
    for values in grid[1:]:
        row = {h: (values[i] if i < len(values) else "").strip() for i, h in enumerate(header) if h}
        rows.append(row)
    while rows and not any(rows[-1].values()):
        rows.pop()
    if len(rows) > MAX_ROWS:
        raise UnreadableFile(_("At most %(n)s rows per file.") % {"n": MAX_ROWS})
    return rows


def _xlsx_grid(content: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not XLSX
        raise UnreadableFile(_("This is not a readable XLSX file.")) from exc
    sheet = book.worksheets[0]
    grid = []
    for values in sheet.iter_rows(values_only=True):
        grid.append([_cell(v) for v in values])
    book.close()
    return grid


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace("\x00", "")


@dataclass
class Lists:
    """The reference lists and the team's facts, read once per check."""

    team: Team
    outcomes: dict[str, ScreeningOutcome]
    reasons: dict[tuple[int, str], ScreeningReason]
    onward: dict[str, OnwardService]
    not_proceed: dict[str, NotProceedReason]
    closure: dict[str, ClosureReason]
    authorities: dict[str, LocalAuthority]
    default_la: LocalAuthority | None
    workers: dict[str, int]
    already: set[str] = field(default_factory=set)

    @classmethod
    def load(cls, team: Team) -> Lists:
        las = list(team.local_authorities.all())
        authorities = {}
        for la in LocalAuthority.objects.all():
            authorities[la.name.lower()] = la
            authorities[la.code.lower()] = la
        workers = dict(
            Membership.objects.active()
            .filter(team=team, role__in=CASEWORKER_ROLES, user__is_active=True)
            .values_list("user__username", "user_id")
        )
        from .models import ImportedRecord

        return cls(
            team=team,
            outcomes={o.code: o for o in ScreeningOutcome.objects.all()},
            reasons={(r.outcome_id, r.code): r for r in ScreeningReason.objects.all()},
            onward={o.code: o for o in OnwardService.objects.all()},
            not_proceed={o.code: o for o in NotProceedReason.objects.all()},
            closure={o.code: o for o in ClosureReason.objects.all()},
            authorities=authorities,
            default_la=las[0] if len(las) == 1 else None,
            workers={k.lower(): v for k, v in workers.items()},
            already=set(
                ImportedRecord.objects.filter(team=team).values_list("source_reference", flat=True)
            ),
        )


def _date(text: str) -> date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError


@dataclass
class RowResult:
    number: int
    reference: str
    plan: dict | None
    errors: list[str]
    already: bool = False

    def summary(self) -> str:
        if self.already:
            return _("Already imported: nothing new.")
        if self.errors:
            return ""
        return _describe(self.plan)


def _describe(plan: dict) -> str:
    parts = [_("referral of %(day)s") % {"day": plan["referral_date"]}]
    if plan.get("outcome"):
        parts.append(_("screening: %(o)s") % {"o": plan["outcome_name"]})
    if plan.get("case"):
        parts.append(_("case (%(stages)s)") % {"stages": ", ".join(s for s, _d in plan["stages"])})
    if plan.get("reviews_held"):
        parts.append(_("%(n)s reviews held") % {"n": len(plan["reviews_held"])})
    if plan.get("closure_reason"):
        parts.append(_("closed %(day)s") % {"day": plan["closure_date"]})
    return "; ".join(parts)


def check_rows(rows: list[dict[str, str]], lists: Lists) -> list[RowResult]:
    seen: dict[str, int] = {}
    results = []
    for i, raw in enumerate(rows):
        number = i + 2
        result = check_row(number, raw, lists)
        ref = result.reference
        if ref and ref in seen:
            result.errors.append(
                _("Row %(row)s, column reference: %(ref)s is also on row %(other)s.")
                % {"row": number, "ref": ref, "other": seen[ref]}
            )
            result.plan = None
        elif ref:
            seen[ref] = number
        results.append(result)
    return results


def check_row(number: int, raw: dict[str, str], lists: Lists) -> RowResult:
    errors: list[str] = []
    today = timezone.localdate()

    def err(column: str, message: str) -> None:
        errors.append(
            _("Row %(row)s, column %(col)s: %(msg)s")
            % {"row": number, "col": column, "msg": message}
        )

    values: dict[str, object] = {}
    for name in NAMES:
        text = raw.get(name, "")
        col = BY_NAME[name]
        if not text:
            if col.required:
                err(name, _("this is required."))
            values[name] = None
            continue
        if col.kind == "date":
            try:
                day = _date(text)
            except ValueError:
                err(name, _("“%(v)s” is not a date (use YYYY-MM-DD or DD/MM/YYYY).") % {"v": text})
                values[name] = None
                continue
            if day > today:
                err(name, _("%(v)s is in the future.") % {"v": text})
            values[name] = day
        elif col.kind == "int":
            try:
                n = int(text)
            except ValueError:
                err(name, _("“%(v)s” is not a whole number.") % {"v": text})
                values[name] = None
                continue
            if (col.low is not None and n < col.low) or (col.high is not None and n > col.high):
                err(
                    name,
                    _("%(v)s is outside %(lo)s to %(hi)s.")
                    % {"v": n, "lo": col.low, "hi": col.high},
                )
            values[name] = n
        elif col.kind == "yesno":
            low = text.lower()
            if low not in ("yes", "no", "y", "n", "true", "false", "1", "0"):
                err(name, _("“%(v)s” should be yes or no.") % {"v": text})
            values[name] = low in ("yes", "y", "true", "1")
        else:
            values[name] = text
    ref = (values["reference"] or "")[:60] if values["reference"] else ""
    if values["reference"] and len(values["reference"]) > 60:
        err("reference", _("at most 60 characters."))
    if ref and ref in lists.already:
        return RowResult(number, ref, None, [], already=True)
    plan = _plan(values, lists, err)
    return RowResult(number, ref, None if errors else plan, errors)


def _plan(v: dict, lists: Lists, err) -> dict:
    iso = lambda d: d.isoformat() if d else None  # noqa: E731
    plan: dict = {
        "reference": v["reference"],
        "family_name": (v["family_name"] or v["reference"] or "")[:120],
        "referral_date": iso(v["referral_date"]),
        "rereferral": bool(v["rereferral"]),
        "first_contact_date": iso(v["first_contact_date"]),
        "adults": v["adults"] or 0,
        "children": v["children"] or 0,
    }
    received = v["referral_date"]

    def not_before(col: str, earlier_col: str) -> None:
        if v[col] and v[earlier_col] and v[col] < v[earlier_col]:
            err(
                col,
                _("%(a)s is before %(b)s (%(day)s).")
                % {"a": v[col], "b": earlier_col, "day": v[earlier_col]},
            )

    la = None
    if v["local_authority"]:
        la = lists.authorities.get(v["local_authority"].lower())
        if la is None:
            err(
                "local_authority",
                _("“%(v)s” is not a local authority.") % {"v": v["local_authority"]},
            )
    else:
        la = lists.default_la
        if la is None:
            err("local_authority", _("required: the team serves more than one local authority."))
    plan["local_authority"] = la.pk if la else None
    not_before("first_contact_date", "referral_date")

    # Screening.
    outcome = None
    if v["screening_outcome"]:
        outcome = lists.outcomes.get(v["screening_outcome"])
        if outcome is None:
            err(
                "screening_outcome",
                _("“%(v)s” is not a screening outcome code.") % {"v": v["screening_outcome"]},
            )
        if not v["decision_date"]:
            err("decision_date", _("required with a screening outcome."))
        if not v["screening_reason"]:
            err("screening_reason", _("required with a screening outcome (a reason is mandatory)."))
    elif v["decision_date"] or v["screening_reason"]:
        err("screening_outcome", _("required with a decision date or reason."))
    not_before("decision_date", "referral_date")
    if outcome is not None:
        reason = lists.reasons.get((outcome.pk, v["screening_reason"] or ""))
        if v["screening_reason"] and reason is None:
            err(
                "screening_reason",
                _("“%(v)s” is not a reason of the outcome %(o)s.")
                % {"v": v["screening_reason"], "o": outcome.code},
            )
        if outcome.needs_detail and not v["decision_detail"]:
            err(
                "decision_detail",
                _("the outcome %(o)s needs a written reason.") % {"o": outcome.code},
            )
        onward = None
        if outcome.effect == Effect.REFER_ON:
            onward = lists.onward.get(v["onward_service"] or "")
            if onward is None:
                err(
                    "onward_service", _("say which service (a code) the family was referred on to.")
                )
        plan.update(
            outcome=outcome.pk,
            outcome_name=str(outcome),
            effect=outcome.effect,
            reason=reason.pk if reason else None,
            detail=v["decision_detail"] or "",
            onward_service=onward.pk if onward else None,
            decision_date=iso(v["decision_date"]),
        )

    # The case: allocated after an accepting or waiting-list decision.
    has_case_data = any(
        v[c] for c in ("allocation_date", "assessment_start", "phase1_start", "closure_date")
    )
    plan["case"] = False
    if has_case_data:
        if outcome is None or outcome.effect not in (Effect.ACCEPT, Effect.WAITING_LIST):
            err(
                "screening_outcome",
                _(
                    "a case (assessment, Phase 1 or closure) needs an accepting "
                    "or waiting-list outcome."
                ),
            )
            return plan
        allocated = v["allocation_date"] or (
            v["decision_date"] if outcome.effect == Effect.ACCEPT else v["assessment_start"]
        )
        if allocated is None:
            err("allocation_date", _("required for a family taken from the waiting list."))
            return plan
        if v["decision_date"] and allocated < v["decision_date"]:
            err(
                "allocation_date",
                _("the case cannot be allocated before the decision (%(d)s).")
                % {"d": v["decision_date"]},
            )
        worker = lists.workers.get((v["worker"] or "").lower()) if v["worker"] else None
        if v["worker"] and worker is None:
            err("worker", _("“%(v)s” is not a practitioner of this team.") % {"v": v["worker"]})
        stages = [("awaiting_assessment", allocated)]
        if v["assessment_start"]:
            if v["assessment_start"] < allocated:
                err(
                    "assessment_start",
                    _("the assessment cannot start before the case was allocated (%(d)s).")
                    % {"d": allocated},
                )
            stages.append(("assessment", v["assessment_start"]))
        elif v["assessment_end"] or v["assessment_decision"]:
            err("assessment_start", _("required with an assessment end or decision."))
        not_before("assessment_end", "assessment_start")
        decision = v["assessment_decision"] or ""
        if decision and decision not in Decision.values:
            err("assessment_decision", _("use proceed or not_proceed."))
        if decision and not v["assessment_end"]:
            err("assessment_end", _("required with an assessment decision."))
        np_reason = None
        if decision == Decision.NOT_PROCEED:
            np_reason = lists.not_proceed.get(v["not_proceed_reason"] or "")
            if np_reason is None:
                err("not_proceed_reason", _("give the coded reason the family did not proceed."))
            if v["phase1_start"]:
                err("phase1_start", _("the family did not proceed: no Phase 1."))
            if v["assessment_end"]:
                stages.append(("closed", v["assessment_end"]))
        if v["phase1_start"]:
            if decision != Decision.PROCEED:
                err("assessment_decision", _("Phase 1 needs the decision proceed."))
            not_before("phase1_start", "assessment_end")
            stages.append(("phase1", v["phase1_start"]))
        elif v["phase1_end"]:
            err("phase1_start", _("required with a Phase 1 end."))
        elif decision == Decision.PROCEED:
            err("phase1_start", _("required when the family proceeded."))
        if v["phase1_end"]:
            not_before("phase1_end", "phase1_start")
            stages.append(("phase2", v["phase1_end"]))
        held = {}
        offsets = {int(m) for m in lists.team.review_offsets_months}
        for months, col in REVIEW_COLUMNS.items():
            if v[col]:
                if months not in offsets:
                    err(
                        col,
                        _("the team holds no %(n)s-month review (its reviews: %(list)s months).")
                        % {"n": months, "list": ", ".join(str(m) for m in sorted(offsets))},
                    )
                elif not v["phase1_end"]:
                    err(col, _("reviews follow the end of Phase 1: give phase1_end."))
                else:
                    not_before(col, "phase1_end")
                held[str(months)] = iso(v[col])
        gas = {}
        for months, col in GAS_COLUMNS.items():
            if v[col] is not None:
                if str(months) not in held:
                    err(
                        col,
                        _("a GAS score needs the review's date (%(c)s).")
                        % {"c": REVIEW_COLUMNS[months]},
                    )
                gas[str(months)] = v[col]
        closure_reason = None
        if v["closure_date"]:
            if decision == Decision.NOT_PROCEED:
                err(
                    "closure_date",
                    _("the case closed when the family did not proceed; leave it empty."),
                )
            closure_reason = lists.closure.get(v["closure_reason"] or "")
            if closure_reason is None:
                err("closure_reason", _("give the coded reason the case closed."))
            last = stages[-1][1]
            if v["closure_date"] < last:
                err(
                    "closure_date",
                    _("the case cannot close before its last change of stage (%(d)s).")
                    % {"d": last},
                )
            stages.append(("closed", v["closure_date"]))
        elif v["closure_reason"]:
            err("closure_date", _("required with a closure reason."))
        if v["wemwbs_start"] is not None or v["wemwbs_end"] is not None:
            if not plan["adults"]:
                err("adults", _("WEMWBS scores need at least one adult."))
        if v["sdq_start"] is not None or v["sdq_end"] is not None:
            if not plan["children"]:
                err("children", _("SDQ scores need at least one child."))
        for col in ("wemwbs_end", "sdq_end"):
            if v[col] is not None and not v["closure_date"]:
                err(col, _("a closing score needs the closure_date."))
        plan.update(
            case=True,
            worker=worker,
            allocation_date=iso(allocated),
            stages=[(s, iso(d)) for s, d in stages],
            assessment_start=iso(v["assessment_start"]),
            assessment_end=iso(v["assessment_end"]),
            assessment_decision=decision,
            not_proceed_reason=np_reason.pk if np_reason else None,
            phase1_start=iso(v["phase1_start"]),
            phase1_end=iso(v["phase1_end"]),
            reviews_held=held,
            gas_baseline=v["gas_baseline"],
            gas=gas,
            closure_date=iso(v["closure_date"]) if closure_reason else None,
            closure_reason=closure_reason.pk if closure_reason else None,
            closure_success=bool(closure_reason and closure_reason.counts_as_success),
            closure_reason_name=str(closure_reason) if closure_reason else "",
            wemwbs_start=v["wemwbs_start"],
            wemwbs_end=v["wemwbs_end"],
            sdq_start=v["sdq_start"],
            sdq_end=v["sdq_end"],
        )
    elif any(v[c] for c in ("assessment_end", "phase1_end", "closure_reason")):
        err(
            "assessment_start",
            _("later steps need the earlier ones (assessment start, Phase 1 start, closure date)."),
        )
    del received
    return plan
