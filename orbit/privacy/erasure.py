"""Erasure of a contact's personal data: on his request (the head or an administrator), or when the retention
period of a churned account is over (the morning run).

Nothing is deleted: the contact's row stays (touches, requests and tasks keep pointing at it, so counts, SLA
figures and revenue do not move) with every personal field replaced, in its history too; in every place of
`places.py` the texts of his account lose his name, e-mail and phone; an import's report and its undo values,
and an export's filters lose them as well; kept and running exports of lists that may carry contacts are
removed. One Erasure row per contact says who, when and on what request, without any personal data.
"""

import pathlib
from collections import Counter
from collections.abc import Iterable
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from orbit.access import policy
from orbit.accounts.models import Contact
from orbit.imports.models import ExportLog, ExportStatus, ImportBatch, ImportedRow, ImportStatus
from orbit.imports.reading import FileProblem, open_table
from orbit.org.models import User
from orbit.privacy import traces
from orbit.privacy.models import Erasure, ErasureKind
from orbit.privacy.places import CONTACT_FIELDS, PLACES

# Background exports of these lists may name contacts (their names, or free text that may): erasure removes
# their kept files and stops those being written.
CONTACT_LISTS = ("contacts", "touches", "tasks", "requests")
BATCH = 500


def erased_name(contact_id: int) -> str:
    """What the contact's name becomes: the mask and the id, the same in every language."""
    return f"{traces.MASK} #{contact_id}"


def is_erased(contact: Contact) -> bool:
    return Erasure.objects.filter(contact_id=contact.pk).exists()


@transaction.atomic
def erase_contact(*, by: User, contact: Contact, reference: str) -> Erasure:
    """Erase one contact on his request. Irreversible: the caller has asked for a confirmation."""
    if not policy.can_erase_personal_data(by) or not policy.can_view_account(by, contact.account):
        raise PermissionDenied
    reference = reference.strip()
    if not reference:
        raise ValidationError({"reference": _("Say on what request: its number and date.")}, code="required")
    if traces.holds(reference, traces.pattern_for([contact])):
        raise ValidationError(
            {"reference": _("The reference must not name the person: give the request's number and date.")},
            code="personal",
        )
    if is_erased(contact):
        raise ValidationError(_("This contact has already been erased."), code="erased")
    return erase(
        contacts=[contact],
        kind=ErasureKind.REQUEST,
        by=by,
        reference=reference,
    )[0]


def erase(*, contacts: Iterable[Contact], kind: str, by: User | None, reference: str = "") -> list[Erasure]:
    """Erase these contacts (the caller checked who may): one pass over each account's places for its own
    contacts, and one pass over the imports' and exports' records for all of them."""
    locked = list(Contact.objects.select_for_update().filter(pk__in=[c.pk for c in contacts]).order_by("pk"))
    by_account: dict[int, list[Contact]] = {}
    for contact in locked:
        by_account.setdefault(contact.account_id, []).append(contact)
    known: list = []
    erasures = []
    now = timezone.now()
    for account_id, people in by_account.items():
        account_known = _everything_known(people)
        known += account_known
        counts = _erase_in_account(account_id, people, traces.pattern_for(account_known), by)
        written = {label: n for label, n in sorted(counts.items()) if n}
        erasures += [
            Erasure(
                contact_id=c.pk,
                account_id=account_id,
                kind=kind,
                reference=reference,
                by=by,
                at=now,
                counts=written,
            )
            for c in people
        ]
    pattern = traces.pattern_for(known)
    outside: Counter = Counter()
    outside["imports.ImportBatch"] += _scrub(ImportBatch.objects.all(), ("file_name", "errors"), pattern)
    outside["imports.ExportLog"] += _scrub_queries(pattern)
    outside["imports.ExportLog"] += _remove_contact_exports()
    outside["import previews"] += _remove_import_previews(pattern)
    for record in erasures:
        for label, n in outside.items():
            if n:
                record.counts[label] = record.counts.get(label, 0) + n
    return Erasure.objects.bulk_create(erasures)


def _erase_in_account(account_id: int, people: list[Contact], pattern, by: User | None) -> Counter:
    ids = [c.pk for c in people]
    counts: Counter = Counter()
    for contact in people:
        _replace_contact(contact, by)
        counts["accounts.Contact"] += 1
        counts["accounts.HistoricalContact"] += _replace_history(contact)
    history = Contact.history.model.objects.filter(id__in=ids)
    counts["accounts.HistoricalContact"] += _scrub(history, ("history_change_reason",), pattern)
    for place in PLACES:
        counts[place.label] += _scrub(place.rows(account_id, ids), place.scrubbed, pattern)
    counts["imports.ImportedRow"] += _blank_import_values(ids)
    return counts


def _everything_known(contacts: list[Contact]) -> list:
    """The contacts as they are now and as their history knew them (an old e-mail or a name before marriage)."""
    known = list(contacts)
    history = Contact.history.model
    for row in history.objects.filter(id__in=[c.pk for c in contacts]).only("full_name", "email", "phone"):
        known.append(row)
    return known


