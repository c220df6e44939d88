"""Undoing a whole import while nothing else has changed its rows (issue 15).

All or nothing, like the import: each kind undoes its rows (accounts: accounts_undo.py) and refuses, with every
reason, when something has changed them since. The import is then marked undone, by whom and when.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orbit.access import policy
from orbit.imports.kinds import KINDS
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
    KINDS[locked.kind].undo(by, locked, rows)
    locked.status = ImportStatus.UNDONE
    locked.undone_by, locked.undone_at = by, timezone.now()
    locked.save(update_fields=["status", "undone_by", "undone_at"])
    return locked
