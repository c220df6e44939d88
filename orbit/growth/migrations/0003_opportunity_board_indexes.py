"""Two partial indexes on open opportunities for the pipeline board's columns and the list's default order."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("growth", "0002_default_pipelines"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="opportunity",
            index=models.Index(
                condition=models.Q(("status", "open")),
                fields=["stage", "expected_close_on", "id"],
                name="growth_opp_open_stage_close",
            ),
        ),
        migrations.AddIndex(
            model_name="opportunity",
            index=models.Index(
                condition=models.Q(("status", "open")),
                fields=["expected_close_on", "id"],
                name="growth_opp_open_close",
            ),
        ),
    ]
