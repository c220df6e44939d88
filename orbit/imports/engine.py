"""What every import shares, whatever it brings in (issue 15): the row report, reading a row's cells, finding
people by the names exports write, and the all-or-nothing run.

An import is a *kind* (accounts, contacts, invoices…: `orbit/imports/kinds.py`): its fields and presets, who may
run it, and `run(by, table, columns, on_duplicate, report)`, which goes through the rows and writes through the
area's services. `import_file` wraps it: it recognises the columns, runs the kind in one transaction, rolls
everything back on a dry run or when any row failed (the base is exactly as before), and records a committed or
refused import (`ImportBatch`; a dry run is not recorded) with what it did, for its undo.
"""

from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from orbit.imports.mapping import Field, missing_required, normalise, recognise
from orbit.imports.models import ImportBatch, ImportStatus
from orbit.imports.reading import Table, shape_problem
from orbit.imports.values import ValueProblem
from orbit.org.models import OWNER_ROLES, User

UPDATE, SKIP = "update", "skip"  # what to do with a row that is already in the base
WARNINGS_KEPT = 1000  # Orbit's default: as many as the import history keeps of the errors


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
    # What does not stop the import but may be a mistake (a new account named like one in the base).
    warnings: list[RowError] = field(default_factory=list)  # the first WARNINGS_KEPT of them
    warnings_total: int = 0
    unmapped: list[str] = field(default_factory=list)  # columns nothing imports
    columns: dict[int, str] = field(default_factory=dict)  # column index -> the field it went to
    notes: list[str] = field(default_factory=list)
    committed: bool = False
    batch_id: int | None = None  # the history record of a committed or refused import
    # What the import created or changed, as its kind keeps it for the undo (accounts: account id -> (row,
    # "new"/"updated", fields' values before)).
    touched: dict[Any, tuple] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        counts = {
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "failed": self.failed,
        }
        shown = {**counts, "errors": [asdict(e) for e in self.errors]}
        if self.warnings:  # beyond the five keys the CLI promises, only when there is something to say
            shown["warnings"] = [asdict(e) for e in self.warnings]
        if self.warnings_total > len(self.warnings):
            shown["warnings_total"] = self.warnings_total
        return shown

    def warn(self, warnings: list[RowError]) -> None:
        """Keep a row's warnings: all are counted, the first WARNINGS_KEPT kept (a base of a million namesakes
        would otherwise hold a million of them in memory, and no one reads past the first pages)."""
        self.warnings_total += len(warnings)
        room = WARNINGS_KEPT - len(self.warnings)
        if room > 0:
            self.warnings.extend(warnings[:room])

    def count(self, outcome: str, by: int = 1) -> None:
        setattr(self, outcome, getattr(self, outcome) + by)


class RowFailed(Exception):
    """A row cannot go in: its reasons are on the row."""


@dataclass(frozen=True)
class Kind:
    """One kind of import: what it reads and how it writes."""

    name: str  # "accounts": the CLI's KIND and ImportBatch.kind
    label: object  # a lazy translation: "Accounts"
    fields: tuple[Field, ...]
    presets: dict[str, dict[str, str]]  # preset name -> {header: field key}
    may_import: Callable[[User], bool]
    run: Callable[[User, Table, dict[int, str], str, Report], None]
    # After a commit, in its transaction: keep what the import did (ImportedRow), for the undo.
    remember: Callable[[Report], None]
    # Undo the rows of a committed import: raises ValidationError with every reason it cannot.
    undo: Callable[[User, ImportBatch, list], None]


