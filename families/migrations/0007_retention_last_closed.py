"""Family.last_closed_at: when the family's last case closed, NULL while a case is open or
before any closed (families.retention, the one rule). The retention review reads it on
family_retention_idx instead of grouping every case of the team (docs/performance.md).

The backfill is the rule's own expression, written here over the historical models (a
migration does not import the app's code): one UPDATE, on PostgreSQL and SQLite alike."""

from django.db import migrations, models
from django.db.models import Case, Exists, OuterRef, Subquery, When


def backfill(apps, schema_editor):  # noqa: ANN001, ANN201
    family_model = apps.get_model("families", "Family")
    case_model = apps.get_model("cases", "Case")
    cases = case_model.objects.filter(family=OuterRef("pk"))
    last = cases.filter(closed_at__isnull=False).order_by("-closed_at").values("closed_at")[:1]
    family_model.objects.using(schema_editor.connection.alias).update(
        last_closed_at=Case(
            When(Exists(cases.exclude(stage="closed")), then=None), default=Subquery(last)
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0010_user_language"),
        ("cases", "0012_child_in_need_outcomes"),
        ("families", "0006_person_name_trigram_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="family",
            name="last_closed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="last case closed"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="family",
            index=models.Index(
                condition=models.Q(("anonymised_at__isnull", True), ("last_closed_at__isnull", False)),
                fields=["team", "last_closed_at"],
                name="family_retention_idx",
            ),
        ),
    ]
