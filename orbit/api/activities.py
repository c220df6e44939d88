"""Touches and tasks: what integrations (telephony, mail, a 1C exchange) log about the work with a client.

Reads go through the activities selectors (scoped to the accounts the user may see); changes through the
activities services. As in the accounts API, an id in the path that the user may not see answers 404, a record
he sees but may not work answers 403 before the payload is looked at, and an id in the payload that he may
not see is refused at its field exactly like one that does not exist.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.db.models.functions import Coalesce, TruncDate
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from orbit.access import policy
from orbit.accounts.models import Account, Contact
from orbit.accounts.selectors import account_get
from orbit.activities import selectors, services
from orbit.activities.models import Task, Touch
from orbit.api.accounts import READ_ERRORS, WRITE_ERRORS, _invalid_choice, _page
from orbit.api.schemas import (
    ErrorOut,
    Id,
    TaskCreateIn,
    TaskOut,
    TaskPage,
    TaskQuery,
    TouchCompleteIn,
    TouchLoggedOut,
    TouchLogIn,
    TouchOut,
    TouchPage,
    TouchPlanIn,
    TouchQuery,
)
from orbit.common import idempotency
from orbit.org.models import Role
from orbit.requests.selectors import visible_requests

router = Router()

LIST_ERRORS = {401: ErrorOut, 422: ErrorOut}


def read_only(user) -> bool:
    """The auditor reads everything and writes nothing (unless he also holds a writing role)."""
    return user.has_role(Role.AUDITOR) and not policy.can_create_account(user)


def aware(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is not None and timezone.is_naive(moment):
        return timezone.make_aware(moment)
    return moment


def _workable_account(user, account_id: int) -> Account:
    """The account from the path: 404 when he may not see it, 403 when he sees it but may not work it."""
    account = account_get(user, account_id)
    if not policy.can_work_account(user, account):
        raise PermissionDenied(_("You may not log work on this account."))
    return account


# --- touches ----------------------------------------------------------------------------------------------


def _touches(user):
    return (
        selectors.visible_touches(user)
        .select_related("account", "owner")
        .prefetch_related(
            Prefetch("contacts", queryset=Contact.objects.only("id", "full_name", "account_id"))
        )
    )


def touch_get(user, touch_id: int) -> Touch:
    touch = _touches(user).filter(pk=touch_id).first()
    if touch is None:
        raise Http404
    return touch


def _day_range(field: str, start: dt.date | None, end: dt.date | None) -> Q:
    """A day range on a date-time field as bounds in the current time zone (the index stays usable)."""
    q = Q()
    if start is not None:
        q &= Q(**{f"{field}__gte": timezone.make_aware(dt.datetime.combine(start, dt.time.min))})
    if end is not None:
        next_day = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
        q &= Q(**{f"{field}__lt": next_day})
    return q


@router.get("/touches", response={200: TouchPage, **LIST_ERRORS}, tags=["touches"])
def touch_list(request, filters: Query[TouchQuery]):
    """Touches on the accounts you may see, the latest day first. A day is when a done touch happened, or
    the day a planned one is due. Repeat a list parameter for several values."""
    qs = _touches(request.auth)
    if filters.account is not None:
        qs = qs.filter(account_id=filters.account)
    if filters.owner:
        qs = qs.filter(owner_id__in=filters.owner)
    if filters.status:
        qs = qs.filter(status__in=filters.status)
    if filters.kind:
        qs = qs.filter(kind__in=filters.kind)
    if filters.date_from is not None or filters.date_to is not None:
        planned = Q(happened_at__isnull=True)
        if filters.date_from is not None:
            planned &= Q(planned_for__gte=filters.date_from)
        if filters.date_to is not None:
            planned &= Q(planned_for__lte=filters.date_to)
        qs = qs.filter(_day_range("happened_at", filters.date_from, filters.date_to) | planned)
    qs = qs.annotate(sort_day=Coalesce(TruncDate("happened_at"), "planned_for")).order_by("-sort_day", "-id")
    return _page(qs, filters.limit, filters.offset)


@router.get("/touches/{touch_id}", response={200: TouchOut, **READ_ERRORS}, tags=["touches"])
def touch_detail(request, touch_id: Id):
    return touch_get(request.auth, touch_id)


def _account_contacts(account: Account, ids: list[int]) -> list[Contact]:
    """Live contacts of this account; another account's or a hidden id is refused at the field."""
    if not ids:
        return []
    found = list(account.contacts.filter(archived_at__isnull=True, pk__in=ids))
    if len(found) != len(set(ids)):
        raise ValidationError({"contacts": [_("Choose contacts of this account.")]})
    return found


