"""`manage.py demo seed --size small|medium [--seed N] [--if-empty] [--reset]` (also `orbit demo seed`)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from orbit.demo import data
from orbit.demo.generator import SIZES, SeedReport, database_has_users, demo_logins, reset_database, seed

APP_URL = "http://127.0.0.1:8000/"
PROGRESS_STEP = 1000


class ProgressLines:
    """One line per thousand rows written («accounts 1,000/5,000»), and one when a kind of row is complete."""

    def __init__(self, stream):
        self.stream = stream
        self.reported: dict[str, int] = {}

    def __call__(self, label: str, done: int, total: int) -> None:
        if done == total or done // PROGRESS_STEP > self.reported.get(label, 0) // PROGRESS_STEP:
            self.stream.write(f"  {label} {done:,}/{total:,}")
            self.reported[label] = done


class Command(BaseCommand):
    help = (
        "Fill the database with a deterministic demo department: people, teams, clients, contacts, histories."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["seed"], help="what to do: seed the demo data")
        parser.add_argument(
            "--size", choices=list(SIZES), default="small", help="small: 400 accounts; medium: 5,000"
        )
        parser.add_argument(
            "--seed", type=int, default=1, help="random seed: the same seed gives the same data"
        )
        once = parser.add_mutually_exclusive_group()
        once.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing (but print the logins) when the database already has users",
        )
        once.add_argument(
            "--reset", action="store_true", help="delete ALL data in the database first, then seed"
        )

    def handle(self, *args, **options):
        if options["reset"]:
            reset_database()
            self.stderr.write("The database was emptied (--reset).")
        elif database_has_users():
            if not options["if_empty"]:
                raise CommandError(
                    "The database already has users. Use --reset to empty it and seed again, "
                    "or --if-empty to keep it as it is."
                )
            self.stdout.write("The database already has users: demo data not seeded (--if-empty).")
            self._print_logins()
            return
        size = options["size"]
        self.stderr.write(f"Seeding the {size} demo ({SIZES[size]:,} accounts, seed {options['seed']})…")
        # A small demo takes a second or two; a bigger one shows it is alive.
        progress = ProgressLines(self.stderr) if size != "small" and options["verbosity"] > 0 else None
        report = seed(accounts=SIZES[size], seed=options["seed"], progress=progress)
        self.stdout.write(self.style.SUCCESS(_summary(report)))
        self._print_logins()

    def _print_logins(self) -> None:
        # The console speaks English like the rest of manage.py; role names would follow LANGUAGE_CODE otherwise.
        with translation.override("en"):
            logins = demo_logins()
        if not logins:
            self.stdout.write("No demo users in this database: sign in with your own accounts.")
            return
        active = [login for login in logins if login.active]
        self.stdout.write("")
        self.stdout.write(
            f"Open {APP_URL} (`make demo` starts the server there) and sign in as anyone below."
        )
        self.stdout.write(f"The password of every demo login is: {data.DEMO_PASSWORD}")
        self.stdout.write("")
        rows = [("login", "name", "roles", "team", "try it to see")]
        rows += [(x.username, x.name, ", ".join(x.roles), x.team or "—", x.hint) for x in active]
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        for number, row in enumerate(rows):
            line = "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
            self.stdout.write(f"{line}  {row[4]}".rstrip())
            if number == 0:
                self.stdout.write("-" * (sum(widths) + 2 * len(widths) + len(row[4])))
        for gone in (x for x in logins if not x.active):
            self.stdout.write(
                f"\n{gone.username} ({gone.name}) has left the company: the login is disabled, and his clients "
                "went to his colleagues (ownership history reason “Manager left”)."
            )


def _summary(report: SeedReport) -> str:
    return (
        f"Demo data seeded in {report.seconds:.1f} s: {report.accounts:,} accounts "
        f"({report.subsidiaries} of them in {report.holdings} holdings), {report.contacts:,} contacts, "
        f"{report.periods:,} ownership periods, {report.handoffs} open and {report.past_handoffs} past handoffs, "
        f"{report.touches:,} touches, {report.tasks} open tasks, {report.requests:,} requests, "
        f"{report.notifications:,} notifications, {report.contracts:,} contracts, {report.orders:,} orders, "
        f"{report.invoices:,} invoices, {report.credit_notes} credit notes, {report.payments:,} payments, "
        f"{report.opportunities:,} opportunities, {report.projects} projects, {report.plans:,} plans, "
        f"{report.analytics_changes:,} analytics changes in the last run, "
        f"{report.people} people in {report.teams} teams."
    )
