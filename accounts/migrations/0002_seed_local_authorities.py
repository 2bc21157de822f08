from django.db import migrations

# Wales's 22 principal councils, with their ONS codes.
WELSH_AUTHORITIES = [
    ("W06000001", "Isle of Anglesey"), ("W06000002", "Gwynedd"), ("W06000003", "Conwy"),
    ("W06000004", "Denbighshire"), ("W06000005", "Flintshire"), ("W06000006", "Wrexham"),
    ("W06000008", "Ceredigion"), ("W06000009", "Pembrokeshire"),
    ("W06000010", "Carmarthenshire"), ("W06000011", "Swansea"),
    ("W06000012", "Neath Port Talbot"), ("W06000013", "Bridgend"),
    ("W06000014", "Vale of Glamorgan"), ("W06000015", "Cardiff"),
    ("W06000016", "Rhondda Cynon Taf"), ("W06000018", "Caerphilly"),
    ("W06000019", "Blaenau Gwent"), ("W06000020", "Torfaen"),
    ("W06000021", "Monmouthshire"), ("W06000022", "Newport"), ("W06000023", "Powys"),
    ("W06000024", "Merthyr Tydfil"),
]


def seed(apps, schema_editor):
    LocalAuthority = apps.get_model("accounts", "LocalAuthority")
    for code, name in WELSH_AUTHORITIES:
        LocalAuthority.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
