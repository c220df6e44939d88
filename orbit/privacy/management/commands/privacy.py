"""`orbit privacy export|erase|retention`: a contact's personal data from the command line, and the retention run.

export and erase act as a named person (`--as LOGIN`), through his visibility and rights, exactly as the page does.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from orbit.org.models import User
from orbit.privacy import erasure, retention, selectors, services


class Command(BaseCommand):
    help = "Personal data of contacts: export one, erase one on request, or run the retention rule (daily)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="Everything Orbit holds about a contact, as JSON or CSV.")
        export.add_argument("contact_id", type=int)
        export.add_argument("--as", dest="login", required=True, help="the person who asks (his visibility)")
        export.add_argument("--format", choices=("json", "csv"), default="json")
        export.add_argument("--output", help="a file to write (default: standard output)")
        erase = sub.add_parser("erase", help="Anonymise a contact everywhere. Irreversible.")
        erase.add_argument("contact_id", type=int)
        erase.add_argument("--as", dest="login", required=True, help="the head or an administrator")
        erase.add_argument("--reference", required=True, help="the person's request: its number and date")
        erase.add_argument("--yes", action="store_true", help="confirm: the erasure cannot be undone")
        keep = sub.add_parser(
            "retention", help="Erase contacts of accounts churned longer ago than the setting."
        )
        keep.add_argument("--dry-run", action="store_true", help="only count what is due")

    def handle(self, *args, **options):
        action = options["action"]
        if action == "retention":
            run = retention.run(dry_run=options["dry_run"])
            verb = "due" if options["dry_run"] else "erased"
            self.stdout.write(
                f"Contacts of accounts churned before {run.churned_before:%Y-%m-%d} ({run.years} years): "
                f"{run.erased} {verb}"
            )
            return
        try:
            user = User.objects.get(username=options["login"], is_active=True)
        except User.DoesNotExist as exc:
            raise CommandError(f"No active person with the login {options['login']!r}") from exc
        try:
            contact = selectors.contact_get(user, options["contact_id"])
        except Http404 as exc:
            raise CommandError(
                f"Contact {options['contact_id']} not found (or not visible to this person)"
            ) from exc
        try:
            if action == "export":
                self._export(user, contact, options)
            else:
                if not options["yes"]:
                    raise CommandError("Erasure is irreversible: add --yes to confirm")
                done = erasure.erase_contact(by=user, contact=contact, reference=options["reference"])
                self.stdout.write(f"Contact {done.contact_id} erased; rows rewritten: {done.counts}")
        except PermissionDenied as exc:
            raise CommandError(f"{user.username} may not do this") from exc
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc

    def _export(self, user, contact, options):
        text, _name = services.export_audited(by=user, contact=contact, fmt=options["format"])
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8", newline="") as target:
                target.write(text)
        else:
            self.stdout.write(text, ending="")
