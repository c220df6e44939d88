"""The starting reference data of the requests area (also written by migration 0002): the departments and one
SLA rule per priority for any type. `ensure_defaults()` puts back what a flushed database lost (the demo's reset)."""

from decimal import Decimal

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


def ensure_defaults() -> None:
    from orbit.requests.models import Department, SlaPolicy

    for code, name_ru, name_en in DEPARTMENTS:
        Department.objects.get_or_create(code=code, defaults={"name_ru": name_ru, "name_en": name_en})
    if not SlaPolicy.objects.exists():
        SlaPolicy.objects.bulk_create(
            [
                SlaPolicy(
                    request_type="",
                    priority=priority,
                    first_response_hours=first,
                    resolution_hours=resolution,
                )
                for priority, (first, resolution) in SLA.items()
            ]
        )
