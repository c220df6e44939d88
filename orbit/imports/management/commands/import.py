"""`orbit import KIND FILE [--preset NAME] [--mapping FILE] [--dry-run] [--format text|json] [--user LOGIN]`.

Exit code 0 when the import was committed or a dry run found nothing wrong, 1 otherwise (2: the file or the
options cannot be used at all). With --format json one JSON object: {"new", "updated", "unchanged", "failed",
"errors": [{"row", "column", "value", "message"}]}, rows numbered as a spreadsheet shows them.
"""

import json
import pathlib
import sys

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from orbit.imports.engine import SKIP, UPDATE, import_file
from orbit.imports.kinds import KINDS
from orbit.imports.presets import preset_mapping
from orbit.imports.reading import FileProblem, open_table
from orbit.org.models import Role, User


class Command(BaseCommand):
    help = "Import a CSV or XLSX file into Orbit: all rows or none, with a row-by-row report."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("file")
        parser.add_argument(
            "--preset", default="", help="amocrm, bitrix24, salesforce or a mapping saved on the import page"
        )
        parser.add_argument("--mapping", help='a JSON file: {"header": "field"}')
        parser.add_argument("--dry-run", action="store_true", help="check everything, change nothing")
        parser.add_argument("--format", choices=("text", "json"), default="text")
        parser.add_argument("--on-duplicate", choices=(UPDATE, SKIP), default=UPDATE)
        parser.add_argument("--user", help="who imports (login); default: the only head of department")

    def handle(self, *args, **options):
        user = self._user(options["user"])
        translation.activate(user.language or "ru")
        kind = KINDS[options["kind"]]
        preset = preset_mapping(kind, options["preset"])
        if preset is None:
            raise CommandError(
                f"no preset or saved mapping {options['preset']!r} for {kind.name}", returncode=2
            )
        mapping = dict(preset)
        if options["mapping"]:
            try:
                mapping.update(json.loads(pathlib.Path(options["mapping"]).read_text(encoding="utf-8")))
            except (OSError, ValueError) as exc:
                raise CommandError(f"--mapping: {exc}", returncode=2) from exc
        path = pathlib.Path(options["file"])
        try:
            with path.open("rb") as stream:
                table = open_table(stream, path.name)
                report = import_file(
                    kind,
                    by=user,
                    table=table,
                    file_name=path.name,
                    mapping=mapping,
                    preset=options["preset"] or "",
                    on_duplicate=options["on_duplicate"],
                    dry_run=options["dry_run"],
                )
        except OSError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        except FileProblem as problem:
            raise CommandError(problem.message, returncode=2) from problem
        except PermissionDenied as exc:
            raise CommandError(str(exc), returncode=2) from exc
        if options["format"] == "json":
            self.stdout.write(json.dumps(report.as_json(), ensure_ascii=False))
        else:
            self._text(report, options["dry_run"])
        if report.errors:
            sys.exit(1)

    def _user(self, login: str | None) -> User:
        if login:
            user = User.objects.filter(username=login, is_active=True).first()
            if user is None:
                raise CommandError(f"no active user {login!r}", returncode=2)
            return user
        heads = list(User.objects.filter(is_active=True, roles__role=Role.HEAD)[:2])
        if len(heads) != 1:
            raise CommandError(
                "say who imports: --user LOGIN (the import is recorded in his name)", returncode=2
            )
        return heads[0]

    def _text(self, report, dry_run: bool) -> None:
        for note in report.notes:
            self.stdout.write(note)
        if report.unmapped:
            self.stdout.write(
                translation.gettext("Not imported columns: %(columns)s")
                % {"columns": ", ".join(report.unmapped)}
            )
        counts = report.as_json()
        self.stdout.write(
            translation.gettext(
                "new %(new)s, updated %(updated)s, unchanged %(unchanged)s, failed %(failed)s"
            )
            % counts
        )
        for error in report.errors:
            where = f"{error.row}" + (f" [{error.column}]" if error.column else "")
            value = f" «{error.value}»" if error.value else ""
            self.stdout.write(f"  {where}{value}: {error.message}")
        if report.committed:
            self.stdout.write(translation.gettext("Committed."))
        elif dry_run and not report.errors:
            self.stdout.write(
                translation.gettext("Dry run: nothing changed. Run without --dry-run to import.")
            )
        else:
            self.stdout.write(translation.gettext("Nothing imported: fix the rows above and run again."))
