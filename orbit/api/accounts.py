"""Accounts and contacts: reads through the selectors (visibility applied), changes through the services.

The router only translates: query parameters into `AccountFilters`, ids in a payload into the records the
user may pick (an id he may not see is refused exactly like one that does not exist), and results into JSON.
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from orbit.access import policy
from orbit.accounts import selectors, services
from orbit.accounts.models import Account, AccountStatus, Contact, Industry, Region, Segment
from orbit.accounts.ownership import responsible_on
from orbit.api.schemas import (
    AccountCreateIn,
    AccountDetail,
    AccountPage,
    AccountPatchIn,
    AccountQuery,
    ConflictOut,
    ContactCreateIn,
    ContactOut,
    ContactPage,
    ContactPatchIn,
    ContactQuery,
    ErrorOut,
    Id,
    OwnershipPeriodOut,
    ResponsibleOut,
    Text,
)
from orbit.common import idempotency, keyset
from orbit.common.validators import validate_reasonable_date

router = Router()

READ_ERRORS = {401: ErrorOut, 404: ErrorOut}
WRITE_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ConflictOut, 422: ErrorOut}

# Fields whose null means "none"; for every other field null means blank.
_NULLABLE = {
    "industry",
    "region",
    "segment",
    "parent",
    "agreed_budget",
    "consent_date",
    "responsible_manager",
}


def _invalid_choice() -> str:
    return _("Select a valid choice. That choice is not one of the available choices.")


def _ensure_may_change(user, account: Account) -> None:
    """Refuse before looking at the payload, so a reader learns nothing from validation messages."""
    if not policy.can_change_account(user, account):
        raise PermissionDenied(_("You may not change this record."))


def _clean_values(data: dict) -> dict:
    """What a form field would do: strip text, null → blank for text fields, KPP in capitals."""
    for name, value in data.items():
        if isinstance(value, str):
            data[name] = value.strip()
        elif value is None and name not in _NULLABLE:
            data[name] = False if name == "consent_given" else ""
    if data.get("kpp"):
        data["kpp"] = data["kpp"].upper()
    return data


def _resolve_references(user, data: dict) -> dict:
    """Ids → records. Only accounts the user may see can be a holding; only account owners can be managers."""
    choices = {
        "industry": Industry.objects.all(),
        "region": Region.objects.all(),
        "segment": Segment.objects.all(),
        "parent": policy.visible_accounts(user),
        "responsible_manager": selectors.manager_choices(),
    }
    errors = {}
    for name, queryset in choices.items():
        if data.get(name) is None:
            continue
        record = queryset.filter(pk=data[name]).first()
        if record is None:
            errors[name] = [_invalid_choice()]
        else:
            data[name] = record
    if errors:
        raise ValidationError(errors)
    return data


def _page(qs: QuerySet, limit: int, offset: int) -> dict:
    """Counting stops at ORBIT_COUNT_CAP, as in the UI: an exact count of a million rows costs more than the page."""
    cap = settings.ORBIT_COUNT_CAP
    counted = qs.order_by()[: cap + 1].count()
    return {
        "count": min(counted, cap),
        "count_exact": counted <= cap,
        "limit": limit,
        "offset": offset,
        "items": list(qs[offset : offset + limit]),
    }


def _keyset_page(qs: QuerySet, order: tuple[str, ...], filters) -> dict:
    """A page by cursor (orbit/common/keyset.py): seeks from the sort key instead of skipping `offset` rows."""
    if filters.offset:
        raise ValidationError({"offset": [_("Page either by cursor or by offset, not both.")]})
    try:
        page = keyset.page_of(qs, order, filters.cursor, per_page=filters.limit)
    except keyset.BadCursor:
        raise ValidationError(
            {
                "cursor": [
                    _("This cursor was not issued for this sort order: start again from the first page.")
                ]
            }
        ) from None
    return {
        "count": page.paginator.count,
        "count_exact": not page.paginator.count_is_capped,
        "limit": filters.limit,
        "offset": 0,
        "next_cursor": page.next_cursor,
        "previous_cursor": page.previous_cursor,
        "items": page.object_list,
    }


def _fresh_account(user, account: Account) -> Account:
    """Read the written account back through the selector (related records in one query)."""
    try:
        return selectors.account_get(user, account.pk)
    except Http404:
        return account


def _fresh_contact(user, contact: Contact) -> Contact:
    try:
        return selectors.contact_get(user, contact.pk)
    except Http404:
        return contact


# --- accounts ---------------------------------------------------------------------------------------------


@router.get("/accounts", response={200: AccountPage, 401: ErrorOut, 422: ErrorOut}, tags=["accounts"])
def account_list(request, filters: Query[AccountQuery]):
    """Accounts you may see, filtered, sorted and paginated. Repeat a list parameter for several values."""
    qs = selectors.account_list(
        request.auth,
        selectors.AccountFilters(
            q=filters.q,
            status=list(filters.status),
            tier=list(filters.tier),
            segment=filters.segment,
            region=filters.region,
            industry=filters.industry,
            manager=filters.manager,
            parent=filters.parent,
            archived=filters.archived,
            sort=filters.sort,
        ),
    )
    if filters.cursor is None and filters.offset:
        return _page(qs, filters.limit, filters.offset)
    return _keyset_page(qs, selectors.list_order(selectors.AccountFilters(sort=filters.sort)), filters)


@router.get("/accounts/{account_id}", response={200: AccountDetail, **READ_ERRORS}, tags=["accounts"])
def account_detail(request, account_id: Id):
    return selectors.account_get(request.auth, account_id)


@router.post("/accounts", response={201: AccountDetail, **WRITE_ERRORS}, tags=["accounts"])
def account_create(request, payload: AccountCreateIn):
    """A new prospect or active client; an active one needs a responsible manager."""
    user = request.auth
    if not policy.can_create_account(user):
        raise PermissionDenied(_("You may not change this record."))
    data = _resolve_references(user, _clean_values(payload.model_dump(exclude_unset=True)))
    status = data.pop("status", AccountStatus.PROSPECT)
    manager = data.pop("responsible_manager", None)
    account, _created = idempotency.once(
        user=user,
        key=idempotency.key_of(request),
        scope="account_create",
        model=Account,
        write=lambda: services.account_create(by=user, status=status, responsible_manager=manager, **data),
    )
    return Status(201, _fresh_account(user, account))


@router.patch("/accounts/{account_id}", response={200: AccountDetail, **WRITE_ERRORS}, tags=["accounts"])
def account_update(request, account_id: Id, payload: AccountPatchIn):
    """Change the fields sent, if nobody changed the account since you read `version`."""
    user = request.auth
    account = selectors.account_get(user, account_id)
    _ensure_may_change(user, account)
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("version")
    changes = _resolve_references(user, _clean_values(data))
    account = services.account_update(by=user, account=account, version=version, **changes)
    return _fresh_account(user, account)


@router.get(
    "/accounts/{account_id}/ownership",
    response={200: list[OwnershipPeriodOut], **READ_ERRORS},
    tags=["accounts"],
)
def account_ownership(request, account_id: Id):
    """Who was responsible for the account and when, newest first."""
    return list(selectors.account_ownership(request.auth, account_id).ownership_periods.all())


def _moment(value: str | None) -> dt.datetime | dt.date:
    if not value:
        return timezone.now()
    try:
        moment = parse_datetime(value) if "T" in value or " " in value else parse_date(value)
    except ValueError:
        moment = None
    if moment is None:
        raise ValidationError({"on": _("Enter a valid date/time.")})
    try:
        validate_reasonable_date(moment)
    except ValidationError as exc:
        raise ValidationError({"on": exc.messages}) from exc
    if isinstance(moment, dt.datetime) and timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


@router.get(
    "/accounts/{account_id}/responsible",
    response={200: ResponsibleOut, **READ_ERRORS, 422: ErrorOut},
    tags=["accounts"],
)
def account_responsible(request, account_id: Id, on: Text | None = None):
    """The responsible manager on a date (end of that day) or at a moment (ISO 8601); now if `on` is left out."""
    account = selectors.account_get(request.auth, account_id)
    moment = _moment(on)
    return {"account_id": account.pk, "on": moment, "manager": responsible_on(account, moment)}


# --- contacts ---------------------------------------------------------------------------------------------


@router.get("/contacts", response={200: ContactPage, 401: ErrorOut, 422: ErrorOut}, tags=["contacts"])
def contact_list(request, filters: Query[ContactQuery]):
    """Live contacts of the accounts you may see."""
    qs = selectors.visible_contacts(request.auth).select_related("account").order_by("full_name", "id")
    if filters.account is not None:
        qs = qs.filter(account_id=filters.account)
    for word in filters.q.split():
        qs = qs.filter(
            Q(full_name__icontains=word)
            | Q(position__icontains=word)
            | Q(email__icontains=word)
            | Q(phone__contains=word)
        )
    return _page(qs, filters.limit, filters.offset)


@router.get("/contacts/{contact_id}", response={200: ContactOut, **READ_ERRORS}, tags=["contacts"])
def contact_detail(request, contact_id: Id):
    return selectors.contact_get(request.auth, contact_id)


@router.post("/accounts/{account_id}/contacts", response={201: ContactOut, **WRITE_ERRORS}, tags=["contacts"])
def contact_create(request, account_id: Id, payload: ContactCreateIn):
    user = request.auth
    account = selectors.account_get(user, account_id)
    _ensure_may_change(user, account)
    fields = _clean_values(payload.model_dump(exclude_unset=True))
    contact, _created = idempotency.once(
        user=user,
        key=idempotency.key_of(request),
        scope="contact_create",
        model=Contact,
        write=lambda: services.contact_create(by=user, account=account, **fields),
    )
    return Status(201, _fresh_contact(user, contact))


@router.patch("/contacts/{contact_id}", response={200: ContactOut, **WRITE_ERRORS}, tags=["contacts"])
def contact_update(request, contact_id: Id, payload: ContactPatchIn):
    """Change the fields sent, if nobody changed the contact since you read `version`."""
    user = request.auth
    contact = selectors.contact_get(user, contact_id)
    _ensure_may_change(user, contact.account)
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("version")
    contact = services.contact_update(by=user, contact=contact, version=version, **_clean_values(data))
    return _fresh_contact(user, contact)
