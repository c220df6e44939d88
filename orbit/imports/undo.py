"""Undoing a whole import while nothing else has changed its rows (issue 15).

All or nothing, like the import: every account the import created or changed must be as the import left it
(its `version` unchanged since). A created account is deleted with its ownership periods, unless something of
its own has been added since (a contact, a touch, an invoice…: the database refuses to delete it, and the
undo says so); a changed one gets back the values it had, and its former manager through the ownership ledger
(reason "reassignment reversed"). The import is then marked undone, by whom and when.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from orbit.access import policy
from orbit.accounts import services
from orbit.accounts.models import Account, ChangeReason, OwnershipPeriod
from orbit.imports.models import ImportBatch, ImportedRow, ImportStatus
from orbit.org.models import User


def may_undo(user: User, batch: ImportBatch) -> bool:
    """The person who imported, or whoever sees everything and may create accounts (the head, admins)."""
    if not (user.is_authenticated and policy.can_create_account(user)):
        return False
    return batch.by_id == user.pk or policy.sees_everything(user)


@transaction.atomic
def undo_import(*, by: User, batch: ImportBatch) -> ImportBatch:
    locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if not may_undo(by, locked):
        raise PermissionDenied(_("You may not undo this import."))
    if locked.status != ImportStatus.COMMITTED:
        raise ValidationError(_("Only an import that was written can be undone, and only once."))
    rows = list(ImportedRow.objects.filter(batch=locked).order_by("row"))
    accounts = Account.objects.select_for_update().in_bulk([r.account_id for r in rows if r.account_id])
    problems = [
        _("Row %(row)s: the account was changed after the import.") % {"row": r.row}
        for r in rows
        if r.account_id not in accounts or accounts[r.account_id].version != r.version_after
    ]
    if problems:
        raise ValidationError(problems)
    comment = _("import №%(number)s undone") % {"number": locked.pk}
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
    locked.status = ImportStatus.UNDONE
    locked.undone_by, locked.undone_at = by, timezone.now()
    locked.save(update_fields=["status", "undone_by", "undone_at"])
    return locked


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
