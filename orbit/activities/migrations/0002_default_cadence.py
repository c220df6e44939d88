from django.db import migrations

# Orbit's own default rhythm (not the seeds'): key accounts every two weeks, tier A monthly, B every two months, C quarterly.
DEFAULTS = {"key": 14, "A": 30, "B": 60, "C": 90}


def create(apps, schema_editor):
    CadencePolicy = apps.get_model("activities", "CadencePolicy")
    for tier, days in DEFAULTS.items():
        CadencePolicy.objects.get_or_create(tier=tier, segment=None, status="", defaults={"interval_days": days})


class Migration(migrations.Migration):
    dependencies = [("activities", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
