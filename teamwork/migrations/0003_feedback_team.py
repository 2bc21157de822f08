"""Feedback keeps its case's team (issue 15): added empty, filled from the cases in one
statement, then required, with the index a team's list and totals are read from."""

import django.db.models.deletion
from django.db import migrations, models


def fill_teams(apps, schema_editor):
    Feedback = apps.get_model("teamwork", "Feedback")
    Case = apps.get_model("cases", "Case")
    team = Case.objects.filter(pk=models.OuterRef("case_id")).values("team_id")[:1]
    Feedback.objects.update(team_id=models.Subquery(team))


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0001_initial"),
        ("cases", "0012_child_in_need_outcomes"),
        ("teamwork", "0002_feedback_newest_idx"),
    ]

    operations = [
        migrations.AddField(
            model_name="feedback",
            name="team",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="feedback",
                to="accounts.team",
            ),
        ),
        migrations.RunPython(fill_teams, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="feedback",
            name="team",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="feedback",
                to="accounts.team",
            ),
        ),
        migrations.AddIndex(
            model_name="feedback",
            index=models.Index(
                fields=["team", "-received_on", "-id"],
                include=["positive", "case"],
                name="feedback_team_newest_idx",
            ),
        ),
    ]
