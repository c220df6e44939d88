from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from orbit.ops.backup import BackupProblem, restore_backup


class Command(BaseCommand):
    help = "Restore an Orbit backup folder into an empty database and MEDIA_ROOT; then run `orbit migrate`."

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path)

    def handle(self, *args, folder: Path, **options):
        try:
            backup = restore_backup(folder)
        except BackupProblem as problem:
            raise CommandError(str(problem)) from problem
        self.stdout.write(
            f"Restored {backup.folder} (made {backup.manifest['created']}). Now run: orbit migrate"
        )
