"""Build a report card PDF, or print its figures as JSON, for scripting and checking.

python manage.py report_card --team "Gwent IFST" --period 2026Q2 --json
python manage.py report_card --all --period FY2025 --pdf card.pdf
python manage.py report_card --la Cardiff --period 2026-04-01..2026-06-30 --cohort --json
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder

from accounts.models import LocalAuthority, Team
from reporting import periods
from reporting.card import board_suppression, build_card
from reporting.pdf import render_report_card_pdf
from reporting.queries import Scope, la_scope, team_scope


class Command(BaseCommand):
    help = "Build a report card PDF or print its figures as JSON for a team, an LA or all teams."

    def add_arguments(self, parser) -> None:
        where = parser.add_mutually_exclusive_group(required=True)
        where.add_argument("--team", help="team name")
        where.add_argument("--la", help="local authority name")
        where.add_argument("--all", action="store_true", help="all teams")
        parser.add_argument("--period", required=True, help="2026Q2, FY2026 or a..b dates")
        parser.add_argument("--cohort", action="store_true", help="the cohort referred")
        out = parser.add_mutually_exclusive_group(required=True)
        out.add_argument("--json", action="store_true", help="print the figures as JSON")
        out.add_argument("--pdf", metavar="FILE", help="write the PDF here")

    def handle(self, *args: object, **options: object) -> None:
        try:
            period = periods.parse(str(options["period"]))
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        scope = self._scope(options)
        basis = "cohort" if options["cohort"] else "events"
        if options["json"]:
            card = build_card(scope, period, basis=basis, with_trends=False)
            self.stdout.write(json.dumps(_figures(card), cls=DjangoJSONEncoder, indent=2))
            return
        card = build_card(scope, period, basis=basis, suppress=board_suppression())
        with open(str(options["pdf"]), "wb") as handle:
            handle.write(render_report_card_pdf(card))
        self.stdout.write(self.style.SUCCESS(f"Wrote {options['pdf']}"))

    @staticmethod
    def _scope(options: dict) -> Scope:
        if options["all"]:
            return Scope("all")
        if options["team"]:
            team = Team.objects.filter(name=options["team"]).first()
            if team is None:
                raise CommandError(f"No team called {options['team']!r}")
            return team_scope(team)
        la = LocalAuthority.objects.filter(name=options["la"]).first()
        if la is None:
            raise CommandError(f"No local authority called {options['la']!r}")
        return la_scope(la)


def _figures(card: dict) -> dict:
    return {
        "scope": card["scope"].label,
        "period": {
            "label": card["period"].label,
            "start": card["period"].start,
            "end": card["period"].end,
        },
        "basis": card["basis"],
        "measures": {
            line.definition.code: {
                "name": str(line.definition.name),
                "value": line.figure.value,
                "numerator": line.figure.numerator,
                "denominator": line.figure.denominator,
                "unit": line.figure.unit,
                "rows": line.figure.rows,
            }
            for _title, lines in card["quadrants"]
            for line in lines
        },
        "throughput": card["throughput"],
        "context": {
            k: [{"label": r["label"], "n": r["n"]} for r in v] for k, v in card["context"].items()
        },
    }
