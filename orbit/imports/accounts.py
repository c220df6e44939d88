"""Importing accounts: every row through the accounts services, all or nothing (issue 15).

A row is a new account, an update of the account that has its INN, unchanged, or failed with its reasons
(row, column, value, message). The whole file runs in one transaction, each row in a savepoint so one bad row
does not hide the next one's errors; when any row failed, or on a dry run, everything is rolled back — the base
is exactly as before. A committed or refused import is recorded (ImportBatch), a dry run is not.

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
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from orbit.access import policy
from orbit.accounts import services
from orbit.accounts.models import Account, AccountStatus, ChangeReason, Tier
from orbit.accounts.names import name_key
from orbit.common.validators import validate_inn, validate_kpp
from orbit.imports import accounts_undo
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
from orbit.imports.values import parse_number, parse_text
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


def _run(by: User, table: Table, columns: dict[int, str], on_duplicate: str, report: Report) -> None:
    people = People()
    seen_inn: dict[str, int] = {}
    by_external: dict[str, Account] = {}
    by_inn: dict[str, Account] = {}
    parents: list[tuple[Row, Account, str]] = []
    for raw in table.rows:
        problem = shape_problem(table, raw)
        if problem:
            report.errors.append(RowError(raw.number, "", "", problem))
            report.failed += 1
            continue
        row = Row(raw.number, raw.cells, columns, table.header)
        try:
            with transaction.atomic():  # a savepoint: a failed row leaves nothing behind
                account, outcome = _one(by, row, people, seen_inn, on_duplicate)
        except RowFailed:
            outcome = "failed"
            account = None
        report.errors.extend(row.errors)
        if outcome == "new":
            report.warnings.extend(row.warnings)
        report.count(outcome)
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
            report.count(outcome, -1)
            report.failed += 1
        elif outcome != "new" and account.parent_id != previous:
            row.before.setdefault("parent", previous)
            if outcome == "unchanged":  # only its holding changed: an update after all
                report.unchanged -= 1
                report.updated += 1
                report.touched[account.pk] = (row.number, "updated", row.before)


def _one(by: User, row: Row, people: People, seen_inn: dict[str, int], on_duplicate: str):
    legal_name = row.read("legal_name", lambda c: parse_text(c, max_length=300), "")
    if not legal_name and not row.failed_on("legal_name"):
        row.fail("legal_name", _("Fill in the legal name."))
    short_name = row.read("short_name", lambda c: parse_text(c, max_length=150), "")
    inn = row.read("inn", checked(validate_inn), "")
    if not inn and not row.failed_on("inn"):
        row.fail("inn", _("Fill in the INN."))
    kpp = row.read("kpp", checked(validate_kpp), "")
    owner_name = row.read("owner", lambda c: parse_text(c, max_length=200), "")
    owner = row.read("owner", lambda _c: people.owner(owner_name)) if owner_name else None
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
    if inn:
        seen = f"{inn}/{kpp}"  # a branch: the head company's INN with its own KPP
        if seen in seen_inn:
            row.fail("inn", _("INN %(inn)s is in row %(row)s too.") % {"inn": inn, "row": seen_inn[seen]})
        else:
            seen_inn[seen] = row.number
    if row.errors:
        raise RowFailed
    fields: dict[str, Any] = {"legal_name": legal_name, "inn": inn}
    for key, value in (("short_name", short_name), ("kpp", kpp), ("tier", tier), ("agreed_budget", budget)):
        if value not in (None, ""):
            fields[key] = value
    existing = _find_existing(by, row, inn, kpp, legal_name)
    try:
        if existing is None:
            status = status or (AccountStatus.ACTIVE if owner else AccountStatus.PROSPECT)
            if status != AccountStatus.PROSPECT and owner is None:
                row.fail("owner", _("An active client needs a responsible manager: fill in the column."))
                raise RowFailed
            if status not in IMPORTABLE_STATUSES:
                row.fail(
                    "status", _("A new account starts as a prospect, an active, dormant or churned client.")
                )
                raise RowFailed
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


def _find_existing(by: User, row: Row, inn: str, kpp: str, legal_name: str) -> Account | None:
    """The live account the row is (by INN, and KPP for branches: `services.live_with_inn`), or None for a new
    one. A new one whose name is a live account's (names.name_key) is not merged: different companies share
    names, so the row gets a warning, naming the INN only to someone who may see that account."""
    try:
        existing = services.live_with_inn(inn, kpp)
    except ValidationError as exc:
        row.service_errors(exc, FIELD_OF_SERVICE, fallback="inn")
        raise RowFailed from None
    if existing is None:
        key = name_key(legal_name)
        namesake = Account.objects.filter(name_key=key, archived_at__isnull=True).exclude(inn=inn).first()
        if key and namesake is not None:
            if policy.can_view_account(by, namesake):
                row.warn(
                    "legal_name",
                    _(
                        "A company with this name is already in Orbit (INN %(inn)s): if it is the same one, "
                        "fix the INN."
                    )
                    % {"inn": namesake.inn},
                )
            else:
                row.warn(
                    "legal_name",
                    _("A company with this name is already in Orbit: if it is the same one, fix the INN."),
                )
    return existing


def _set_parent(by, row: Row, account: Account, by_inn, by_external) -> bool:
    """Put the account under its holding; False (the reasons on the row) when it cannot."""
    parent_inn = digits(row.values.get("parent_inn"))
    external = str(row.values.get("parent_external_id") or "").strip()
    parent = by_inn.get(parent_inn) if parent_inn else by_external.get(external)
    key = "parent_inn" if parent_inn else "parent_external_id"
    if parent is None and parent_inn:
        try:
            parent = services.live_with_inn(parent_inn)
        except ValidationError:
            # Branches share the INN: the holding is their head company, the one not under another of them.
            live = Account.objects.filter(inn=parent_inn, archived_at__isnull=True)
            heads = list(live.exclude(parent__inn=parent_inn, parent__archived_at__isnull=True)[:2])
            if len(heads) != 1:
                row.fail(
                    key,
                    _(
                        "Several accounts have INN %(inn)s (a company and its branches): put the branches "
                        "under their head company first."
                    )
                    % {"inn": parent_inn},
                )
                return False
            parent = heads[0]
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
