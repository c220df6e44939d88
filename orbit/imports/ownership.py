"""Importing the ownership history from the old CRM: who was responsible for an account from which day to
which day, written through the ownership ledger (`ownership.replace_history`) with the reason "import".

The rows of one account (by INN, anywhere in the file) are its whole history, in order of their "from" dates:
- a period runs from its "from" day to its "to" day inclusive; the next one starts the day after (or on the
  "to" day itself: both ways of writing a handover are common); a later start is a gap, an earlier one an
  overlap — each a row error naming the rows;
- the last period has no "to": it is the current responsible manager, who the account gets (open work moves
  to him as on a reassignment); a "to" on the last period, or an open period before the last, is a row error;
- no period starts in the future; the manager must hold an account-manager or sales role.

What happens to the account's existing periods: they are REPLACED (the one an accounts import opened "since
today" is what this import is for) — but only while nothing depends on them: invoices and payments record the
manager responsible on their date (the bonus on them is his), so an account with any invoice or payment is
refused ("import the history before the documents"). Skip mode leaves accounts that already have another
history as they are. Only the head and admins import history (`policy.may_reassign_anything`): it decides who
sees an account and who was paid for it. Undo puts the previous periods back while the account is unchanged
since (its version) and still has no documents.
"""

import datetime as dt
import itertools
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from orbit.access import policy
from orbit.accounts import ownership
from orbit.accounts.models import Account, ChangeReason, OwnershipPeriod
from orbit.imports.account_ref import AccountFinder
from orbit.imports.engine import SKIP, Kind, People, Report, Row, import_file, readable_rows
from orbit.imports.ledger_rows import INN_FIELDS
from orbit.imports.mapping import Field
from orbit.imports.models import ImportBatch, ImportedRow
from orbit.imports.reading import Table
from orbit.imports.values import parse_date, parse_text
from orbit.org.models import User
from orbit.revenue.models import Invoice, Payment

FIELDS = (
    *INN_FIELDS,
    Field(
        "manager",
        _lazy("responsible manager"),
        ("ответственный", "менеджер", "ответственный менеджер", "manager", "owner", "account owner"),
        required=True,
    ),
    Field(
        "from",
        _lazy("responsible from"),
        ("с", "с даты", "дата начала", "начало", "from", "start", "since"),
        required=True,
    ),
    Field(
        "to", _lazy("responsible to"), ("по", "по дату", "дата окончания", "окончание", "to", "end", "until")
    ),
)


@dataclass
class _Period:
    row: Row
    manager: User
    start: dt.date
    end: dt.date | None


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _has_documents(account: Account) -> bool:
    return (
        Invoice.objects.filter(account=account).exists() or Payment.objects.filter(account=account).exists()
    )


def _check(periods: list[_Period]) -> None:
    """The rows of one account as one history: the reasons on the rows."""
    today = timezone.localdate()
    for p in periods:
        if p.start > today:
            p.row.fail("from", _("A period cannot start in the future."))
        if p.end is not None and p.end < p.start:
            p.row.fail("to", _("The period ends before it starts."))
    for earlier, later in itertools.pairwise(periods):
        if earlier.end is None:
            earlier.row.fail(
                "to",
                _("Only the last period is open; row %(row)s starts a later one.")
                % {"row": later.row.number},
            )
        elif later.start > earlier.end + dt.timedelta(days=1):
            later.row.fail(
                "from",
                _("Nobody was responsible from %(day)s: row %(row)s ends on %(end)s.")
                % {
                    "day": (earlier.end + dt.timedelta(days=1)).strftime("%d.%m.%Y"),
                    "row": earlier.row.number,
                    "end": earlier.end.strftime("%d.%m.%Y"),
                },
            )
        elif later.start < earlier.end:
            later.row.fail(
                "from",
                _("This period overlaps row %(row)s's, which ends on %(end)s.")
                % {"row": earlier.row.number, "end": earlier.end.strftime("%d.%m.%Y")},
            )
    last = periods[-1]
    if last.end is not None:
        last.row.fail(
            "to",
            _("The last period has an end: leave “to” empty for the manager responsible now."),
        )


