"""Importing accounts: the accounts services' checks on every row, all or nothing (issue 15).

A row is a new account, an update of the account that has its INN, unchanged, or failed with its reasons
(row, column, value, message). The whole file runs in one transaction, in chunks (docs/imports.md, "Large
files"): new accounts are checked as services.account_create checks them, without a query, and written together;
a row matching an account goes through the services in a savepoint. Every row's errors are reported, not only
the first; when any row failed, or on a dry run, everything is rolled back — the base is exactly as before. A
committed or refused import is recorded (ImportBatch), a dry run is not.

Rules:
- Matching: by INN and KPP among the accounts that are not archived (the base holds an INN and KPP once; a
  branch has its head company's INN and its own KPP). A row without a KPP matches the only live account with
  its INN, and is an error when branches share it. An INN and KPP twice in the file is an error on the second
  row. A new account whose name is already in the base (names.name_key) is not merged, but warned about
  (Report.warnings). An INN held by an account the importer may not see is refused as the account form
  refuses it, without naming the client.
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
import re
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from simple_history.utils import bulk_create_with_history

from orbit.access import policy
from orbit.accounts import ownership_bulk, services
from orbit.accounts.models import Account, AccountStatus, ChangeReason, OwnershipPeriod, Tier, sort_name_of
from orbit.accounts.names import name_key
from orbit.common.validators import normalize_phone, validate_inn, validate_kpp
from orbit.imports import accounts_undo, copying
from orbit.imports.engine import (
    SKIP,
    UPDATE,
    Kind,
    People,
    Report,
    Row,
    RowError,
    RowFailed,
    checked,
    choice_words,
    digits,
    import_file,
    plain,
    word,
)
from orbit.imports.mapping import ACCOUNT_FIELDS, PRESETS
from orbit.imports.models import ImportedRow
from orbit.imports.reading import Table, shape_problem
from orbit.imports.values import ValueProblem, parse_number, parse_text
from orbit.org.models import User

__all__ = ["KIND", "SKIP", "UPDATE", "Report", "RowError", "import_accounts"]

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
    if kind == "status":
        return choice_words(AccountStatus.choices, STATUS_SYNONYMS)
    return choice_words(Tier.choices, TIER_SYNONYMS)


FIELD_OF_SERVICE = {"responsible_manager": "owner", "parent": "parent_inn"}  # service field → import field


def _remember(report: Report) -> None:
    versions = dict(Account.objects.filter(pk__in=report.touched).values_list("pk", "version"))
    ImportedRow.objects.bulk_create(
        ImportedRow(
            batch_id=report.batch_id,
            account_id=pk,
            target="accounts.account",
            object_id=pk,
            row=row,
            action=action,
            before=before,
            version_after=versions[pk],
        )
        for pk, (row, action, before) in report.touched.items()
    )


CHUNK = 2000  # rows read, checked and written together (Orbit's default): ~10 queries a chunk, not a row


@dataclass
class _Parent:
    """A row naming its holding, kept until every row is in (only what setting the holding needs)."""

    number: int
    account_id: int
    outcome: str
    inn_cell: Any
    external_cell: Any
    before: dict  # an existing account's values before the import changed them ({} for a new one)


@dataclass
class _Run:
    by: User
    on_duplicate: str
    report: Report
    people: People = field(default_factory=People)
    # (INN, KPP) as numbers (less memory for a million rows) → the row that had them first
    seen_inn: dict[tuple[int, int], int] = field(default_factory=dict)
    by_external: dict[str, int] = field(default_factory=dict)  # the file's own "Account ID" → account id
    parents: list[_Parent] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # field key → the file's header
    may_give: dict[int, bool] = field(
        default_factory=dict
    )  # owner id → may the importer make him responsible
    assigned: dict[int, int] = field(default_factory=dict)  # account id → the holding this import gave it
    statistics: copying.Statistics = field(default_factory=lambda: copying.Statistics(Account))
    # Names with two namesakes of different INNs: every later row so named is warned about, without a query.
    named_twice: dict[str, list[tuple[str, bool]]] = field(default_factory=dict)


def _run(by: User, table: Table, columns: dict[int, str], on_duplicate: str, report: Report) -> None:
    """The rows in chunks: each row read and checked without a query, the chunk's INNs looked up in one query,
    its new accounts written with bulk inserts (accounts, their history, ownership periods, import rows)."""
    run = _Run(by, on_duplicate, report, headers={key: table.header[i] for i, key in columns.items()})
    chunk: list[Row | RowError] = []
    for raw in table.rows:
        problem = shape_problem(table, raw)
        chunk.append(
            RowError(raw.number, "", "", problem)
            if problem
            else Row(raw.number, raw.cells, columns, table.header)
        )
        if len(chunk) == CHUNK:
            _chunk(run, chunk)
            chunk = []
    _chunk(run, chunk)
    _set_parents(run)


def _read(run: _Run, row: Row) -> dict[str, Any] | None:
    """The row's values, checked as the account form checks them; None (reasons on the row) when it fails."""
    legal_name = row.read("legal_name", lambda c: parse_text(c, max_length=300), "")
    if not legal_name and not row.failed_on("legal_name"):
        row.fail("legal_name", _("Fill in the legal name."))
    short_name = row.read("short_name", lambda c: parse_text(c, max_length=150), "")
    inn = row.read("inn", checked(validate_inn), "")
    if not inn and not row.failed_on("inn"):
        row.fail("inn", _("Fill in the INN."))
    kpp = row.read("kpp", checked(validate_kpp), "")
    owner_name = row.read("owner", lambda c: parse_text(c, max_length=200), "")
    owner = row.read("owner", lambda _c: run.people.owner(owner_name)) if owner_name else None
    status = row.read(
        "status",
        word(
            _words("status"), _("“%(value)s” is not a status Orbit knows: write “клиент” or “потенциальный”.")
        ),
    )
    tier = row.read(
        "tier", word(_words("tier"), _("“%(value)s” is not a tier: write A, B, C or “ключевой”."))
    )
    budget = row.read("agreed_budget", parse_number)
    phone = row.read("phone", _phone, "")
    address = row.read("address", lambda c: parse_text(c, max_length=500), "")
    website = row.read("website", _website, "")
    if inn:
        key = (int(inn), int(kpp or 0))  # a branch: the head company's INN with its own KPP
        if key in run.seen_inn:
            row.fail("inn", _("INN %(inn)s is in row %(row)s too.") % {"inn": inn, "row": run.seen_inn[key]})
        else:
            run.seen_inn[key] = row.number
    if row.errors:
        return None
    fields: dict[str, Any] = {"legal_name": legal_name, "inn": inn}
    optional = (("short_name", short_name), ("kpp", kpp), ("tier", tier), ("agreed_budget", budget))
    optional += (("phone", phone), ("address", address), ("website", website))
    for key, value in optional:
        if value not in (None, ""):
            fields[key] = value
    return {"fields": fields, "owner": owner, "status": status}


