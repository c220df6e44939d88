"""Importing accounts: every row through the accounts services, all or nothing (issue 15).

A row is a new account, an update of the account that has its INN, unchanged, or failed with its reasons
(row, column, value, message). The whole file runs in one transaction, each row in a savepoint so one bad row
does not hide the next one's errors; when any row failed, or on a dry run, everything is rolled back — the base
is exactly as before. A committed or refused import is recorded (ImportBatch), a dry run is not.

Rules:
- Matching: by INN among the accounts that are not archived (the base holds an INN once). An INN twice in the
  file is an error on the second row. An INN held by an account the importer may not see is refused as the
  account form refuses it, without naming the client.
- The responsible manager ("Ответственный", "Account Owner") is found by display name as exports write it
  ("Смирнова Ольга"; "Ольга Смирнова" too), by e-mail or by login; an unknown name, or one two people share,
  is a row error. A new account gets him through the ownership ledger with the reason "import"; an existing
  account with another manager is reassigned, if the importer may reassign.
- Status (new accounts only; an existing account's status moves by its workflow): a status column's "клиент"
  / "customer" is an active client, "потенциальный" / "prospect" a prospect; without the column an account with
  a manager is active, without one a prospect. An active account without a manager is a row error.
- Holdings: "ИНН холдинга" names the parent by INN (in the file or the base); Salesforce's "Parent Account
  ID" names it by the file's own "Account ID". Parents are set after every row is in, so order does not matter.
- On a duplicate the importer chooses: update (only the cells that are filled and differ) or skip.
"""

import functools
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from orbit.access import policy
from orbit.accounts import services
from orbit.accounts.models import Account, AccountStatus, ChangeReason, Tier
from orbit.common.validators import validate_inn, validate_kpp
from orbit.imports.mapping import ACCOUNT_FIELDS, missing_required, normalise, recognise
from orbit.imports.models import ImportBatch, ImportedRow, ImportKind, ImportStatus
from orbit.imports.reading import Table, shape_problem
from orbit.imports.values import ValueProblem, parse_number, parse_text
from orbit.org.models import OWNER_ROLES, User

UPDATE, SKIP = "update", "skip"
# Besides the statuses' and tiers' own labels in Russian and English (what Orbit's export writes).
STATUS_SYNONYMS = {
    "клиент": AccountStatus.ACTIVE,
    "действующий": AccountStatus.ACTIVE,
    "customer": AccountStatus.ACTIVE,
    "потенциальный": AccountStatus.PROSPECT,
    "лид": AccountStatus.PROSPECT,
}
TIER_SYNONYMS = {"a": Tier.A, "b": Tier.B, "c": Tier.C, "key": Tier.KEY, "ключевой": Tier.KEY}
# A new account starts as a prospect or active; dormant and churned ones are created active and moved on by one
# step of their workflow, as a person would (the import reads a base where they already are).
IMPORTABLE_STATUSES = (
    AccountStatus.PROSPECT,
    AccountStatus.ACTIVE,
    AccountStatus.DORMANT,
    AccountStatus.CHURNED,
)


@functools.cache
def _words(kind: str) -> dict[str, str]:
    choices, synonyms = {
        "status": (AccountStatus.choices, STATUS_SYNONYMS),
        "tier": (Tier.choices, TIER_SYNONYMS),
    }[kind]
    words = dict(synonyms)
    for language in ("ru", "en"):
        with translation.override(language):
            words.update({normalise(str(label)): value for value, label in choices})
    return words


FIELD_OF_SERVICE = {"responsible_manager": "owner", "parent": "parent_inn"}  # service field → import field


@dataclass
class RowError:
    row: int
    column: str
    value: str
    message: str


