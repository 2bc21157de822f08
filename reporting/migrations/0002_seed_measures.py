from django.db import migrations


def seed(apps, schema_editor):
    from reporting.measures import CATALOGUE

    Measure = apps.get_model("reporting", "Measure")
    for order, d in enumerate(CATALOGUE):
        Measure.objects.update_or_create(
            code=d.code,
            defaults={
                "name": d.name,
                "quadrant": d.quadrant,
                "polarity": d.polarity,
                "numerator": d.numerator,
                "denominator": d.denominator,
                "description": d.description,
                "order": order,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("reporting", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