_URL = forms.URLField(max_length=200, assume_scheme="https")


def _phone(cell) -> str:
    """As the account form reads it: one stored form, +74951234567. CRMs export several numbers in one cell
    ("+7 495 …, +7 916 …"): the first is the company's."""
    text = parse_text(cell, max_length=200)
    text = next((part.strip() for part in re.split(r"[,;\n]", text) if part.strip()), "")
    try:
        return normalize_phone(text) if text else ""
    except ValidationError as exc:
        raise ValueProblem(exc.messages[0]) from None


def _website(cell) -> str:
    """As the account form reads it: "romashka.ru" is https://romashka.ru."""
    text = parse_text(cell, max_length=200)
    try:
        return _URL.clean(text) if text else ""
    except ValidationError as exc:
        raise ValueProblem(exc.messages[0]) from None


def existing_by_inn(inns: list[str]) -> dict[str, list[Account]]:
    """The live accounts a chunk's rows may match, in one query, by INN (a company and its branches, oldest
    first); which one a row is, `services.pick_by_kpp` tells by its KPP."""
    found: dict[str, list[Account]] = {}
    for account in Account.objects.filter(inn__in=copying.values_of(inns), archived_at__isnull=True).order_by(
        "id"
    ):
        found.setdefault(account.inn, []).append(account)
    return found


