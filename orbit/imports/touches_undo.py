"""Undoing a touches import (see undo.py): every touch it created or changed must be as the import left it (its
`version` unchanged since). A created touch is deleted; a changed one gets back its duration, subject and
outcome through the activities services."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from orbit.accounts import pulse
from orbit.activities import services
from orbit.activities.models import Touch
from orbit.imports.models import ImportBatch, ImportedRow
from orbit.org.models import User


def undo_touches(by: User, batch: ImportBatch, rows: list[ImportedRow]) -> None:
    touches = Touch.objects.select_for_update().in_bulk([r.object_id for r in rows])
    problems = [
        _("Row %(row)s: the touch was changed after the import.") % {"row": r.row}
        for r in rows
        if r.object_id not in touches or touches[r.object_id].version != r.version_after
    ]
    if problems:
        raise ValidationError(problems)
    for r in rows:
        touch = touches[r.object_id]
        if r.action == "updated":
            services.touch_amend_done(by=by, touch=touch, version=touch.version, **r.before)
        else:
            touch.delete()  # nothing refers to a touch but its own contacts' links, which go with it
    pulse.refresh(touch.account_id for touch in touches.values())
