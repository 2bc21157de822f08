"""Seed the coded lists from DOMAIN.md sections 2-3. Teams extend them in the admin."""

from django.db import migrations

PRESENTING_ISSUES = [
    ("parental-substance-misuse", "Parental substance misuse"),
    ("domestic-abuse", "Domestic abuse"),
    ("parental-mental-health", "Parental mental health"),
    ("learning-disability", "Parental learning disability"),
    ("parenting", "Parenting"),
    ("housing", "Housing"),
    ("debt", "Debt"),
    ("employment", "Employment"),
    ("school-attendance", "School attendance"),
    ("offending", "Offending"),
    ("trauma-bereavement", "Trauma or bereavement"),
    ("young-carer", "Young carer"),
    ("child-neurodiversity", "Child neurodiversity"),
    ("young-person-substance-use", "Young person's own substance use"),
]
SUBSTANCES = [
    ("alcohol", "Alcohol"), ("cannabis", "Cannabis"), ("heroin", "Heroin"),
    ("methadone", "Methadone"), ("cocaine", "Cocaine"), ("crack", "Crack cocaine"),
    ("amphetamines", "Amphetamines"), ("ketamine", "Ketamine"), ("mephedrone", "Mephedrone"),
    ("prescribed", "Prescribed medication"), ("other", "Other"),
]
LEGAL_STATUSES = [
    ("none", "No statutory status"),
    ("child-in-need", "Child in Need"),
    ("child-protection", "On the Child Protection Register"),
    ("looked-after-return-home", "Looked After, with a plan to return home"),
    ("looked-after", "Looked After"),
    ("unborn-child-protection", "Unborn: pre-birth child protection"),
]
ROUTES = [
    ("online-form", "Online form"), ("phone", "Phone"), ("email", "Email"),
    ("panel", "Resource panel"),
]
ONWARD_SERVICES = [
    ("sister-team", "Sister IFST or family support team"),
    ("drug-alcohol", "Drug and alcohol service"),
    ("mental-health", "Mental health service"),
    ("domestic-abuse", "Domestic abuse service"),
    ("parenting", "Parenting programme"),
    ("families-first", "Families First / early help"),
    ("housing", "Housing support"),
    ("young-peoples-substance", "Young people's substance misuse service"),
    ("other", "Other service"),
]
# (code, name, effect, needs_detail, [(reason code, reason name), ...])
OUTCOMES = [
    ("accepted", "Accepted for assessment", "accept", False, [
        ("meets-criteria", "Meets the criteria"),
        ("meets-criteria-priority", "Meets the criteria: high priority"),
    ]),
    ("inappropriate", "Inappropriate", "close", False, [
        ("not-parental", "The young person, not the parent, misuses substances"),
        ("no-substance-misuse", "No parental substance misuse identified"),
        ("no-children", "No children in the household"),
        ("outside-area", "Family lives outside the team's area"),
        ("open-elsewhere", "Already receiving equivalent intensive support"),
    ]),
    ("no-space", "No space: waiting list", "waiting_list", False, [
        ("no-capacity", "Appropriate, but no practitioner capacity"),
    ]),
    ("referred-on", "Referred on", "refer_on", False, [
        ("better-met-elsewhere", "Needs better met by another service"),
        ("lower-level", "Needs met at a lower level of support"),
    ]),
    ("refused", "Refused by the family", "close", False, [
        ("declined", "The family declined the service"),
        ("no-engagement", "The family could not be engaged"),
    ]),
    ("withdrawn", "Withdrawn by the referrer", "close", False, [
        ("circumstances-changed", "Circumstances changed"),
        ("referrer-withdrew", "Referrer withdrew the referral"),
    ]),
    ("other", "Other", "close", True, [
        ("other", "Other (explain)"),
    ]),
]


def seed(apps, schema_editor):
    def fill(model_name, rows):
        model = apps.get_model("reference", model_name)
        for order, (code, name) in enumerate(rows):
            model.objects.get_or_create(code=code, defaults={"name": name, "order": order})

    fill("PresentingIssue", PRESENTING_ISSUES)
    fill("Substance", SUBSTANCES)
    fill("LegalStatus", LEGAL_STATUSES)
    fill("ReferralRoute", ROUTES)
    fill("OnwardService", ONWARD_SERVICES)
    Outcome = apps.get_model("reference", "ScreeningOutcome")
    Reason = apps.get_model("reference", "ScreeningReason")
    for order, (code, name, effect, needs_detail, reasons) in enumerate(OUTCOMES):
        outcome, _ = Outcome.objects.get_or_create(
            code=code,
            defaults={"name": name, "effect": effect, "needs_detail": needs_detail, "order": order},
        )
        for r_order, (r_code, r_name) in enumerate(reasons):
            Reason.objects.get_or_create(
                outcome=outcome, code=r_code, defaults={"name": r_name, "order": r_order}
            )


class Migration(migrations.Migration):
    dependencies = [("reference", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
