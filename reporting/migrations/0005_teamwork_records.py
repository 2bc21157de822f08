"""Team activity records kept in the app: a version for stale edits, the one-time key of
the form that made each one, and the list pages' indexes."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0004_security'),
        ('cases', '0005_report_indexes'),
        ('reporting', '0004_figure_sets'),
    ]

    operations = [
        migrations.AddField(
            model_name='complaint',
            name='submission_key',
            field=models.UUIDField(blank=True, editable=False, null=True, unique=True),
        ),
        migrations.AddField(
            model_name='complaint',
            name='version',
            field=models.PositiveIntegerField(db_default=1, default=1, editable=False),
        ),
        migrations.AddField(
            model_name='consultation',
            name='submission_key',
            field=models.UUIDField(blank=True, editable=False, null=True, unique=True),
        ),
        migrations.AddField(
            model_name='consultation',
            name='version',
            field=models.PositiveIntegerField(db_default=1, default=1, editable=False),
        ),
        migrations.AddField(
            model_name='feedback',
            name='submission_key',
            field=models.UUIDField(blank=True, editable=False, null=True, unique=True),
        ),
        migrations.AddField(
            model_name='feedback',
            name='version',
            field=models.PositiveIntegerField(db_default=1, default=1, editable=False),
        ),
        migrations.AddField(
            model_name='trainingsession',
            name='submission_key',
            field=models.UUIDField(blank=True, editable=False, null=True, unique=True),
        ),
        migrations.AddField(
            model_name='trainingsession',
            name='version',
            field=models.PositiveIntegerField(db_default=1, default=1, editable=False),
        ),
        migrations.AddIndex(
            model_name='complaint',
            index=models.Index(fields=['team', 'received_on'], name='complaint_team_day_idx'),
        ),
        migrations.AddIndex(
            model_name='trainingsession',
            index=models.Index(fields=['team', 'held_on'], name='training_team_day_idx'),
        ),
    ]