@dataclass
class Report:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    errors: list[RowError] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)  # columns nothing imports
    columns: dict[int, str] = field(default_factory=dict)  # column index -> the field it went to
    notes: list[str] = field(default_factory=list)
    committed: bool = False
    batch_id: int | None = None  # the history record of a committed or refused import
    # Accounts the import created or changed: account id -> (row, "new"/"updated", fields' values before).
    touched: dict[int, tuple[int, str, dict]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        counts = {
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "failed": self.failed,
        }
        return {**counts, "errors": [asdict(e) for e in self.errors]}


class _RowFailed(Exception):
    pass


class _People:
    """The people an export may name, by every name it may use; a name two people share is refused."""

    def __init__(self):
        self.by_key: dict[str, User | None] = {}
        for person in User.objects.filter(is_active=True).prefetch_related("roles"):
            names = {person.display_name, person.get_full_name(), f"{person.last_name} {person.first_name}"}
            keys = {normalise(n) for n in names if n and n.strip()} | {person.username.lower()}
            if person.email:
                keys.add(person.email.lower())
            for key in keys:
                self.by_key[key] = None if key in self.by_key and self.by_key[key] != person else person

    def find(self, text: str) -> User:
        key = text.lower() if "@" in text else normalise(text)
        if key not in self.by_key:
            raise ValueProblem(
                _("No user “%(name)s” in Orbit: add the person or fix the name.") % {"name": text}
            )
        person = self.by_key[key] or self.by_key.get(text.lower())
        if person is None:
            raise ValueProblem(
                _("Two people are called “%(name)s”: write the e-mail instead.") % {"name": text}
            )
        if not person.has_role(*OWNER_ROLES):
            raise ValueProblem(
                _("%(name)s cannot be responsible for accounts: they hold no account-manager or sales role.")
                % {"name": person}
            )
        return person


class _Row:
    """One row's cells by field key, and the errors found reading them."""

    def __init__(self, number: int, cells: list, columns: dict[int, str], header: list[str]):
        self.number = number
        self.values = {key: cells[i] if i < len(cells) else None for i, key in columns.items()}
        self.headers = {key: header[i] for i, key in columns.items()}
        self.errors: list[RowError] = []
        self.before: dict[str, Any] = {}  # an existing account's fields before the import changed them

    def fail(self, key: str, message: str) -> None:
        value = self.values.get(key)
        shown = "" if value is None else str(value)
        self.errors.append(RowError(self.number, self.headers.get(key, ""), shown[:200], message))

    def failed_on(self, key: str) -> bool:
        return any(e.column == self.headers.get(key) for e in self.errors)

    def read(self, key: str, parse, default=None):
        try:
            return parse(self.values.get(key))
        except ValueProblem as problem:
            self.fail(key, problem.message)
            return default


def _digits(cell) -> str:
    """An INN or KPP cell: XLSX may hold it as a number; spaces typed between digit groups are dropped."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return "".join(str(cell).split())


def _checked(validator):
    def parse(cell) -> str:
        text = _digits(cell)
        if text:
            try:
                validator(text)
            except ValidationError as exc:
                raise ValueProblem(exc.messages[0]) from None
        return text

    return parse


def _word(words: dict, message: str):
    def parse(cell):
        text = normalise(str(cell)) if cell is not None else ""
        if not text:
            return None
        if text not in words:
            raise ValueProblem(message % {"value": cell})
        return words[text]

    return parse


def import_accounts(
    *,
    by: User,
    table: Table,
    file_name: str,
    mapping: dict[str, str] | None = None,
    preset: str = "",
    on_duplicate: str = UPDATE,
    dry_run: bool = False,
) -> Report:
    """Import the accounts of `table` for `by`. `mapping` (header → field key) or a preset's; the rest
    recognised by name. Returns the report; commits only a clean, non-dry run."""
    if not policy.can_create_account(by):
        raise PermissionDenied(_("You may not import accounts."))
    columns = recognise(table.header, ACCOUNT_FIELDS, mapping)
    report = Report(notes=list(table.notes), columns=columns)
    report.unmapped = [h for i, h in enumerate(table.header) if i not in columns and h]
    missing = missing_required(columns)
    if missing:
        names = ", ".join(str(f.label) for f in missing)
        report.errors.append(
            RowError(
                table.header_row,
                "",
                "",
                _("No column for: %(fields)s. Map it and try again.") % {"fields": names},
            )
        )
        report.failed = 1
        return _record(by, file_name, columns, table, preset, on_duplicate, report, dry_run)
    with transaction.atomic():
        _run(by, table, columns, on_duplicate, report)
        if dry_run or report.errors:
            transaction.set_rollback(True)
        else:
            report.committed = True
            # In the import's own transaction: a committed import always knows what it did (for its undo).
            _record(by, file_name, columns, table, preset, on_duplicate, report, dry_run)
            _remember(report)
    if report.committed:
        return report
    return _record(by, file_name, columns, table, preset, on_duplicate, report, dry_run)


def _remember(report: Report) -> None:
    versions = dict(Account.objects.filter(pk__in=report.touched).values_list("pk", "version"))
    ImportedRow.objects.bulk_create(
        ImportedRow(
            batch_id=report.batch_id,
            account_id=pk,
            row=row,
            action=action,
            before=before,
            version_after=versions[pk],
        )
        for pk, (row, action, before) in report.touched.items()
    )


def _plain(value):
    """A field's value as JSON keeps it: a model as its id, a Decimal as text."""
    if isinstance(value, models.Model):
        return value.pk
    return str(value) if isinstance(value, Decimal) else value


def _record(by, file_name, columns, table, preset, on_duplicate, report: Report, dry_run: bool) -> Report:
    if not dry_run:
        report.batch_id = ImportBatch.objects.create(
            kind=ImportKind.ACCOUNTS,
            file_name=file_name[:255],
            status=ImportStatus.COMMITTED if report.committed else ImportStatus.REFUSED,
            by=by,
            mapping={table.header[i]: key for i, key in columns.items()},
            options={"preset": preset, "on_duplicate": on_duplicate},
            counts={k: v for k, v in report.as_json().items() if k != "errors"},
            errors=[asdict(e) for e in report.errors[:1000]],
        ).pk
    return report


def _run(by: User, table: Table, columns: dict[int, str], on_duplicate: str, report: Report) -> None:
    people = _People()
    seen_inn: dict[str, int] = {}
    by_external: dict[str, Account] = {}
    by_inn: dict[str, Account] = {}
    parents: list[tuple[_Row, Account, str]] = []
    for raw in table.rows:
        problem = shape_problem(table, raw)
        if problem:
            report.errors.append(RowError(raw.number, "", "", problem))
            report.failed += 1
            continue
        row = _Row(raw.number, raw.cells, columns, table.header)
        try:
            with transaction.atomic():  # a savepoint: a failed row leaves nothing behind
                account, outcome = _one(by, row, people, seen_inn, on_duplicate)
        except _RowFailed:
            outcome = "failed"
            account = None
        report.errors.extend(row.errors)
        setattr(report, outcome, getattr(report, outcome) + 1)
        if outcome in ("new", "updated"):
            report.touched[account.pk] = (row.number, outcome, row.before)
        if account is not None:
            by_inn[account.inn] = account
            if row.values.get("external_id") not in (None, ""):
                by_external[str(row.values["external_id"]).strip()] = account
            if any(row.values.get(k) not in (None, "") for k in ("parent_inn", "parent_external_id")):
                parents.append((row, account, outcome))
    for row, account, outcome in parents:
        previous = account.parent_id
        if not _set_parent(by, row, account, by_inn, by_external):
            report.errors.extend(row.errors)
            setattr(report, outcome, getattr(report, outcome) - 1)
            report.failed += 1
        elif outcome != "new" and account.parent_id != previous:
            row.before.setdefault("parent", previous)
            if outcome == "unchanged":  # only its holding changed: an update after all
                report.unchanged -= 1
                report.updated += 1
                report.touched[account.pk] = (row.number, "updated", row.before)


def _one(by: User, row: _Row, people: _People, seen_inn: dict[str, int], on_duplicate: str):
    legal_name = row.read("legal_name", lambda c: parse_text(c, max_length=300), "")
    if not legal_name and not row.failed_on("legal_name"):
        row.fail("legal_name", _("Fill in the legal name."))
    short_name = row.read("short_name", lambda c: parse_text(c, max_length=150), "")
    inn = row.read("inn", _checked(validate_inn), "")
    if not inn and not row.failed_on("inn"):
        row.fail("inn", _("Fill in the INN."))
    kpp = row.read("kpp", _checked(validate_kpp), "")
    owner_name = row.read("owner", lambda c: parse_text(c, max_length=200), "")
    owner = row.read("owner", lambda _c: people.find(owner_name)) if owner_name else None
    status = row.read(
        "status",
        _word(
            _words("status"), _("“%(value)s” is not a status Orbit knows: write “клиент” or “потенциальный”.")
        ),
    )
    tier = row.read(
        "tier", _word(_words("tier"), _("“%(value)s” is not a tier: write A, B, C or “ключевой”."))
    )
    budget = row.read("agreed_budget", parse_number)
    if inn:
        if inn in seen_inn:
            row.fail("inn", _("INN %(inn)s is in row %(row)s too.") % {"inn": inn, "row": seen_inn[inn]})
        else:
            seen_inn[inn] = row.number
    if row.errors:
        raise _RowFailed
    fields: dict[str, Any] = {"legal_name": legal_name, "inn": inn}
    for key, value in (("short_name", short_name), ("kpp", kpp), ("tier", tier), ("agreed_budget", budget)):
        if value not in (None, ""):
            fields[key] = value
    existing = Account.objects.filter(inn=inn, archived_at__isnull=True).first()
    try:
        if existing is None:
            status = status or (AccountStatus.ACTIVE if owner else AccountStatus.PROSPECT)
            if status != AccountStatus.PROSPECT and owner is None:
                row.fail("owner", _("An active client needs a responsible manager: fill in the column."))
                raise _RowFailed
            if status not in IMPORTABLE_STATUSES:
                row.fail(
                    "status", _("A new account starts as a prospect, an active, dormant or churned client.")
                )
                raise _RowFailed
            start = AccountStatus.PROSPECT if status == AccountStatus.PROSPECT else AccountStatus.ACTIVE
            account = services.account_create(
                by=by, responsible_manager=owner, status=start, reason=ChangeReason.IMPORT, **fields
            )
            if status != start:
                account = services.account_set_status(by=by, account=account, status=status)
            return account, "new"
        if not policy.can_view_account(by, existing):
            row.fail(
                "inn",
                _("INN %(inn)s already belongs to another client in the base. Ask your lead who holds it.")
                % {"inn": inn},
            )
            raise _RowFailed
        if on_duplicate == SKIP:
            return existing, "unchanged"
        changes = {k: v for k, v in fields.items() if getattr(existing, k) != v}
        row.before.update({k: _plain(getattr(existing, k)) for k in changes})
        if changes:
            existing = services.account_update(by=by, account=existing, version=None, **changes)
        if owner is not None and owner.pk != existing.responsible_manager_id:
            row.before["owner"] = existing.responsible_manager_id
            services.account_reassign(by=by, account=existing, manager=owner, reason=ChangeReason.IMPORT)
            changes["owner"] = owner
        return existing, "updated" if changes else "unchanged"
    except ValidationError as exc:
        _service_errors(row, exc)
        raise _RowFailed from None
    except PermissionDenied as exc:
        row.fail("owner" if owner else "inn", str(exc))
        raise _RowFailed from None


def _service_errors(row: _Row, exc: ValidationError) -> None:
    messages = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
    for name, texts in messages.items():
        key = FIELD_OF_SERVICE.get(name, name)
        for text in texts:
            row.fail(key if key in row.headers else "", text)


def _set_parent(by, row: _Row, account: Account, by_inn, by_external) -> bool:
    """Put the account under its holding; False (the reasons on the row) when it cannot."""
    parent_inn = _digits(row.values.get("parent_inn"))
    external = str(row.values.get("parent_external_id") or "").strip()
    parent = by_inn.get(parent_inn) if parent_inn else by_external.get(external)
    key = "parent_inn" if parent_inn else "parent_external_id"
    if parent is None and parent_inn:
        parent = Account.objects.filter(inn=parent_inn, archived_at__isnull=True).first()
        if parent is not None and not policy.can_view_account(by, parent):
            parent = None
    if parent is None:
        row.fail(key, _("The holding is neither in the file nor among the accounts you see."))
    elif parent.pk != account.parent_id:
        try:
            with transaction.atomic():
                services.account_update(by=by, account=account, version=None, parent=parent)
            account.parent = parent
        except (ValidationError, PermissionDenied) as exc:
            row.fail(key, "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
    return not row.errors