def _replace_contact(contact: Contact, by: User | None) -> None:
    contact.full_name = erased_name(contact.pk)
    contact.position = contact.phone = contact.email = contact.consent_source = ""
    if contact.archived_at is None:
        contact.archived_at = timezone.now()
    contact.version += 1
    contact._history_user = by  # type: ignore[attr-defined]
    contact.save()


def _replace_history(contact: Contact) -> int:
    blank = dict.fromkeys(CONTACT_FIELDS, "")
    return Contact.history.model.objects.filter(id=contact.pk).update(
        **{**blank, "full_name": erased_name(contact.pk)}
    )


def _scrub(rows, fields: tuple[str, ...], pattern) -> int:
    """Replace the traces in these fields of these rows; returns how many rows changed."""
    if pattern is None:
        return 0
    model = rows.model
    changed = []
    written = 0
    for row in rows.only("pk", *fields).iterator(chunk_size=BATCH):
        dirty = False
        for name in fields:
            value = getattr(row, name)
            cleaned = traces.scrub(value, pattern)
            if cleaned is not value and cleaned != value:
                setattr(row, name, cleaned)
                dirty = True
        if dirty:
            changed.append(row)
        if len(changed) >= BATCH:
            written += _write(model, changed, fields)
            changed = []
    return written + _write(model, changed, fields)


def _scrub_queries(pattern) -> int:
    """An export's filters are a URL-encoded query string (a search for his name is "q=%D0%9F…"): each value is
    decoded, scrubbed and encoded again."""
    if pattern is None:
        return 0
    changed = []
    for log in ExportLog.objects.exclude(query="").only("pk", "query").iterator(chunk_size=BATCH):
        query = QueryDict(log.query, mutable=True)
        dirty = False
        for key in list(query):
            values = query.getlist(key)
            cleaned = [traces.scrub(value, pattern) for value in values]
            if cleaned != values:
                query.setlist(key, cleaned)
                dirty = True
        if dirty:
            log.query = query.urlencode()[:2000]
            changed.append(log)
    return _write(ExportLog, changed, ("query",))


def _write(model, rows: list, fields: tuple[str, ...]) -> int:
    if rows:
        model._base_manager.bulk_update(rows, list(fields), batch_size=BATCH)
    return len(rows)


def _blank_import_values(ids: list[int]) -> int:
    """An import's undo values of the contact's own row: every personal field masked (a position too)."""
    changed = []
    for row in ImportedRow.objects.filter(target="accounts.contact", object_id__in=ids):
        before = {k: (traces.MASK if k in CONTACT_FIELDS and v else v) for k, v in row.before.items()}
        if before != row.before:
            row.before = before
            changed.append(row)
    return _write(ImportedRow, changed, ("before",))


def _remove_import_previews(pattern) -> int:
    """Files kept between an import's preview and its commit (imports/uploads.py) that name the person are
    removed: whoever previewed one uploads it again. A file a background import is reading is left to it (its
    rows, once written, are the places erased above)."""
    folder = pathlib.Path(settings.MEDIA_ROOT) / "imports"
    if pattern is None or not folder.is_dir():
        return 0
    busy = {
        str(options.get("path"))
        for options in ImportBatch.objects.filter(
            status__in=(ImportStatus.QUEUED, ImportStatus.RUNNING)
        ).values_list("options", flat=True)
    }
    removed = 0
    for path in folder.iterdir():
        if path.is_file() and str(path) not in busy and _names_person(path, pattern):
            transaction.on_commit(partial(path.unlink, missing_ok=True))
            removed += 1
    return removed


def _names_person(path: pathlib.Path, pattern) -> bool:
    try:
        with path.open("rb") as stream:
            table = open_table(stream, path.name)
            if any(traces.holds(str(cell), pattern) for cell in table.header):
                return True
            return any(
                traces.holds(str(cell), pattern)
                for row in table.rows
                for cell in row.cells
                if cell is not None
            )
    except FileProblem:
        return False


def _remove_contact_exports() -> int:
    """Kept files of lists that may name contacts are removed; those being written are stopped."""
    removed = 0
    note = _("Removed: the personal data of a contact it may hold was erased.")
    for log in ExportLog.objects.filter(list_name__in=CONTACT_LISTS, background=True).exclude(
        status__in=(ExportStatus.EXPIRED, ExportStatus.FAILED)
    ):
        if log.file:
            path = pathlib.Path(settings.MEDIA_ROOT) / log.file
            transaction.on_commit(partial(path.unlink, missing_ok=True))
        finished = log.status == ExportStatus.DONE
        removed += ExportLog.objects.filter(pk=log.pk).update(
            status=ExportStatus.EXPIRED if finished else ExportStatus.FAILED,
            file="",
            error=note,
            finished_at=log.finished_at or timezone.now(),
        )
    return removed