def namesakes(by: User, keys: set[str]) -> dict[str, list[tuple[str, bool]]]:
    """Live accounts by name key (names.name_key), as (INN, does the importer see it): a new row named like one
    of them is warned about, not merged (different companies share names). Up to two per name, with different
    INNs — enough to name one whose INN differs from the row's — in one query however many share a name."""
    if not keys:
        return {}
    live = Account.objects.filter(archived_at__isnull=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_TWO_NAMESAKES, [sorted(keys)])
            found = cursor.fetchall()
    else:  # SQLite, the demo's small base: all of them
        found = list(live.filter(name_key__in=keys).values_list("name_key", "id", "inn"))
    seen = set(
        Account.objects.visible_to(by)
        .filter(pk__in=[pk for _k, pk, _i in found])
        .values_list("pk", flat=True)
    )
    named: dict[str, list[tuple[str, bool]]] = {}
    for key, pk, inn in found:
        named.setdefault(key, []).append((inn, pk in seen))
    return named


_TWO_NAMESAKES = """
SELECT k.key, a.id, a.inn FROM unnest(%s::text[]) AS k(key)
CROSS JOIN LATERAL (
    SELECT id, inn FROM accounts_account WHERE name_key = k.key AND archived_at IS NULL LIMIT 1
) first
CROSS JOIN LATERAL (
    SELECT first.id, first.inn
    UNION ALL
    (SELECT b.id, b.inn FROM accounts_account b
      WHERE b.name_key = k.key AND b.archived_at IS NULL AND b.inn <> first.inn LIMIT 1)
) a
"""


def _namesakes(run: _Run, keys: set[str]) -> dict[str, list[tuple[str, bool]]]:
    """`namesakes` for a chunk, asking only for the names not yet known to have two of them: in a big base the
    common names soon are, and most chunks need no query."""
    named = namesakes(run.by, keys - run.named_twice.keys())
    run.named_twice.update((key, found) for key, found in named.items() if len(found) == 2)
    return {**named, **{key: run.named_twice[key] for key in keys & run.named_twice.keys()}}


def _match(row: Row, candidates: list[Account], fields: dict[str, Any]) -> Account | None:
    """The account the row is, or None for a new one; RowFailed when branches share its INN and no KPP says."""
    try:
        return services.pick_by_kpp(candidates, fields["inn"], fields.get("kpp", ""))
    except ValidationError as exc:
        row.service_errors(exc, FIELD_OF_SERVICE, fallback="inn")
        raise RowFailed from None


def _warn_namesake(row: Row, fields: dict[str, Any], found: list[tuple[str, bool]]) -> None:
    namesake = next(((inn, seen) for inn, seen in found if inn != fields["inn"]), None)
    if namesake is None:
        return
    inn, seen = namesake
    if seen:
        message = _(
            "A company with this name is already in Orbit (INN %(inn)s): if it is the same one, fix the INN."
        ) % {"inn": inn}
    else:
        message = _("A company with this name is already in Orbit: if it is the same one, fix the INN.")
    row.warn("legal_name", message)


def _chunk(run: _Run, chunk: list[Row | RowError]) -> None:
    read = {row.number: _read(run, row) for row in chunk if isinstance(row, Row)}
    inns = [values["fields"]["inn"] for values in read.values() if values]
    existing = existing_by_inn(inns) if inns else {}
    named = _namesakes(run, {name_key(v["fields"]["legal_name"]) for v in read.values() if v} - {""})
    new: list[tuple[Row, dict]] = []
    report = run.report
    for row in chunk:
        if isinstance(row, RowError):
            report.errors.append(row)
            report.failed += 1
            continue
        values = read[row.number]
        account, outcome = None, "failed"
        if values is not None:
            try:
                match = _match(row, existing.get(values["fields"]["inn"], []), values["fields"])
                if match is None:
                    account, outcome = _new(run, row, **values), "new"
                    new.append((row, account))
                    _warn_namesake(row, values["fields"], named.get(account["name_key"], []))
                else:
                    with transaction.atomic():  # a savepoint: a failed row leaves nothing behind
                        account, outcome = _existing(run.by, row, match, run.on_duplicate, **values)
            except RowFailed:
                account, outcome = None, "failed"
        report.errors.extend(row.errors)
        if outcome == "new":
            report.warn(row.warnings)
        report.count(outcome)
        if outcome == "updated":
            report.touched[account.pk] = (row.number, outcome, row.before)
        if account is not None and outcome != "new":
            _remember_parent(run, row, account.pk, outcome)
    _write_new(run, new)


