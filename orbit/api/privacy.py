"""A contact's personal data for a data-subject request portal or a DPO's script (docs/privacy.md): the same
sections as the JSON export of the contact's page, read through the caller's visibility, and recorded."""

import datetime as dt
from typing import Any

from ninja import Router, Schema

from orbit.api.schemas import ErrorOut, Id
from orbit.privacy import selectors, services

router = Router()

Records = list[dict[str, Any]]


class PersonalDataOut(Schema):
    exported_at: dt.datetime
    contact: Records
    history: Records
    consents: Records
    touches: Records
    tasks: Records
    requests: Records
    request_comments: Records
    attachments: Records
    imports: Records
    erasure: Records


@router.get(
    "/contacts/{contact_id}/personal-data",
    response={200: PersonalDataOut, 401: ErrorOut, 404: ErrorOut},
    tags=["contacts"],
)
def contact_personal_data(request, contact_id: Id):
    """Everything Orbit holds about the contact that you may see (404 when you may not see him). Audited."""
    contact = selectors.contact_get(request.auth, contact_id)
    return services.personal_data_audited(by=request.auth, contact=contact, fmt="api")