@router.post(
    "/accounts/{account_id}/touches", response={201: TouchLoggedOut, **WRITE_ERRORS}, tags=["touches"]
)
def touch_log(request, account_id: Id, payload: TouchLogIn):
    """Log a touch that took place. It closes your due planned touch of the account, if there is one, and
    plans the next: on `next_on`, else when the account's cadence says. `next_on` is always planned: a touch
    the cadence had planned for the same person is moved to that day, one planned by hand is kept beside it;
    `next_touch` and `next_touch_note` say which."""
    user = request.auth
    account = _workable_account(user, account_id)
    data = payload.model_dump()
    touch, _created = idempotency.once(
        user=user,
        key=idempotency.key_of(request),
        scope="touch_log",
        model=Touch,
        write=lambda: services.touch_log(
            by=user,
            account=account,
            kind=data["kind"],
            happened_at=aware(data["happened_at"]),
            duration_minutes=data["duration_minutes"],
            outcome=data["outcome"].strip(),
            subject=data["subject"].strip(),
            next_step=data["next_step"].strip(),
            next_on=data["next_on"],
            contacts=_account_contacts(account, data["contacts"]),
        ),
    )
    plan = services.next_plan_of(touch)
    logged = touch_get(user, touch.pk)
    planned = plan.planned if plan is not None else None
    logged.next_touch = touch_get(user, planned.pk) if planned is not None else None
    logged.next_touch_note = plan.message if plan is not None else ""
    return Status(201, logged)


@router.post(
    "/accounts/{account_id}/touches/planned", response={201: TouchOut, **WRITE_ERRORS}, tags=["touches"]
)
def touch_plan(request, account_id: Id, payload: TouchPlanIn):
    """Plan a touch on a day (today or later); it appears on your agenda."""
    user = request.auth
    account = _workable_account(user, account_id)
    touch, _created = idempotency.once(
        user=user,
        key=idempotency.key_of(request),
        scope="touch_plan",
        model=Touch,
        write=lambda: services.touch_plan(
            by=user,
            account=account,
            planned_for=payload.planned_for,
            kind=payload.kind,
            subject=payload.subject.strip(),
        ),
    )
    return Status(201, touch_get(user, touch.pk))


def _workable_touch(user, touch_id: int) -> Touch:
    touch = touch_get(user, touch_id)
    if not policy.can_work_account(user, touch.account):
        raise PermissionDenied(_("You may not log work on this account."))
    return touch


@router.post("/touches/{touch_id}/complete", response={200: TouchOut, **WRITE_ERRORS}, tags=["touches"])
def touch_complete(request, touch_id: Id, payload: TouchCompleteIn):
    """Mark a planned touch done, if nobody changed it since you read `version`."""
    user = request.auth
    touch = _workable_touch(user, touch_id)
    done = services.touch_complete(  # a stale version raises ConflictError: 409 with the touch as it is
        by=user,
        touch=touch,
        version=payload.version,
        duration_minutes=payload.duration_minutes,
        outcome=payload.outcome.strip(),
        happened_at=aware(payload.happened_at),
    )
    return touch_get(user, done.pk)