def _remember_parent(run: _Run, row: Row, account_id: int, outcome: str) -> None:
    if row.filled("external_id"):
        run.by_external[str(row.values["external_id"]).strip()] = account_id
    if row.filled("parent_inn") or row.filled("parent_external_id"):
        run.parents.append(
            _Parent(
                row.number,
                account_id,
                outcome,
                row.values.get("parent_inn"),
                row.values.get("parent_external_id"),
                row.before if outcome != "new" else {},
            )
        )


def _may_give(run: _Run, owner: User) -> bool:
    """services.account_create's check, once per owner: may the importer make him responsible."""
    if owner.pk not in run.may_give:
        run.may_give[owner.pk] = owner == run.by or policy.can_reassign(run.by, Account(), owner)
    return run.may_give[owner.pk]


BUDGET = Account._meta.get_field("agreed_budget")


# Every column of a new account, with the model's defaults for what the import does not fill.
_ACCOUNT_DEFAULTS = {f.attname: f.get_default() for f in Account._meta.concrete_fields if f.attname != "id"}


def _new(run: _Run, row: Row, fields: dict[str, Any], owner: User | None, status: str | None) -> dict:
    """A new account as services.account_create (and account_set_status for a dormant or churned one) would
    make it, checked the same way, with no query: its columns, written later with the chunk's other new ones."""
    status = status or (AccountStatus.ACTIVE if owner else AccountStatus.PROSPECT)
    if status != AccountStatus.PROSPECT and owner is None:
        row.fail("owner", _("An active client needs a responsible manager: fill in the column."))
        raise RowFailed
    if status not in IMPORTABLE_STATUSES:
        row.fail("status", _("A new account starts as a prospect, an active, dormant or churned client."))
        raise RowFailed
    try:
        if owner is not None and not _may_give(run, owner):
            raise PermissionDenied(_("You may not change this record."))
        _check_new(fields)
    except (ValidationError, PermissionDenied) as exc:
        row.service_errors(exc, FIELD_OF_SERVICE, fallback="owner" if owner else "inn")
        raise RowFailed from None
    account = {
        **_ACCOUNT_DEFAULTS,
        **fields,
        "created_by_id": run.by.pk,
        "status": status,
        "responsible_manager_id": owner.pk if owner else None,
        # As the services count: created (1), given to its manager (+1), moved on from active (+1).
        "version": 1 + (owner is not None) + (status not in (AccountStatus.PROSPECT, AccountStatus.ACTIVE)),
    }
    # What Account.save() fills (a bulk insert skips it).
    short, legal = account["short_name"], account["legal_name"]
    account["search_text"] = " ".join(filter(None, [legal, short, account["inn"]])).lower()
    account["sort_name"] = sort_name_of(short or legal)
    account["manager_sort"] = owner.display_name.lower() if owner else ""
    account["name_key"] = name_key(legal)
    return account


def _check_new(fields: dict[str, Any]) -> None:
    """What services._validate_account checks of a new account that reading the row has not: the INN was looked
    up with the chunk (and in the file so far), the rest of full_clean is the budget's digits."""
    inn, kpp, budget = fields["inn"], fields.get("kpp", ""), fields.get("agreed_budget")
    if len(inn) == 12 and kpp:
        raise ValidationError({"kpp": _("An individual entrepreneur (12-digit INN) has no KPP.")})
    if len(inn) == 10 and not kpp:
        raise ValidationError({"kpp": _("An organisation (10-digit INN) needs a KPP.")})
    if budget is not None:
        if budget < 0:
            raise ValidationError({"agreed_budget": _("The budget cannot be negative.")})
        try:
            BUDGET.clean(budget, None)
        except ValidationError as exc:
            raise ValidationError({"agreed_budget": exc.messages}) from None


_HISTORY = Account.history.model
_HISTORY_COLUMNS = [
    f.attname
    for f in _HISTORY._meta.concrete_fields
    if f.attname == "id" or (f.attname != "history_id" and f.attname in _ACCOUNT_DEFAULTS)
]


