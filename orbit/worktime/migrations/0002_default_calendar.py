"""The default calendar «Россия (Москва)»: Europe/Moscow, 09:00-18:00, Monday to Friday, with the official
Russian production calendars 2024-2027 (see orbit/worktime/russia.py for the decrees on transfers of days off:
2024 № 1314 of 10.08.2023, 2025 № 1335 of 04.10.2024, 2026 № 1466 of 24.09.2025, 2027 of September 2026)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from orbit.worktime import russia

    russia.install(
        apps.get_model("worktime", "WorkCalendar"),
        apps.get_model("worktime", "CalendarYear"),
        apps.get_model("worktime", "CalendarDay"),
    )


def backwards(apps, schema_editor):
    from orbit.worktime import russia

    apps.get_model("worktime", "WorkCalendar").objects.filter(name=russia.DEFAULT_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("worktime", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