@router.post("/touches/{touch_id}/cancel", response={200: TouchOut, **WRITE_ERRORS}, tags=["touches"])
def touch_cancel(request, touch_id: Id):
    """Cancel a planned touch."""
    user = request.auth
    touch = services.touch_cancel(by=user, touch=_workable_touch(user, touch_id))
    return touch_get(user, touch.pk)


# --- tasks ------------------------------------------------------------------------------------------------


def _tasks(user):
    return selectors.visible_tasks(user).select_related("account", "assignee", "contact", "created_by")


def _task_get(user, task_id: int) -> Task:
    task = _tasks(user).filter(pk=task_id).first()
    if task is None:
        raise Http404
    return task


@router.get("/tasks", response={200: TaskPage, **LIST_ERRORS}, tags=["tasks"])
def task_list(request, filters: Query[TaskQuery]):
    """Tasks on the accounts you may see, and your own (given to you or by you); the earliest due first."""
    user = request.auth
    qs = _tasks(user)
    if filters.mine:
        qs = qs.filter(assignee=user)
    if filters.assignee:
        qs = qs.filter(assignee_id__in=filters.assignee)
    if filters.account is not None:
        qs = qs.filter(account_id=filters.account)
    if filters.status:
        qs = qs.filter(status__in=filters.status)
    if filters.due_from is not None:
        qs = qs.filter(due_on__gte=filters.due_from)
    if filters.due_to is not None:
        qs = qs.filter(due_on__lte=filters.due_to)
    return _page(qs.order_by("due_on", "id"), filters.limit, filters.offset)


@router.get("/tasks/{task_id}", response={200: TaskOut, **READ_ERRORS}, tags=["tasks"])
def task_detail(request, task_id: Id):
    return _task_get(request.auth, task_id)


def pick(queryset, pk: int | None, field: str, errors: dict):
    if pk is None:
        return None
    record = queryset.filter(pk=pk).first()
    if record is None:
        errors[field] = [_invalid_choice()]
    return record


@router.post("/tasks", response={201: TaskOut, **WRITE_ERRORS}, tags=["tasks"])
def task_create(request, payload: TaskCreateIn):
    """A task for you or someone else: on its own, on an account, or on a client's request."""
    user = request.auth
    if read_only(user):
        raise PermissionDenied(_("You may not change this record."))
    errors: dict = {}
    client_request = pick(
        visible_requests(user).select_related("account"), payload.request, "request", errors
    )
    account = pick(policy.visible_accounts(user), payload.account, "account", errors)
    if errors:
        raise ValidationError(errors)
    on = account or (client_request.account if client_request else None)
    if on is not None and not policy.can_work_account(user, on):
        raise PermissionDenied(_("You may not log work on this account."))
    contacts = on.contacts.filter(archived_at__isnull=True) if on is not None else Contact.objects.none()
    contact = pick(contacts, payload.contact, "contact", errors)
    if payload.assignee is None:
        assignee = user
    else:
        assignee = pick(selectors.task_assignees(user, on), payload.assignee, "assignee", errors)
    if errors:
        raise ValidationError(errors)
    task, _created = idempotency.once(
        user=user,
        key=idempotency.key_of(request),
        scope="task_create",
        model=Task,
        write=lambda: services.task_create(
            by=user,
            title=payload.title.strip(),
            description=payload.description.strip(),
            assignee=assignee,
            due_on=payload.due_on,
            account=account,
            contact=contact,
            request=client_request,
            remind_at=aware(payload.remind_at),
        ),
    )
    return Status(201, _task_get(user, task.pk))


@router.post("/tasks/{task_id}/complete", response={200: TaskOut, **WRITE_ERRORS}, tags=["tasks"])
def task_complete(request, task_id: Id):
    """Mark an open task done: its assignee, its author, or whoever works its account."""
    user = request.auth
    task = _task_get(user, task_id)
    if read_only(user):
        raise PermissionDenied(_("You may not change this record."))
    task = services.task_complete(by=user, task=task)
    return _task_get(user, task.pk)