def _write(by: User, account: Account, periods: list[_Period], on_duplicate: str, report: Report) -> str:
    first = periods[0].row
    old = list(OwnershipPeriod.objects.filter(account=account).order_by("started_at"))
    new = [
        OwnershipPeriod(
            manager=p.manager,
            started_at=_midnight(p.start),
            ended_at=_midnight(later.start) if later else None,
            reason=ChangeReason.IMPORT,
            changed_by=by,
        )
        for p, later in zip(periods, [*periods[1:], None], strict=True)
    ]
    if [(p.manager_id, p.started_at, p.ended_at) for p in old] == [
        (p.manager.pk, p.started_at, p.ended_at) for p in new
    ]:
        return "unchanged"
    if on_duplicate == SKIP and old:
        report.notes.append(
            _("Row %(row)s: the account has a history already; skipped as asked.") % {"row": first.number}
        )
        return "unchanged"
    if _has_documents(account):
        first.fail(
            "inn",
            _(
                "The client has invoices or payments: they record the manager of their date from the present "
                "history, so it cannot be replaced. Import the history before the documents."
            ),
        )
        return "failed"
    before = {
        "periods": [
            [
                p.manager_id,
                p.started_at.isoformat(),
                p.ended_at and p.ended_at.isoformat(),
                p.reason,
                p.comment,
                p.changed_by_id,
            ]
            for p in old
        ]
    }
    try:
        with transaction.atomic():
            ownership.replace_history(account=account, periods=new, by=by)
    except ValidationError as exc:
        first.fail("manager", "; ".join(exc.messages))
        return "failed"
    report.touched[account.pk] = (first.number, "updated", before, account.version)
    return "updated"


def _run(by: User, table: Table, columns: dict[int, str], on_duplicate: str, report: Report) -> None:
    """Counts are accounts: a history of five rows is one "updated"; a row without a readable account fails
    on its own."""
    accounts, people = AccountFinder(by, by_name=False), People()
    histories: dict[int, tuple[Account, list[_Period], list[Row]]] = {}
    rows: list[Row] = []
    for row in readable_rows(table, columns, report):
        rows.append(row)
        account = accounts.for_row(row)
        name = row.read("manager", lambda c: parse_text(c, max_length=200), "")
        manager = row.read("manager", lambda _c, n=name: people.owner(n)) if name else None
        if not name and not row.failed_on("manager"):
            row.fail("manager", _("Fill in the responsible manager."))
        start = row.require("from", parse_date, _("Fill in the day the manager became responsible."))
        end = row.read("to", parse_date)
        if account is None:
            report.failed += 1
            continue
        _account, periods, its_rows = histories.setdefault(account.pk, (account, [], []))
        its_rows.append(row)
        if manager is not None and start is not None and not row.errors:
            periods.append(_Period(row, manager, start, end))
    for account, periods, its_rows in histories.values():
        if not any(r.errors for r in its_rows):
            periods.sort(key=lambda p: (p.start, p.row.number))
            _check(periods)
        if any(r.errors for r in its_rows):
            report.failed += 1
            continue
        report.count(_write(by, account, periods, on_duplicate, report))
    report.errors.extend(sorted((e for r in rows for e in r.errors), key=lambda e: e.row))


def _remember(report: Report) -> None:
    ImportedRow.objects.bulk_create(
        ImportedRow(
            batch_id=report.batch_id,
            account_id=pk,
            target="accounts.ownershipperiod",
            object_id=pk,
            row=row,
            action=action,
            before=before,
            version_after=version,
        )
        for pk, (row, action, before, version) in report.touched.items()
    )


def undo_ownership(by: User, batch: ImportBatch, rows: list[ImportedRow]) -> None:
    """Put back each account's history from before the import, while the account is as the import left it."""
    accounts = Account.objects.select_for_update().in_bulk([r.account_id for r in rows if r.account_id])
    problems = []
    for r in rows:
        account = accounts.get(r.account_id)
        if account is None or account.version != r.version_after:
            problems.append(_("Row %(row)s: the account was changed after the import.") % {"row": r.row})
        elif _has_documents(account):
            problems.append(
                _("Row %(row)s: the client has invoices or payments recorded on the imported history.")
                % {"row": r.row}
            )
    if problems:
        raise ValidationError(problems)
    if not policy.may_reassign_anything(by):
        raise PermissionDenied(_("You may not undo this import."))
    managers = User.objects.in_bulk({p[0] for r in rows for p in r.before["periods"]})
    for r in rows:
        old = [
            OwnershipPeriod(
                manager=managers[manager],
                started_at=dt.datetime.fromisoformat(start),
                ended_at=dt.datetime.fromisoformat(end) if end else None,
                reason=reason,
                comment=comment,
                changed_by_id=changed_by,
            )
            for manager, start, end, reason, comment, changed_by in r.before["periods"]
        ]
        ownership.replace_history(account=accounts[r.account_id], periods=old, by=by)


KIND = Kind(
    name="ownership",
    label=_lazy("Ownership history"),
    fields=FIELDS,
    presets={},
    may_import=policy.may_reassign_anything,
    run=_run,
    remember=_remember,
    undo=undo_ownership,
)


def import_ownership(**options) -> Report:
    return import_file(KIND, **options)