def import_file(
    kind: Kind,
    *,
    by: User,
    table: Table,
    file_name: str,
    mapping: dict[str, str] | None = None,
    preset: str = "",
    on_duplicate: str = UPDATE,
    dry_run: bool = False,
    batch: ImportBatch | None = None,
    progress: Callable[[int], None] | None = None,
) -> Report:
    """Import `table` as `kind` for `by`. `mapping` (header → field key) or a preset's; the rest recognised by
    name. Returns the report; commits only a clean, non-dry run.

    `batch`: the record a background import made when it was queued (it carries the progress), else one is
    made here. `progress(rows read)` is called every PROGRESS_EVERY rows."""
    if not kind.may_import(by):
        raise PermissionDenied(_("You may not import this."))
    columns = recognise(table.header, kind.fields, mapping)
    report = Report(notes=list(table.notes), columns=columns)
    report.unmapped = [h for i, h in enumerate(table.header) if i not in columns and h]
    if progress is not None:
        table.rows = _counted(table.rows, progress)
    queued = batch is not None

    def record() -> Report:
        nonlocal batch
        if dry_run and not queued:
            return report
        if batch is None or (not report.committed and not queued):
            # One made inside the rolled-back transaction is gone with it: the refusal is a new record.
            batch = ImportBatch(kind=kind.name, by=by)
        batch.file_name = file_name[:255]
        batch.status = ImportStatus.COMMITTED if report.committed else ImportStatus.REFUSED
        if dry_run:
            batch.status = ImportStatus.CHECKED
        batch.mapping = {table.header[i]: key for i, key in columns.items()}
        batch.options = {**batch.options, "preset": preset, "on_duplicate": on_duplicate}
        batch.counts = {k: v for k, v in report.as_json().items() if k not in ("errors", "warnings")}
        batch.errors = [asdict(e) for e in report.errors[:1000]]
        batch.save()
        report.batch_id = batch.pk
        return report

    missing = missing_required(columns, kind.fields)
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
        return record()
    try:
        with transaction.atomic():
            if not dry_run:
                # Made first, in the import's transaction: a kind may keep what it did (ImportedRow) as it goes.
                batch = batch or ImportBatch.objects.create(
                    kind=kind.name, file_name=file_name[:255], status=ImportStatus.RUNNING, by=by
                )
                report.batch_id = batch.pk
            kind.run(by, table, columns, on_duplicate, report)
            if dry_run or report.errors:
                transaction.set_rollback(True)
            else:
                report.committed = True
                # In the import's own transaction: a committed import always knows what it did (for its undo).
                record()
                kind.remember(report)
    except IntegrityError:
        # The rows were checked against the base before writing: only a write made meanwhile by someone else
        # (the same INN imported twice at once) gets here. Nothing is written; say so instead of a server error.
        report.committed = False
        report.errors.append(
            RowError(
                table.header_row,
                "",
                "",
                _(
                    "The base changed while the file was imported (someone added the same records): "
                    "nothing was imported. Try again."
                ),
            )
        )
    return report if report.committed else record()


PROGRESS_EVERY = 1000  # rows between two progress reports


def _counted(rows, progress: Callable[[int], None]):
    done = 0
    for row in rows:
        yield row
        done += 1
        if done % PROGRESS_EVERY == 0:
            progress(done)
    progress(done)


def readable_rows(table: Table, columns: dict[int, str], report: Report) -> Iterator["Row"]:
    """The table's rows, each as a Row of its cells by field key; a row the file itself breaks (another
    delimiter, an unclosed quote) goes to the report as failed instead."""
    for raw in table.rows:
        problem = shape_problem(table, raw)
        if problem:
            report.errors.append(RowError(raw.number, "", "", problem))
            report.failed += 1
            continue
        yield Row(raw.number, raw.cells, columns, table.header)