def _write_new(run: _Run, new: list[tuple[Row, dict]]) -> None:
    """The chunk's new accounts, their creation in the history, their periods (reason "import", as
    ownership.transfer writes them) and, for a committed import, what it did for its undo."""
    if not new:
        return
    now = timezone.now()
    accounts = [account for _row, account in new]
    if copying.usable():
        ids = copying.next_ids(Account, len(accounts))
    for n, account in enumerate(accounts):
        account.update(created_at=now, updated_at=now, status_changed_at=now)
        if copying.usable():
            account["id"] = ids[n]
    with ownership_bulk.checked_together(ids if copying.usable() else ()):
        if copying.usable():
            columns = ["id", *_ACCOUNT_DEFAULTS]
            copying.copy_rows(Account, columns, ([a[c] for c in columns] for a in accounts))
        else:
            objs = [Account(**a) for a in accounts]
            bulk_create_with_history(objs, Account, default_user=run.by, default_date=now)
            for account, obj in zip(accounts, objs, strict=True):
                account["id"] = obj.pk
        _bulk(
            OwnershipPeriod,
            ["account_id", "manager_id", "started_at", "reason", "comment", "changed_by_id", "created_at"],
            [
                (a["id"], a["responsible_manager_id"], now, ChangeReason.IMPORT, "", run.by.pk, now)
                for a in accounts
                if a["responsible_manager_id"]
            ],
        )
    if copying.usable():
        history = [*_HISTORY_COLUMNS, "history_date", "history_type", "history_user_id"]
        copying.copy_rows(
            _HISTORY, history, ([*(a[c] for c in _HISTORY_COLUMNS), now, "+", run.by.pk] for a in accounts)
        )
    if run.report.batch_id is not None:
        nothing_before = copying.json({})
        _bulk(
            ImportedRow,
            ["batch_id", "account_id", "target", "object_id", "row", "action", "before", "version_after"],
            [
                (
                    run.report.batch_id,
                    a["id"],
                    "accounts.account",
                    a["id"],
                    row.number,
                    "new",
                    nothing_before,
                    a["version"],
                )
                for row, a in new
            ],
        )
    for row, account in new:
        _remember_parent(run, row, account["id"], "new")
    run.statistics.wrote(len(new))


def _bulk(model, columns: list[str], rows: list[tuple]) -> None:
    if copying.usable():
        copying.copy_rows(model, columns, rows)
    else:
        model.objects.bulk_create(model(**dict(zip(columns, row, strict=True))) for row in rows)


def _existing(by: User, row: Row, existing: Account, on_duplicate: str, fields, owner, status):
    """A row whose INN is in the base: through the services, one by one (rare in a first import)."""
    inn = fields["inn"]
    try:
        if not policy.can_view_account(by, existing):
            row.fail(
                "inn",
                _("INN %(inn)s already belongs to another client in the base. Ask your lead who holds it.")
                % {"inn": inn},
            )
            raise RowFailed
        if on_duplicate == SKIP:
            return existing, "unchanged"
        changes = {k: v for k, v in fields.items() if getattr(existing, k) != v}
        row.before.update({k: plain(getattr(existing, k)) for k in changes})
        if changes:
            existing = services.account_update(by=by, account=existing, version=None, **changes)
        if owner is not None and owner.pk != existing.responsible_manager_id:
            row.before["owner"] = existing.responsible_manager_id
            services.account_reassign(by=by, account=existing, manager=owner, reason=ChangeReason.IMPORT)
            changes["owner"] = owner
        return existing, "updated" if changes else "unchanged"
    except (ValidationError, PermissionDenied) as exc:
        row.service_errors(exc, FIELD_OF_SERVICE, fallback="owner" if owner else "inn")
        raise RowFailed from None


def _set_parents(run: _Run) -> None:
    """Holdings, after every row is in (so the order of rows does not matter), a chunk at a time: the parents
    looked up in one query among the accounts the importer sees; a new account's holding written with one
    statement for the chunk (and into its creation in the history), an existing one's through the service."""
    report = run.report
    run.parents.sort(key=lambda p: p.number)  # a chunk's new rows were remembered after its matched ones
    for start in range(0, len(run.parents), CHUNK):
        chunk = run.parents[start : start + CHUNK]
        by_inn = _holdings_by_inn(run.by, {digits(p.inn_cell) for p in chunk} - {""})
        new_parents: dict[int, int] = {}  # new account id → its holding's id
        for p in chunk:
            row = Row(
                p.number,
                [p.inn_cell, p.external_cell],
                {0: "parent_inn", 1: "parent_external_id"},
                [run.headers.get("parent_inn", ""), run.headers.get("parent_external_id", "")],
            )
            row.before = p.before
            parent_inn = digits(p.inn_cell)
            parent_id = (
                by_inn.get(parent_inn)
                if parent_inn
                else run.by_external.get(str(p.external_cell or "").strip())
            )
            key = "parent_inn" if parent_inn else "parent_external_id"
            if parent_id is _BRANCHES:
                row.fail(
                    key,
                    _(
                        "Several accounts have INN %(inn)s (a company and its branches): put the branches "
                        "under their head company first."
                    )
                    % {"inn": parent_inn},
                )
            elif parent_id is None:
                row.fail(key, _("The holding is neither in the file nor among the accounts you see."))
            elif p.outcome == "new":
                if _cycle(run, p.account_id, parent_id):
                    row.fail(key, _("An account cannot be its own holding, directly or through others."))
                else:
                    new_parents[p.account_id] = parent_id
                    run.assigned[p.account_id] = parent_id
            else:
                _write_parents(new_parents)
                new_parents = {}
                _set_existing_parent(run, row, p, parent_id, key)
            if row.errors:
                report.errors.extend(row.errors)
                report.count(p.outcome, -1)
                report.failed += 1
        _write_parents(new_parents)


