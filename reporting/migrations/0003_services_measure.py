"""Seed the catalogue again: "services accessed before and after" joined it."""

import importlib

from django.db import migrations


def seed(apps, schema_editor):
    importlib.import_module("reporting.migrations.0002_seed_measures").seed(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("reporting", "0002_seed_measures"), ("outcomes", "0004_services_accessed")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
