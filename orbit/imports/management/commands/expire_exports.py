from django.core.management.base import BaseCommand

from orbit.imports.export_background import expire


class Command(BaseCommand):
    help = (
        "Remove the files of background exports older than ORBIT_EXPORT_KEEP_DAYS (the audit stays). Daily."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"Export files removed: {expire()}")