class People:
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
        """Anyone active, by name, e-mail or login."""
        # A login or an e-mail as typed ("am_a", "o.smirnova@…"), else a name as exports write it.
        key = next((k for k in (text.strip().lower(), normalise(text)) if k in self.by_key), None)
        if key is None:
            raise ValueProblem(
                _("No user “%(name)s” in Orbit: add the person or fix the name.") % {"name": text}
            )
        person = self.by_key[key]
        if person is None:
            raise ValueProblem(
                _("Two people are called “%(name)s”: write the e-mail instead.") % {"name": text}
            )
        return person

    def owner(self, text: str) -> User:
        """Someone who may be responsible for accounts."""
        person = self.find(text)
        if not person.has_role(*OWNER_ROLES):
            raise ValueProblem(
                _("%(name)s cannot be responsible for accounts: they hold no account-manager or sales role.")
                % {"name": person}
            )
        return person


class Row:
    """One row's cells by field key, and the errors found reading them."""

    def __init__(self, number: int, cells: list, columns: dict[int, str], header: list[str]):
        self.number = number
        self.values = {key: cells[i] if i < len(cells) else None for i, key in columns.items()}
        self.headers = {key: header[i] for i, key in columns.items()}
        self.errors: list[RowError] = []
        self.warnings: list[RowError] = []
        self.before: dict[str, Any] = {}  # an existing record's fields before the import changed them

    def fail(self, key: str, message: str) -> None:
        value = self.values.get(key)
        shown = "" if value is None else str(value)
        self.errors.append(RowError(self.number, self.headers.get(key, ""), shown[:200], message))

    def warn(self, key: str, message: str) -> None:
        value = self.values.get(key)
        shown = "" if value is None else str(value)
        self.warnings.append(RowError(self.number, self.headers.get(key, ""), shown[:200], message))

    def failed_on(self, key: str) -> bool:
        return any(e.column == self.headers.get(key) for e in self.errors)

    def filled(self, key: str) -> bool:
        return self.values.get(key) not in (None, "")

    def read(self, key: str, parse, default=None):
        try:
            return parse(self.values.get(key))
        except ValueProblem as problem:
            self.fail(key, problem.message)
            return default

    def require(self, key: str, parse, message: str, default=None):
        """A cell that must be filled: `message` when it is empty."""
        value = self.read(key, parse, default)
        if value in (None, "") and not self.failed_on(key):
            self.fail(key, message)
        return value

    def service_errors(
        self, exc: ValidationError | PermissionDenied, field_of: dict[str, str], fallback: str = ""
    ):
        """A service's refusal on the row: each message under the column of the field it names."""
        if isinstance(exc, PermissionDenied):
            self.fail(fallback, str(exc))
            return
        messages = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        for name, texts in messages.items():
            key = field_of.get(name, name)
            for text in texts:
                self.fail(key if key in self.headers else fallback, text)


def digits(cell) -> str:
    """An INN, KPP or number cell: XLSX may hold it as a number; spaces typed between digit groups are dropped."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    return "".join(str(cell).split())


def checked(validator):
    """A parser of a digits cell checked by a model validator (INN, KPP)."""

    def parse(cell) -> str:
        text = digits(cell)
        if text:
            try:
                validator(text)
            except ValidationError as exc:
                raise ValueProblem(exc.messages[0]) from None
        return text

    return parse


def word(words: dict, message: str):
    """A parser of a cell that must be one of `words` (normalised text → value); `message` % {"value"}."""

    def parse(cell):
        text = normalise(str(cell)) if cell is not None else ""
        if not text:
            return None
        if text not in words:
            raise ValueProblem(message % {"value": cell})
        return words[text]

    return parse


def choice_words(choices, synonyms: dict | None = None) -> dict[str, str]:
    """A TextChoices' labels in Russian and English (what Orbit's export writes), plus synonyms, normalised."""
    words = dict(synonyms or {})
    for language in ("ru", "en"):
        with translation.override(language):
            words.update({normalise(str(label)): value for value, label in choices})
            words.update({normalise(value): value for value, _label in choices})
    return words


def plain(value):
    """A field's value as JSON keeps it: a model as its id, a Decimal as text."""
    if isinstance(value, models.Model):
        return value.pk
    return str(value) if isinstance(value, Decimal) else value
