"""Undoing an accounts import (see undo.py): every account it created or changed must be as the import left it
(its `version` unchanged since). A created account is deleted with its ownership periods, unless something of
its own has been added since (a contact, a touch, an invoice…: the database refuses to delete it, and the undo
says so); a changed one gets back the values it had, and its former manager through the ownership ledger
(reason "reassignment reversed")."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from orbit.accounts import services
from orbit.accounts.models import Account, ChangeReason, OwnershipPeriod
from orbit.imports.models import ImportBatch, ImportedRow
from orbit.org.models import User


def undo_accounts(by: User, batch: ImportBatch, rows: list[ImportedRow]) -> None:
    accounts = Account.objects.select_for_update().in_bulk([r.account_id for r in rows if r.account_id])
    problems = [
        _("Row %(row)s: the account was changed after the import.") % {"row": r.row}
        for r in rows
        if r.account_id not in accounts or accounts[r.account_id].version != r.version_after
    ]
    if problems:
        raise ValidationError(problems)
    comment = _("import №%(number)s undone") % {"number": batch.pk}
    for r in rows:  # changed accounts first: a member the import put under a new holding leaves it
        if r.action == "updated":
            _restore(by, accounts[r.account_id], r.before, comment)
    # Created accounts: a holding goes after its members, so delete in passes until nothing more can go.
    pending = [r for r in rows if r.action == "new"]
    while pending:
        left = []
        for r in pending:
            try:
                with transaction.atomic():
                    OwnershipPeriod.objects.filter(account_id=r.account_id).delete()
                    accounts[r.account_id].delete()
            except ProtectedError:
                left.append(r)
        if len(left) == len(pending):
            problems += [
                _("Row %(row)s: the account has records of its own now (contacts, touches, documents…).")
                % {"row": r.row}
                for r in left
            ]
            break
        pending = left
    if problems:
        raise ValidationError(problems)


def _restore(by: User, account: Account, before: dict, comment: str) -> None:
    fields = {k: v for k, v in before.items() if k not in ("owner", "parent")}
    if "parent" in before:
        fields["parent"] = Account.objects.filter(pk=before["parent"]).first() if before["parent"] else None
    if fields:
        account = services.account_update(by=by, account=account, version=account.version, **fields)
    if before.get("owner"):
        previous = User.objects.get(pk=before["owner"])
        services.account_reassign(
            by=by, account=account, manager=previous, reason=ChangeReason.REVERSAL, comment=comment
        )
