"""Reference data: the departments that act on requests, and a starting SLA per priority (any type), counted on
the default calendar. The head changes the rules on the SLA policies page; the departments are edited in admin."""

from decimal import Decimal

from django.db import migrations

DEPARTMENTS = [
    ("support", "Техническая поддержка", "Support"),
    ("accounting", "Бухгалтерия", "Accounting"),
    ("legal", "Юридический отдел", "Legal"),
    ("logistics", "Логистика", "Logistics"),
    ("production", "Производство", "Production"),
]
# priority: (first response, resolution), business hours.
SLA = {
    "critical": (Decimal("1"), Decimal("8")),
    "high": (Decimal("4"), Decimal("16")),
    "normal": (Decimal("8"), Decimal("40")),
    "low": (Decimal("16"), Decimal("80")),
}


def forwards(apps, schema_editor):
    Department = apps.get_model("requests", "Department")
    SlaPolicy = apps.get_model("requests", "SlaPolicy")
    for code, name_ru, name_en in DEPARTMENTS:
        Department.objects.get_or_create(code=code, defaults={"name_ru": name_ru, "name_en": name_en})
    for priority, (first, resolution) in SLA.items():
        SlaPolicy.objects.get_or_create(
            request_type="",
            priority=priority,
            active=True,
            defaults={"first_response_hours": first, "resolution_hours": resolution},
        )


class Migration(migrations.Migration):
    dependencies = [("requests", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
