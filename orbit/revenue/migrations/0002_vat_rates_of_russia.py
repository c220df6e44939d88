"""Russia's VAT rates as dated data (Tax Code art. 164): the admin adds the next change as a row, never code."""

import datetime as dt
from decimal import Decimal

from django.db import migrations

RATES = [
    ("standard", dt.date(2004, 1, 1), Decimal("18")),
    ("standard", dt.date(2019, 1, 1), Decimal("20")),
    ("standard", dt.date(2026, 1, 1), Decimal("22")),
    ("reduced", dt.date(2004, 1, 1), Decimal("10")),
    ("zero", dt.date(2004, 1, 1), Decimal("0")),
    ("exempt", dt.date(2004, 1, 1), None),
]


def add(apps, schema_editor):
    VatRate = apps.get_model("revenue", "VatRate")
    for category, valid_from, percent in RATES:
        VatRate.objects.get_or_create(category=category, valid_from=valid_from, defaults={"percent": percent})


class Migration(migrations.Migration):
    dependencies = [("revenue", "0001_ledger")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
