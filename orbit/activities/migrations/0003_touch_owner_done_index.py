"""An index for "done today" on the agenda: a person's done touches by time.

The agenda counted today's done touches with `happened_at__date = today`, which no index can serve, so
PostgreSQL read every done touch of the person (6,411 heap pages for a team lead with five years of
touches: 6-11 ms on each page view, growing with the years). With a range on `happened_at` and this index it
reads today's rows only (0.03-0.07 ms). Measured in bench/README.md, "Agenda (issue 6)".
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("activities", "0002_default_cadence")]

    operations = [
        migrations.AddIndex(
            model_name="touch",
            index=models.Index(fields=["owner", "status", "happened_at"], name="touch_owner_done"),
        )
    ]