_BRANCHES: Any = object()  # a holding INN that branches share and no head company stands out among


def _holdings_by_inn(by: User, inns: set[str]) -> dict[str, Any]:
    """Holdings named by INN among the accounts the importer sees, in one query. When branches share the INN,
    the holding is their head company: the one not under another account with that INN."""
    if not inns:
        return {}
    live = Account.objects.visible_to(by).filter(inn__in=inns, archived_at__isnull=True)
    found: dict[str, list[tuple[int, str | None]]] = {}
    for inn, pk, parent_inn in live.values_list("inn", "id", "parent__inn"):
        found.setdefault(inn, []).append((pk, parent_inn))
    by_inn: dict[str, Any] = {}
    for inn, accounts in found.items():
        heads = [pk for pk, parent_inn in accounts if parent_inn != inn]
        by_inn[inn] = heads[0] if len(heads) == 1 else _BRANCHES
    return by_inn


def _cycle(run: _Run, account_id: int, parent_id: int) -> bool:
    """Would the holding make a ring? Only accounts this import gave a holding can close one: an account
    already in the base had none of the new ones above it."""
    seen = set()
    current: int | None = parent_id
    while current is not None and current not in seen:
        if current == account_id:
            return True
        seen.add(current)
        current = run.assigned.get(current)
    return False


def _write_parents(new_parents: dict[int, int]) -> None:
    if not new_parents:
        return
    children, parents = list(new_parents), list(new_parents.values())
    history = Account.history.model._meta.db_table
    with connection.cursor() as cursor:
        # Its creation in the history is the account as the import made it: under its holding.
        for table, creation in (("accounts_account", ""), (history, " AND t.history_type = '+'")):
            if connection.vendor == "postgresql":  # one statement for the chunk
                cursor.execute(
                    f"UPDATE {table} t SET parent_id = p.parent FROM unnest(%s::bigint[], %s::bigint[]) "
                    f"AS p(child, parent) WHERE t.id = p.child{creation}",
                    [children, parents],
                )
            else:
                cursor.executemany(
                    f"UPDATE {table} SET parent_id = %s WHERE id = %s{creation.replace('t.', '')}",
                    list(zip(parents, children, strict=True)),
                )


def _set_existing_parent(run: _Run, row: Row, p: _Parent, parent_id: int, key: str) -> None:
    account = Account.objects.get(pk=p.account_id)
    previous = account.parent_id
    if parent_id == previous:
        return
    try:
        with transaction.atomic():
            account = services.account_update(
                by=run.by, account=account, version=None, parent=Account.objects.get(pk=parent_id)
            )
    except (ValidationError, PermissionDenied) as exc:
        row.fail(key, "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
        return
    run.assigned[p.account_id] = parent_id
    row.before.setdefault("parent", previous)
    if p.outcome == "unchanged":  # only its holding changed: an update after all
        run.report.unchanged -= 1
        run.report.updated += 1
    run.report.touched[account.pk] = (row.number, "updated", row.before)


KIND = Kind(
    name="accounts",
    label=_lazy("Accounts"),
    fields=ACCOUNT_FIELDS,
    presets=PRESETS,
    may_import=policy.can_create_account,
    run=_run,
    remember=_remember,
    undo=accounts_undo.undo_accounts,
)


def import_accounts(**options) -> Report:
    """Import accounts (`engine.import_file`'s options)."""
    return import_file(KIND, **options)
