"""python manage.py generate_national --factor 1.0 --seed 42

Loads the synthetic national dataset (synthetic/generator.py) into the configured
database, in bulk, printing progress. Use an empty database made for it (for example
`createdb ifss_bench` then `manage.py migrate`): it adds 15 teams and their people."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.models import Team
from synthetic.generator import TEAMS, Generator


class Command(BaseCommand):
    help = "Generate a deterministic synthetic national dataset (factor 1.0: 150,000 families)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--factor", type=float, default=1.0)
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument(
            "--end",
            type=date.fromisoformat,
            default=None,
            help="The dataset's 'today' (YYYY-MM-DD); default: today. History starts 2015-04-01.",
        )
        parser.add_argument("--password", default="synthetic-pass", help="Every user's password.")
        parser.add_argument("--chunk", type=int, default=2000, help="Families per transaction.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Generate and count the rows, write nothing."
        )

    def handle(self, *args, **options) -> None:
        factor = options["factor"]
        if not 0 < factor <= 10:
            raise CommandError("--factor must be above 0 and at most 10.")
        names = [name for name, _las, _w in TEAMS]
        if not options["dry_run"] and Team.objects.filter(name__in=names).exists():
            raise CommandError(
                "The synthetic teams are already in this database: use a fresh database."
            )
        generator = Generator(
            factor=factor,
            seed=options["seed"],
            end=options["end"] or timezone.localdate(),
            password=options["password"],
            dry_run=options["dry_run"],
            chunk_families=options["chunk"],
            out=self.stdout,
        )
        result = generator.run()
        self.result = result
        width = max(len(k) for k in result["counts"])
        for key, n in sorted(result["counts"].items()):
            self.stdout.write(f"  {key:<{width}} {n:>12,}")
        self.stdout.write(
            f"Loaded {result['rows']:,} rows in {result['seconds']:,.1f} s "
            f"({result['rows'] / max(result['seconds'], 0.001):,.0f} rows/s); "
            f"checksum {result['checksum']}"
        )
