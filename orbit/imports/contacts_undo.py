"""Undoing a contacts import (see undo.py): every contact it created or changed must be as the import left it
(its `version` unchanged since). A created contact is deleted, unless something now refers to it (a task, a
request: the database refuses, and the undo says so); a changed one gets back the values it had, through the
contact services."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from orbit.accounts import services
from orbit.accounts.models import Contact
from orbit.imports.models import ImportBatch, ImportedRow
from orbit.org.models import User


def undo_contacts(by: User, batch: ImportBatch, rows: list[ImportedRow]) -> None:
    contacts = (
        Contact.objects.select_for_update().select_related("account").in_bulk([r.object_id for r in rows])
    )
    problems = [
        _("Row %(row)s: the contact was changed after the import.") % {"row": r.row}
        for r in rows
        if r.object_id not in contacts or contacts[r.object_id].version != r.version_after
    ]
    if problems:
        raise ValidationError(problems)
    for r in rows:
        contact = contacts[r.object_id]
        if r.action == "updated":
            services.contact_update(by=by, contact=contact, version=contact.version, **r.before)
            continue
        try:
            with transaction.atomic():
                contact.delete()
        except ProtectedError:
            problems.append(
                _("Row %(row)s: the contact is used now (a task or a request names it).") % {"row": r.row}
            )
    if problems:
        raise ValidationError(problems)
