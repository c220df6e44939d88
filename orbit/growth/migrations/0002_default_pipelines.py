from django.db import migrations

from orbit.growth.defaults import install


def add(apps, schema_editor):
    install(apps.get_model("growth", "Pipeline"), apps.get_model("growth", "Stage"), apps.get_model("growth", "LostReason"))


class Migration(migrations.Migration):
    dependencies = [("growth", "0001_pipeline_projects_plans")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
