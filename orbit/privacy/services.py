"""Changes to personal data: recording a consent, auditing an export, erasing (erasure.py), retention."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orbit.access import policy
from orbit.accounts.models import Contact
from orbit.imports.models import ExportLog
from orbit.org.models import User
from orbit.privacy import selectors
from orbit.privacy.models import ConsentAction, ConsentRecord

EXPORT_LIST = "personal_data"  # the export audit's list name for a contact's personal data


@transaction.atomic
def consent_record(
    *,
    by: User,
    contact: Contact,
    action: str,
    purpose: str,
    basis: str,
    on_date: dt.date,
    source: str = "",
) -> ConsentRecord:
    """Append a consent given or withdrawn; the contact's consent fields follow the latest record."""
    if not policy.can_change_account(by, contact.account):
        raise PermissionDenied
    locked = Contact.objects.select_for_update().get(pk=contact.pk)
    if selectors.erasure_of(locked) is not None:
        raise ValidationError(
            _("This contact has been erased: nothing more is recorded about him."), code="erased"
        )
    if on_date > timezone.localdate():
        raise ValidationError({"on_date": _("A consent cannot be dated in the future.")}, code="future")
    record = ConsentRecord(
        contact=locked,
        action=action,
        purpose=purpose.strip(),
        basis=basis,
        on_date=on_date,
        source=source.strip(),
        recorded_by=by,
    )
    record.full_clean()
    record.save()
    latest = ConsentRecord.objects.filter(contact=locked).order_by("-on_date", "-id").first() or record
    given = latest.action == ConsentAction.GIVEN
    locked.consent_given = given
    locked.consent_date = latest.on_date if given else None
    locked.consent_source = latest.source if given else ""
    locked.version += 1
    locked._history_user = by  # type: ignore[attr-defined]
    locked.save()
    return record


def personal_data_audited(*, by: User, contact: Contact, fmt: str) -> dict:
    """The contact's personal data (read through `by`'s visibility); the export is recorded."""
    data = selectors.personal_data(by, contact)
    ExportLog.objects.create(
        by=by,
        list_name=EXPORT_LIST,
        query=f"contact={contact.pk}",
        format=fmt,
        rows=selectors.record_count(data),
    )
    return data


def export_audited(*, by: User, contact: Contact, fmt: str) -> tuple[str, str]:
    """The contact's personal data as JSON or CSV text and its file name; the export is recorded."""
    data = personal_data_audited(by=by, contact=contact, fmt=fmt)
    text = selectors.as_json(data) if fmt == "json" else selectors.as_csv(data)
    return text, f"personal-data-contact-{contact.pk}.{fmt}"
