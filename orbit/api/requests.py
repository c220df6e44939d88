"""Client requests and complaints: list, read with the SLA, register, comment, move the status, assign.

Reads through the requests selectors (scoped to the accounts the user may see), changes through the requests
services. A request the user may not see answers 404; one he sees but may not work, 403 before the payload is
looked at. A stale `version` answers 409 with the request as it is now, as the accounts API does.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from orbit.accounts.selectors import account_get
from orbit.api.accounts import READ_ERRORS, WRITE_ERRORS, _page
from orbit.api.activities import aware, pick
from orbit.api.schemas import (
    ErrorOut,
    Id,
    RequestAssignIn,
    RequestCommentIn,
    RequestCommentOut,
    RequestCreateIn,
    RequestDetail,
    RequestPage,
    RequestQuery,
    RequestStatusIn,
)
from orbit.common import idempotency
from orbit.org.models import User
from orbit.requests import selectors, services
from orbit.requests.models import Department, Request, RequestComment

router = Router(tags=["requests"])


def request_detail_of(user, pk: int) -> Request:
    """The request with its comments and files, the SLA state marked (404 when not visible)."""
    item = selectors.request_get(user, pk)
    selectors.mark_sla_state([item])
    return item


def _workable(user, pk: int) -> Request:
    item = selectors.request_get(user, pk)
    if not services.may_work(user, item):
        raise PermissionDenied(_("You may not change this request."))
    return item


def _people():
    return User.objects.filter(is_active=True)


@router.get("/requests", response={200: RequestPage, 401: ErrorOut, 422: ErrorOut})
def request_list(request, filters: Query[RequestQuery]):
    """Requests on the accounts you may see, filtered and sorted, with the state of their SLA clock."""
    qs = selectors.request_list(
        request.auth,
        selectors.RequestFilters(
            status=list(filters.status),
            request_type=list(filters.type),
            priority=list(filters.priority),
            department=filters.department,
            account=filters.account,
            sla=filters.sla,
            mine=filters.mine,
            sort=filters.sort,
        ),
    )
    page = _page(qs, filters.limit, filters.offset)
    selectors.mark_sla_state(page["items"])
    return page


@router.get("/requests/{request_id}", response={200: RequestDetail, **READ_ERRORS})
def request_detail(request, request_id: Id):
    """The request with its SLA due times and state, comments and attached files."""
    return request_detail_of(request.auth, request_id)


@router.post("/accounts/{account_id}/requests", response={201: RequestDetail, **WRITE_ERRORS})
def request_create(request, account_id: Id, payload: RequestCreateIn):
    """Register what the client asks; the SLA policy that fits its type and priority sets the due times."""
    user = request.auth
    account = account_get(user, account_id)
    if not services.may_open_requests(user):
        raise PermissionDenied(_("You may not register requests for this account."))
    errors: dict = {}
    department = pick(Department.objects.all(), payload.department, "department", errors)
    contact = pick(account.contacts.filter(archived_at__isnull=True), payload.contact, "contact", errors)
    assignee = pick(_people(), payload.assignee, "assignee", errors)
    if errors:
        raise ValidationError(errors)
    created, _created = idempotency.once(
        user=user,
        key=idempotency.key_of(request),
        scope="request_create",
        model=Request,
        write=lambda: services.request_create(
            by=user,
            account=account,
            request_type=payload.request_type,
            priority=payload.priority,
            department=department,
            subject=payload.subject,
            description=payload.description,
            contact=contact,
            assignee=assignee,
            received_at=aware(payload.received_at),
        ),
    )
    return Status(201, request_detail_of(user, created.pk))


@router.post("/requests/{request_id}/comments", response={201: RequestCommentOut, **WRITE_ERRORS})
def request_comment(request, request_id: Id, payload: RequestCommentIn):
    """Add a comment; the first one by someone other than who registered the request is its first response."""
    user = request.auth
    comment, _created = idempotency.once(
        user=user,
        key=idempotency.key_of(request),
        scope="request_comment",
        model=RequestComment,
        write=lambda: services.request_comment(
            by=user,
            request=_workable(user, request_id),
            text=payload.text,
            minutes_spent=payload.minutes_spent,
        ),
    )
    return Status(201, comment)


@router.post("/requests/{request_id}/status", response={200: RequestDetail, **WRITE_ERRORS})
def request_status(request, request_id: Id, payload: RequestStatusIn):
    """Move the request along new → in progress → waiting for the client → resolved → closed, if nobody
    changed it since you read `version`. Reopening a resolved request needs a `comment`."""
    user = request.auth
    services.request_change_status(
        by=user,
        request=_workable(user, request_id),
        status=payload.status,
        version=payload.version,
        comment=payload.comment,
    )
    return request_detail_of(user, request_id)


@router.post("/requests/{request_id}/assign", response={200: RequestDetail, **WRITE_ERRORS})
def request_assign(request, request_id: Id, payload: RequestAssignIn):
    """Give the request to an executor (he must be able to see the account), or take it off him with null."""
    user = request.auth
    item = _workable(user, request_id)
    errors: dict = {}
    assignee = pick(_people(), payload.assignee, "assignee", errors)
    if errors:
        raise ValidationError(errors)
    services.request_assign(by=user, request=item, assignee=assignee, version=payload.version)
    return request_detail_of(user, request_id)
