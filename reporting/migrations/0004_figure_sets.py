import django.core.serializers.json
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("reporting", "0003_services_measure")]

    operations = [
        migrations.CreateModel(
            name="FigureSet",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("scope_key", models.CharField(max_length=40)),
                ("period_start", models.DateField()),
                ("period_end", models.DateField()),
                ("basis", models.CharField(max_length=10)),
                (
                    "data",
                    models.JSONField(encoder=django.core.serializers.json.DjangoJSONEncoder),
                ),
                ("computed_at", models.DateTimeField()),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("scope_key", "period_start", "period_end", "basis"),
                        name="figureset_unique",
                    )
                ],
            },
        ),
    ]
