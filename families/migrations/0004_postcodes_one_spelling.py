"""Postcodes stored in one spelling (families.models.normalise_postcode), so the duplicate
check finds "np165ht" and "NP16 5HT" alike with an exact match on family_postcode_idx."""

from django.db import migrations

BATCH = 2000


def respell(apps, schema_editor):  # noqa: ANN001, ANN201
    from families.models import normalise_postcode

    Family = apps.get_model("families", "Family")
    changed = []
    for family in Family.objects.exclude(postcode="").only("pk", "postcode").iterator(BATCH):
        spelled = normalise_postcode(family.postcode)
        if spelled != family.postcode:
            family.postcode = spelled
            changed.append(family)
        if len(changed) >= BATCH:
            Family.objects.bulk_update(changed, ["postcode"])
            changed = []
    if changed:
        Family.objects.bulk_update(changed, ["postcode"])


class Migration(migrations.Migration):
    dependencies = [("families", "0003_anonymised_at")]

    operations = [migrations.RunPython(respell, migrations.RunPython.noop)]
