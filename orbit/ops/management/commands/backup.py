from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from orbit.ops.backup import BackupProblem, make_backup


class Command(BaseCommand):
    help = "Back up Orbit (the database and the attachments) into a new folder under FOLDER."

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path)

    def handle(self, *args, folder: Path, **options):
        try:
            backup = make_backup(folder)
        except BackupProblem as problem:
            raise CommandError(str(problem)) from problem
        self.stdout.write(str(backup.folder))
