from django.db import migrations, models


def from_receipt(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    for case in Case.objects.select_related("referral").only("pk", "referral__received_at"):
        Case.objects.filter(pk=case.pk).update(assessment_clock_from=case.referral.received_at)


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_case_closed_at_case_phase1_end_and_more")]

    operations = [
        migrations.AddField(
            model_name="case",
            name="assessment_clock_from",
            field=models.DateTimeField(null=True, verbose_name="assessment clock starts"),
        ),
        migrations.RunPython(from_receipt, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="case",
            name="assessment_clock_from",
            field=models.DateTimeField(verbose_name="assessment clock starts"),
        ),
    ]
