"""Everything Orbit holds about one contact, read through the reader's visibility (for the export and the page).

The contact is read first through Contact.objects.visible_to (404 otherwise); every section below reads its
rows through its own model's visible_to as well, so an export never shows what the reader could not see.
"""

import csv
import io
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone

from orbit.accounts.models import Contact
from orbit.activities.models import Task, Touch
from orbit.imports.exporting import safe
from orbit.imports.models import ImportedRow
from orbit.org.models import User
from orbit.privacy.models import ConsentRecord, Erasure
from orbit.requests.models import Attachment, Request, RequestComment

CONTACT_FIELDS = (
    "full_name",
    "position",
    "phone",
    "email",
    "buying_role",
    "consent_given",
    "consent_date",
    "consent_source",
)


def contact_get(user: User, pk: int) -> Contact:
    contact = Contact.objects.visible_to(user).select_related("account").filter(pk=pk).first()
    if contact is None:
        raise Http404
    return contact


def consent_log(user: User, contact: Contact):
    return (
        ConsentRecord.objects.visible_to(user)
        .filter(contact=contact)
        .select_related("recorded_by")
        .order_by("on_date", "id")
    )


def erasure_of(contact: Contact) -> Erasure | None:
    return Erasure.objects.filter(contact_id=contact.pk).select_related("by").first()


def erasures():
    """The erasure audit (the head, administrators and the auditor read it): no personal data in it."""
    return Erasure.objects.select_related("by").order_by("-at", "-id")


def _person(user) -> str:
    return str(user) if user else ""


def personal_data(user: User, contact: Contact) -> dict[str, Any]:
    """Everything about the contact, section by section; each section a list of flat records."""
    history_model = Contact.history.model
    erasure = erasure_of(contact)
    return {
        "exported_at": timezone.now(),
        "contact": [
            {
                "id": contact.pk,
                "account_id": contact.account_id,
                "account": contact.account.legal_name,
                **{name: getattr(contact, name) for name in CONTACT_FIELDS},
                "created_at": contact.created_at,
                "archived_at": contact.archived_at,
            }
        ],
        "history": [
            {
                "at": row.history_date,
                "change": row.history_type,
                "by": _person(row.history_user),
                **{name: getattr(row, name) for name in CONTACT_FIELDS},
            }
            for row in history_model.objects.filter(id=contact.pk)
            .select_related("history_user")
            .order_by("history_date", "history_id")
        ],
        "consents": [
            {
                "action": r.action,
                "purpose": r.purpose,
                "basis": r.basis,
                "date": r.on_date,
                "source": r.source,
                "recorded_by": _person(r.recorded_by),
                "recorded_at": r.recorded_at,
            }
            for r in consent_log(user, contact)
        ],
        "touches": [
            {
                "id": t.pk,
                "kind": t.kind,
                "status": t.status,
                "planned_for": t.planned_for,
                "happened_at": t.happened_at,
                "subject": t.subject,
                "outcome": t.outcome,
                "next_step": t.next_step,
                "manager": _person(t.owner),
            }
            for t in Touch.objects.visible_to(user)
            .filter(contacts=contact)
            .select_related("owner")
            .order_by("id")
        ],
        "tasks": [
            {
                "id": t.pk,
                "title": t.title,
                "description": t.description,
                "due_on": t.due_on,
                "status": t.status,
                "assignee": _person(t.assignee),
            }
            for t in Task.objects.visible_to(user)
            .filter(contact=contact)
            .select_related("assignee")
            .order_by("id")
        ],
        **_requests(user, contact),
        "imports": [
            {"batch": r.batch_id, "at": r.batch.at, "row": r.row, "action": r.action, "before": r.before}
            for r in ImportedRow.objects.visible_to(user)
            .filter(target="accounts.contact", object_id=contact.pk)
            .select_related("batch")
            .order_by("batch_id", "row")
        ],
        "erasure": (
            [
                {
                    "at": erasure.at,
                    "kind": erasure.kind,
                    "reference": erasure.reference,
                    "by": _person(erasure.by),
                }
            ]
            if erasure
            else []
        ),
    }


def _requests(user: User, contact: Contact) -> dict[str, list]:
    requests = list(
        Request.objects.visible_to(user)
        .filter(contact=contact)
        .prefetch_related(
            Prefetch("comments", queryset=RequestComment.objects.visible_to(user).select_related("author")),
            Prefetch("attachments", queryset=Attachment.objects.visible_to(user)),
        )
        .order_by("id")
    )
    return {
        "requests": [
            {
                "id": r.pk,
                "type": r.request_type,
                "subject": r.subject,
                "description": r.description,
                "status": r.status,
                "received_at": r.received_at,
            }
            for r in requests
        ],
        "request_comments": [
            {"request": r.pk, "at": c.created_at, "author": _person(c.author), "text": c.text}
            for r in requests
            for c in r.comments.all()
        ],
        "attachments": [
            {
                "request": r.pk,
                "name": a.original_name,
                "size": a.size,
                "content_type": a.content_type,
                "uploaded_at": a.uploaded_at,
            }
            for r in requests
            for a in r.attachments.all()
        ],
    }


def as_json(data: dict) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


def as_csv(data: dict) -> str:
    """One flat file: section, record number, field, value (formula-safe, like every Orbit export)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "record", "field", "value"])
    for section, records in data.items():
        if not isinstance(records, list):
            writer.writerow([section, "", "", safe(_text(records))])
            continue
        for number, record in enumerate(records, start=1):
            for name, value in record.items():
                writer.writerow([section, number, name, safe(_text(value))])
    return out.getvalue()


def _text(value) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def record_count(data: dict) -> int:
    return sum(len(v) for v in data.values() if isinstance(v, list))
