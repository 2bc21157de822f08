"""Reference lists for the case pathway (DOMAIN.md sections 3-4)."""

from django.db import migrations, models

NOT_PROCEED = [
    ("family-not-ready", "Family not ready or willing to change"),
    ("children-not-safe", "Children could not be kept safe at home"),
    ("needs-elsewhere", "Needs better met by another service"),
    ("family-disengaged", "Family disengaged during assessment"),
    ("moved-away", "Family moved away"),
    ("other", "Other"),
]
METHODS = [
    ("motivational-interviewing", "Motivational interviewing"),
    ("solution-focused", "Solution-focused therapy"),
    ("cbt", "Cognitive behavioural techniques"),
    ("systemic", "Systemic family work"),
    ("parenting", "Parenting programme"),
    ("relapse-prevention", "Relapse prevention"),
    ("practical-support", "Practical support"),
]
GOAL_CATEGORIES = [
    ("substance-use", "Control or stop drug or alcohol use"),
    ("adult-health-education-employment", "Adult health, education or employment"),
    ("domestic-abuse", "Domestic abuse"),
    ("home-routines", "Home conditions and routines"),
    ("parenting", "Parenting"),
    ("relationships", "Relationships"),
    ("other", "Other"),
]
CLOSURE = [
    ("completed", "Completed", True),
    ("disengaged", "Family disengaged or refused", False),
    ("moved-away", "Moved away", False),
    ("children-accommodated", "Children accommodated", False),
    ("stepped-up", "Needs beyond IFSS (stepped up)", False),
    ("other", "Other", False),
]


def seed(apps, schema_editor):
    def fill(model_name, rows):
        model = apps.get_model("reference", model_name)
        for order, (code, name) in enumerate(rows):
            model.objects.get_or_create(code=code, defaults={"name": name, "order": order})

    fill("NotProceedReason", NOT_PROCEED)
    fill("PracticeMethod", METHODS)
    fill("GoalCategory", GOAL_CATEGORIES)
    Closure = apps.get_model("reference", "ClosureReason")
    for order, (code, name, success) in enumerate(CLOSURE):
        Closure.objects.get_or_create(
            code=code, defaults={"name": name, "order": order, "counts_as_success": success}
        )


def ref_fields():
    return [
        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
        ("code", models.SlugField(max_length=40, unique=True, verbose_name="code")),
        ("name", models.CharField(max_length=120, verbose_name="name")),
        ("active", models.BooleanField(default=True, verbose_name="in use")),
        ("order", models.PositiveIntegerField(default=0, verbose_name="order")),
    ]


class Migration(migrations.Migration):
    dependencies = [("reference", "0002_seed_reference_lists")]
    operations = [
        migrations.CreateModel(
            name="NotProceedReason",
            fields=ref_fields(),
            options={"ordering": ["order", "name"], "abstract": False, "verbose_name": "reason for not proceeding"},
        ),
        migrations.CreateModel(
            name="PracticeMethod",
            fields=ref_fields(),
            options={"ordering": ["order", "name"], "abstract": False, "verbose_name": "practice method"},
        ),
        migrations.CreateModel(
            name="GoalCategory",
            fields=ref_fields(),
            options={"ordering": ["order", "name"], "abstract": False, "verbose_name": "goal category", "verbose_name_plural": "goal categories"},
        ),
        migrations.CreateModel(
            name="ClosureReason",
            fields=[
                *ref_fields(),
                ("counts_as_success", models.BooleanField(default=False, help_text="The derived success class; a manager can override it per case.", verbose_name="counts as a successful closure")),
            ],
            options={"ordering": ["order", "name"], "abstract": False, "verbose_name": "closure reason"},
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
