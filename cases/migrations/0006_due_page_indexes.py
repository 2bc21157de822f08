from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_report_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            # Due and overdue page, reminder sweep, team caseload: a team's open cases
            # (Case.objects.open().filter(team_id__in=...)); 5% of cases are open.
            index=models.Index(
                condition=models.Q(("stage", "closed"), _negated=True),
                fields=["team"],
                name="case_open_team_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            # Due and overdue page: the restricted cases to hide from a manager not named
            # on them (Case.objects.filter(restricted=True)); a few hundred nationally.
            index=models.Index(
                condition=models.Q(("restricted", True)),
                fields=["team"],
                name="case_restricted_idx",
            ),
        ),
    ]
