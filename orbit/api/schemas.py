"""Request and response shapes of the API.

Output schemas read model instances (ninja resolves attributes); input schemas carry ids and plain values
that the routers hand to the services. Choices are checked here (so OpenAPI lists them); everything else —
lengths, INN checksum, KPP, uniqueness, holding cycles — is checked by the services, so the API and the forms
give the same messages.
"""

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import AfterValidator, BeforeValidator, ConfigDict, PlainSerializer, WithJsonSchema
from pydantic_core import PydanticCustomError

from orbit.accounts.models import AccountStatus, BuyingRole, Currency, Tier
from orbit.accounts.selectors import SORTS
from orbit.activities.models import TaskStatus, TouchKind, TouchStatus
from orbit.common.validators import EARLIEST_DATE, LATEST_DATE
from orbit.requests.models import MAX_WORK_MINUTES, Priority, RequestStatus, RequestType
from orbit.requests.selectors import SLA_FILTERS
from orbit.requests.selectors import SORTS as REQUEST_SORTS
from orbit.revenue.money import parse_amount

StatusValue = Literal[tuple(AccountStatus.values)]  # type: ignore[valid-type]
TierValue = Literal[tuple(Tier.values)]  # type: ignore[valid-type]
CurrencyValue = Literal[tuple(Currency.values)]  # type: ignore[valid-type]
BuyingRoleValue = Literal[("", *BuyingRole.values)]  # type: ignore[valid-type]
SortValue = Literal[tuple(SORTS)]  # type: ignore[valid-type]
NewAccountStatus = Literal[AccountStatus.PROSPECT.value, AccountStatus.ACTIVE.value]


# --- bounded input types ------------------------------------------------------------------------------------
# Every value a client sends is bounded here, so nothing unreasonable reaches the database: a NUL byte (which
# PostgreSQL refuses in text), an integer beyond 64 bits (a bigint overflows), a date in year 1 or 9999 (a day
# more or a time zone overflows Python's dates). Each is answered 422 at its field.

MAX_INT = 2**63 - 1  # a 64-bit signed integer: PostgreSQL's bigint, SQLite's integer
MAX_OFFSET = 10**9  # far beyond any list's length, and offset + limit still fits a bigint


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise PydanticCustomError("nul_character", "Null characters are not allowed.")
    return value


def _reasonable_date(value: dt.date) -> dt.date:
    day = value.date() if isinstance(value, dt.datetime) else value
    if not (EARLIEST_DATE <= day <= LATEST_DATE):
        raise PydanticCustomError("date_range", "The date is out of range.")
    return value


def _iso_date(value):
    """Only ISO 8601 (2026-12-01): pydantic would read `0` as a Unix time, 1 January 1970."""
    if isinstance(value, dt.date):
        return value
    if not (isinstance(value, str) and _ISO_DATE.match(value)):
        raise PydanticCustomError("date_parsing", "Enter a valid date.")
    return value


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}($|[T ])")

Text = Annotated[str, AfterValidator(_no_nul)]
Id = Annotated[int, Field(ge=0, le=MAX_INT)]  # 0 is no record: "not found", not an error
Int64 = Annotated[int, Field(ge=-MAX_INT - 1, le=MAX_INT)]
Day = Annotated[dt.date, BeforeValidator(_iso_date), AfterValidator(_reasonable_date)]
Moment = Annotated[dt.datetime, BeforeValidator(_iso_date), AfterValidator(_reasonable_date)]


def money(value: Decimal | None) -> str | None:
    """Money leaves the API as a decimal string with two places («1500000.00»): exact, never a float."""
    return None if value is None else f"{value:.2f}"


# --- exact numbers: money, quantities, percents, rates --------------------------------------------------------
# Nothing passes through a float. The API's JSON parser (orbit.api.router) reads every JSON number with a
# fraction or an exponent as a Decimal, a number written with an exponent as `ExponentNumber`, and NaN and
# Infinity as the Decimals of those names; the types below then accept a number or a string as people type it
# ("1 234 567,89", "1234567.89", with no-break or thin spaces) through `orbit.revenue.money.parse_amount`, and
# refuse exponents, NaN, more places than the column keeps and more digits than it holds. Responses carry them as
# decimal strings with a fixed number of places ("1234567.89"), so a client never rounds through a float either.


class ExponentNumber(Decimal):
    """A JSON number written with an exponent (1e3): a float's notation, refused where an amount is expected."""


def json_number(literal: str) -> Decimal:
    """`parse_float` / `parse_constant` of the API's JSON parser: the number exactly as written."""
    return ExponentNumber(literal) if "e" in literal.lower() else Decimal(literal)


def _number_error(message: str) -> PydanticCustomError:
    # The message is already in the caller's language (gettext at validation time); errors.py passes it on.
    return PydanticCustomError("exact_number", "{message}", {"message": message})


def _exact(*, places: int, digits: int, low: Decimal | None = None, high: Decimal | None = None):
    """A validator for a numeric(digits + places, places) column, optionally bounded to [low, high]."""

    def validate(value):
        if isinstance(value, bool | float | ExponentNumber) or not isinstance(value, str | int | Decimal):
            raise _number_error(_("Enter an amount like 1 234 567,89."))
        try:
            number = parse_amount(value, places=places)
        except ValidationError as exc:
            raise _number_error(" ".join(exc.messages)) from exc
        if abs(number) >= Decimal(10) ** digits:
            raise _number_error(_("At most %(digits)s digits before the decimal point.") % {"digits": digits})
        if (low is not None and number < low) or (high is not None and number > high):
            raise _number_error(_("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high})
        return number

    return validate


def _fixed(places: int):
    def text(value: Decimal) -> str:
        return f"{value + 0:.{places}f}"  # + 0 turns a negative zero into 0

    return text


def _exact_in_schema(description: str, example: str) -> WithJsonSchema:
    return WithJsonSchema(
        {
            "anyOf": [{"type": "string", "examples": [example]}, {"type": "number"}],
            "description": description,
        },
        mode="validation",
    )


def _fixed_out_schema(places: int, example: str) -> WithJsonSchema:
    return WithJsonSchema(
        {"type": "string", "pattern": rf"^-?\d+\.\d{{{places}}}$", "examples": [example]},
        mode="serialization",
    )


# In requests: money with at most 2 places and 16 digits before the point (numeric(18,2)), as a JSON number or a
# string ("1 234 567,89"); in responses a string with 2 places. The sign rules are the services' (a payment is
# positive, a price not negative), so their messages are the forms' ones.
Amount = Annotated[
    Decimal,
    BeforeValidator(_exact(places=2, digits=16)),
    PlainSerializer(_fixed(2), return_type=str),
    _exact_in_schema(
        'Money: a JSON number or a string as people type it ("1 234 567,89", "1234567.89"); at most 2 '
        "places and 16 digits before the point; no exponent.",
        "1 234 567,89",
    ),
    _fixed_out_schema(2, "1234567.89"),
]
# A quantity: 3 places (numeric(16,3)); negative only on credit notes (the services say so).
Quantity = Annotated[
    Decimal,
    BeforeValidator(_exact(places=3, digits=13)),
    PlainSerializer(_fixed(3), return_type=str),
    _exact_in_schema("A quantity: a JSON number or a string; at most 3 places.", "1,5"),
    _fixed_out_schema(3, "1.500"),
]
# A percent from 0 to 100 with 2 places (a discount).
Percent = Annotated[
    Decimal,
    BeforeValidator(_exact(places=2, digits=3, low=Decimal(0), high=Decimal(100))),
    PlainSerializer(_fixed(2), return_type=str),
    _exact_in_schema("A percent from 0 to 100: a JSON number or a string; at most 2 places.", "7,5"),
    _fixed_out_schema(2, "7.50"),
]
# A currency rate: units of the base currency per unit, 6 places (numeric(18,6)).
Rate = Annotated[
    Decimal,
    BeforeValidator(_exact(places=6, digits=12)),
    PlainSerializer(_fixed(6), return_type=str),
    _exact_in_schema("A rate: a JSON number or a string; at most 6 places.", "92,4512"),
    _fixed_out_schema(6, "92.451200"),
]
# Money in responses only: sums and balances (no input bounds to check, any size the database holds).
Money = Annotated[Decimal, PlainSerializer(_fixed(2), return_type=str), _fixed_out_schema(2, "1234567.89")]


# --- errors -------------------------------------------------------------------------------------------------


class ErrorOut(Schema):
    detail: str = Field(description="What went wrong, in the user's language.")
    errors: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Messages per field of the request; `__all__` holds those about the request as a whole.",
    )


# --- references -------------------------------------------------------------------------------------------


class UserRef(Schema):
    id: int
    name: str

    @staticmethod
    def resolve_name(obj) -> str:
        return str(obj)


class ReferenceOut(Schema):
    id: int
    code: str
    name: str = Field(description="In the user's language.")

    @staticmethod
    def resolve_name(obj) -> str:
        return str(obj)


class AccountRef(Schema):
    id: int
    name: str

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.display_name


# --- accounts ---------------------------------------------------------------------------------------------


class AccountListItem(Schema):
    id: int
    legal_name: str
    short_name: str
    display_name: str
    inn: str
    kpp: str
    status: StatusValue
    tier: TierValue
    industry: ReferenceOut | None
    region: ReferenceOut | None
    segment: ReferenceOut | None
    parent_id: int | None
    responsible_manager: UserRef | None
    version: int
    updated_at: dt.datetime
    archived_at: dt.datetime | None


class AccountDetail(AccountListItem):
    status_changed_at: dt.datetime | None
    phone: str
    address: str
    website: str
    director: str
    created_at: dt.datetime
    created_by: UserRef | None
    goals: str
    strategy: str
    investment_plans: str
    financial_indicators: str
    agreed_budget: str | None = Field(
        description="Decimal string with two places, in `budget_currency` (e.g. «1500000.00»)."
    )
    budget_currency: CurrencyValue
    competitors: str
    switching_barriers: str

    @staticmethod
    def resolve_agreed_budget(obj) -> str | None:
        return money(obj.agreed_budget)


class AccountPage(Schema):
    count: int = Field(
        description="Accounts matching the filters that the user may see, counted up to a cap."
    )
    count_exact: bool = Field(description="False when more accounts match than `count`: narrow the filters.")
    limit: int
    offset: int
    next_cursor: str | None = Field(
        None,
        description="Pass as `cursor` for the page after this one; null on the last page and when paging by offset.",
    )
    previous_cursor: str | None = Field(
        None,
        description="Pass as `cursor` for the page before this one; null on the first page and when paging by offset.",
    )
    items: list[AccountListItem]


class AccountQuery(Schema):
    q: Text = Field("", max_length=200, description="Words of the name or digits of the INN.")
    status: list[StatusValue] = Field(default_factory=list)
    tier: list[TierValue] = Field(default_factory=list)
    segment: list[Id] = Field(default_factory=list)
    region: list[Id] = Field(default_factory=list)
    industry: list[Id] = Field(default_factory=list)
    manager: list[Id] = Field(default_factory=list, description="Responsible manager ids.")
    parent: Id | None = Field(None, description="Subsidiaries of this holding.")
    archived: bool = Field(False, description="The archive instead of the live accounts.")
    sort: SortValue = "name"
    limit: int = Field(settings.ORBIT_PAGE_SIZE, ge=1, le=settings.ORBIT_MAX_PAGE_SIZE)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    cursor: Text | None = Field(
        None,
        max_length=1000,
        description="`next_cursor` or `previous_cursor` of a page read with the same `sort`, or `last` for the "
        "last page; as fast deep in the list as at its start. Not together with `offset`.",
    )


class _AccountFields(Schema):
    """The editable fields; a field left out is not changed (PATCH) or takes its default (POST)."""

    model_config = ConfigDict(extra="forbid")

    legal_name: Text | None = None
    short_name: Text | None = None
    inn: Text | None = Field(None, description="10 digits (organisation) or 12 (entrepreneur).")
    kpp: Text | None = Field(None, description="Required with a 10-digit INN, absent with a 12-digit one.")
    industry: Id | None = Field(None, description="Industry id.")
    region: Id | None = Field(None, description="Region id.")
    segment: Id | None = Field(None, description="Segment id.")
    tier: TierValue | None = None
    parent: Id | None = Field(None, description="Holding (parent account) id; must be visible to you.")
    phone: Text | None = Field(None, description="The company's phone; stored as +74951234567.")
    address: Text | None = None
    website: Text | None = Field(None, description="http(s) address of the company's site.")
    director: Text | None = None
    goals: Text | None = None
    strategy: Text | None = None
    investment_plans: Text | None = None
    financial_indicators: Text | None = None
    agreed_budget: Decimal | None = Field(None, description="A decimal string or number, two places at most.")
    budget_currency: CurrencyValue | None = None
    competitors: Text | None = None
    switching_barriers: Text | None = None


class AccountCreateIn(_AccountFields):
    legal_name: Text
    inn: Text
    status: NewAccountStatus = AccountStatus.PROSPECT.value
    responsible_manager: Id | None = Field(
        None, description="User id; required for an active client. Only the head or a lead assigns others."
    )


class AccountPatchIn(_AccountFields):
    version: Int64 = Field(description="The `version` you read; a stale one is answered with 409.")


class ConflictOut(ErrorOut):
    current: dict | None = Field(description="The record as it is now.")


class OwnershipPeriodOut(Schema):
    id: int
    manager: UserRef
    started_at: dt.datetime
    ended_at: dt.datetime | None
    reason: str
    reason_label: str
    comment: str
    changed_by: UserRef | None

    @staticmethod
    def resolve_reason_label(obj) -> str:
        return str(obj.get_reason_display())


class ResponsibleOut(Schema):
    account_id: int
    on: dt.datetime | dt.date
    manager: UserRef | None


# --- contacts ---------------------------------------------------------------------------------------------


class ContactOut(Schema):
    id: int
    account: AccountRef
    full_name: str
    position: str
    phone: str = Field(description="E.164, e.g. +74951234567.")
    email: str
    buying_role: BuyingRoleValue
    consent_given: bool
    consent_date: dt.date | None
    consent_source: str
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    archived_at: dt.datetime | None


class ContactPage(Schema):
    count: int = Field(description="Contacts matching, counted up to a cap.")
    count_exact: bool = Field(description="False when more contacts match than `count`.")
    limit: int
    offset: int
    items: list[ContactOut]


class ContactQuery(Schema):
    account: Id | None = Field(None, description="Contacts of this account.")
    q: Text = Field("", max_length=200, description="Words of the name, position, e-mail or phone.")
    limit: int = Field(settings.ORBIT_PAGE_SIZE, ge=1, le=settings.ORBIT_MAX_PAGE_SIZE)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class _ContactFields(Schema):
    model_config = ConfigDict(extra="forbid")

    full_name: Text | None = None
    position: Text | None = None
    phone: Text | None = Field(None, description="Any common form; stored as E.164.")
    email: Text | None = None
    buying_role: BuyingRoleValue | None = None
    consent_given: bool | None = None
    consent_date: Day | None = None
    consent_source: Text | None = None


class ContactCreateIn(_ContactFields):
    full_name: Text


class ContactPatchIn(_ContactFields):
    version: Int64 = Field(description="The `version` you read; a stale one is answered with 409.")


# --- auth -------------------------------------------------------------------------------------------------


class MeOut(Schema):
    id: int
    username: str
    name: str
    language: str
    roles: list[str]

    @staticmethod
    def resolve_name(obj) -> str:
        return str(obj)

    @staticmethod
    def resolve_roles(obj) -> list[str]:
        return sorted(obj.role_set)


class TokenOut(Schema):
    id: int
    name: str
    hint: str = Field(description="The first characters of the token, to tell tokens apart.")
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenCreateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: Text = Field(description="What the token is for, e.g. «reporting script».")


class TokenIssuedOut(TokenOut):
    token: str = Field(description="The secret; shown this once and never again. Send it as `Bearer`.")


# --- touches ----------------------------------------------------------------------------------------------

TouchKindValue = Literal[tuple(TouchKind.values)]  # type: ignore[valid-type]
TouchStatusValue = Literal[tuple(TouchStatus.values)]  # type: ignore[valid-type]
TaskStatusValue = Literal[tuple(TaskStatus.values)]  # type: ignore[valid-type]


class ContactRef(Schema):
    id: int
    full_name: str


class TouchOut(Schema):
    id: int
    account: AccountRef
    owner: UserRef = Field(description="Who made (or is to make) the touch.")
    kind: TouchKindValue
    status: TouchStatusValue = Field(description="planned → done or cancelled.")
    source: str = Field(description="`manual`, or `cadence` when the cadence rules planned it.")
    planned_for: dt.date | None = Field(description="The day a planned touch is due.")
    happened_at: dt.datetime | None = Field(description="When a done touch took place.")
    duration_minutes: int | None = Field(description="Minutes of work on a done touch (1 to 1440).")
    subject: str
    outcome: str
    next_step: str
    contacts: list[ContactRef] = Field(description="Contacts of the account who took part.")
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_contacts(obj) -> list:
        return list(obj.contacts.all())


class TouchLoggedOut(TouchOut):
    """The logged touch, and what became of the next one: never dropped without a word."""

    next_touch: TouchOut | None = Field(
        description="The touch now planned for the next contact (new, or the cadence's one moved to "
        "`next_on`); null when none was planned."
    )
    next_touch_note: str = Field(
        description="What became of the next touch, in the user's language: planned, moved, kept beside "
        "another planned touch (named), or why none was planned; empty when there is nothing to say."
    )


class TouchPage(Schema):
    count: int = Field(description="Touches matching the filters that you may see, counted up to a cap.")
    count_exact: bool = Field(description="False when more touches match than `count`: narrow the filters.")
    limit: int
    offset: int
    items: list[TouchOut]


class TouchQuery(Schema):
    account: Id | None = Field(None, description="Touches of this account.")
    owner: list[Id] = Field(default_factory=list, description="Ids of the people who made the touches.")
    status: list[TouchStatusValue] = Field(default_factory=list)
    kind: list[TouchKindValue] = Field(default_factory=list)
    date_from: Day | None = Field(
        None, description="From this day on: the day it happened (done) or is planned for (planned)."
    )
    date_to: Day | None = Field(None, description="Up to and including this day.")
    limit: int = Field(settings.ORBIT_PAGE_SIZE, ge=1, le=settings.ORBIT_MAX_PAGE_SIZE)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class TouchLogIn(Schema):
    """A touch that took place (a call from telephony, a letter from the mail server, a visit)."""

    model_config = ConfigDict(extra="forbid")

    kind: TouchKindValue = TouchKind.CALL.value
    happened_at: Moment | None = Field(
        None,
        description="When it took place (ISO 8601; no offset: the server's time zone); now if left out.",
    )
    duration_minutes: Int64 = Field(description="Minutes of work, 1 to 1440; feeds the margin per hour.")
    outcome: Text = Field("", description="What came of it.")
    subject: Text = Field("", description="Up to 200 characters.")
    next_step: Text = Field(
        "", description="Up to 300 characters; becomes the subject of the next planned touch."
    )
    next_on: Day | None = Field(
        None, description="Day of the next touch; left out: the cadence plans it (if the account has one)."
    )
    contacts: list[Id] = Field(default_factory=list, description="Ids of live contacts of this account.")


class TouchPlanIn(Schema):
    model_config = ConfigDict(extra="forbid")

    kind: TouchKindValue = TouchKind.CALL.value
    planned_for: Day = Field(description="The day, today or later.")
    subject: Text = Field("", description="Up to 200 characters.")


class TouchCompleteIn(Schema):
    model_config = ConfigDict(extra="forbid")

    version: Int64 = Field(description="The `version` you read; a stale one is answered with 409.")
    duration_minutes: Int64 = Field(description="Minutes of work, 1 to 1440.")
    outcome: Text = ""
    happened_at: Moment | None = Field(None, description="When it took place; now if left out.")


# --- tasks ------------------------------------------------------------------------------------------------


class TaskOut(Schema):
    id: int
    title: str
    description: str
    assignee: UserRef
    account: AccountRef | None
    contact: ContactRef | None
    request_id: int | None = Field(description="The client request the task serves, if any.")
    due_on: dt.date
    remind_at: dt.datetime | None
    status: TaskStatusValue
    completed_at: dt.datetime | None
    created_by: UserRef | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class TaskPage(Schema):
    count: int = Field(description="Tasks matching the filters that you may see, counted up to a cap.")
    count_exact: bool = Field(description="False when more tasks match than `count`: narrow the filters.")
    limit: int
    offset: int
    items: list[TaskOut]


class TaskQuery(Schema):
    mine: bool = Field(False, description="Only the tasks assigned to you.")
    assignee: list[Id] = Field(default_factory=list, description="Ids of assignees.")
    account: Id | None = Field(None, description="Tasks on this account.")
    status: list[TaskStatusValue] = Field(default_factory=list)
    due_from: Day | None = Field(None, description="Due on this day or later.")
    due_to: Day | None = Field(None, description="Due on this day or earlier.")
    limit: int = Field(settings.ORBIT_PAGE_SIZE, ge=1, le=settings.ORBIT_MAX_PAGE_SIZE)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class TaskCreateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    title: Text = Field(description="Up to 200 characters.")
    description: Text = ""
    due_on: Day
    assignee: Id | None = Field(
        None,
        description="User id; you if left out. Yourself, your people, or the account's manager and team.",
    )
    account: Id | None = Field(None, description="Account id; must be visible to you and yours to work.")
    contact: Id | None = Field(None, description="A contact of that account.")
    request: Id | None = Field(None, description="A client request (the task then goes on its account).")
    remind_at: Moment | None = Field(None, description="When to remind the assignee; not in the past.")


# --- requests ---------------------------------------------------------------------------------------------

RequestStatusValue = Literal[tuple(RequestStatus.values)]  # type: ignore[valid-type]
RequestTypeValue = Literal[tuple(RequestType.values)]  # type: ignore[valid-type]
PriorityValue = Literal[tuple(Priority.values)]  # type: ignore[valid-type]
RequestSortValue = Literal[tuple(REQUEST_SORTS)]  # type: ignore[valid-type]
SlaFilterValue = Literal[("", *SLA_FILTERS)]  # type: ignore[valid-type]
SlaStateValue = Literal["none", "met", "late", "paused", "overdue", "warning", "ok"]


class RequestListItem(Schema):
    id: int
    account: AccountRef
    request_type: RequestTypeValue
    priority: PriorityValue
    department: ReferenceOut
    subject: str
    status: RequestStatusValue
    manager: UserRef = Field(description="The account's manager, the client's one window.")
    assignee: UserRef | None = Field(description="The executor in the department.")
    received_at: dt.datetime
    first_response_due: dt.datetime | None = Field(description="Per the SLA, in business hours.")
    resolution_due: dt.datetime | None = Field(description="Per the SLA, in business hours.")
    first_responded_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    sla_state: SlaStateValue = Field(
        description="none (no SLA), ok, warning, overdue, paused (waiting for the client), met or late."
    )
    running_due: dt.datetime | None = Field(description="The due time of the clock that runs now.")
    escalation_level: int = Field(description="0 none, 1 the team lead, 2 the head of department.")
    version: int


class RequestCommentOut(Schema):
    id: int
    author: UserRef
    text: str
    minutes_spent: int | None = Field(description="The author's time on the request for this step.")
    created_at: dt.datetime


class AttachmentOut(Schema):
    id: int
    name: str = Field(description="The file's name as uploaded.")
    size: int = Field(description="Bytes.")
    content_type: str
    uploaded_by: UserRef
    uploaded_at: dt.datetime

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.original_name


class RequestDetail(RequestListItem):
    description: str
    contact: ContactRef | None
    created_by: UserRef | None
    allowed_statuses: list[RequestStatusValue] = Field(description="Where the status may move from here.")
    comments: list[RequestCommentOut] = Field(description="Oldest first.")
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_allowed_statuses(obj) -> list[str]:
        return list(obj.allowed_transitions)

    @staticmethod
    def resolve_comments(obj) -> list:
        return list(obj.comments.all())

    @staticmethod
    def resolve_attachments(obj) -> list:
        return list(obj.attachments.all())


class RequestPage(Schema):
    count: int = Field(description="Requests matching the filters that you may see, counted up to a cap.")
    count_exact: bool = Field(description="False when more requests match than `count`: narrow the filters.")
    limit: int
    offset: int
    items: list[RequestListItem]


class RequestQuery(Schema):
    status: list[RequestStatusValue] = Field(default_factory=list)
    type: list[RequestTypeValue] = Field(default_factory=list, description="Request types.")
    priority: list[PriorityValue] = Field(default_factory=list)
    department: list[Id] = Field(default_factory=list, description="Department ids.")
    account: Id | None = Field(None, description="Requests of this account.")
    sla: SlaFilterValue = Field("", description="`overdue`, or `near`: near breach or overdue.")
    mine: bool = Field(False, description="Those you manage, execute or registered.")
    sort: RequestSortValue = "-received"
    limit: int = Field(settings.ORBIT_PAGE_SIZE, ge=1, le=settings.ORBIT_MAX_PAGE_SIZE)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class RequestCreateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    request_type: RequestTypeValue
    priority: PriorityValue = Priority.NORMAL.value
    department: Id = Field(description="Department id (see the departments in the UI).")
    subject: Text = Field(description="What the client asks, in a few words (up to 300 characters).")
    description: Text = ""
    contact: Id | None = Field(None, description="A live contact of the account.")
    assignee: Id | None = Field(None, description="The executor; he must be able to see the account.")
    received_at: Moment | None = Field(
        None, description="When the client asked; now if left out. The SLA is counted from this moment."
    )


class RequestCommentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    text: Text
    minutes_spent: int | None = Field(
        None,
        ge=1,
        le=MAX_WORK_MINUTES,
        description="Time spent on the request for this step, minutes (≤ a day).",
    )


class RequestStatusIn(Schema):
    model_config = ConfigDict(extra="forbid")

    status: RequestStatusValue = Field(description="One of the request's `allowed_statuses`.")
    version: Int64 = Field(description="The `version` you read; a stale one is answered with 409.")
    comment: Text = Field(
        "",
        description="Required when a resolved request is reopened, and when a complaint is resolved (how it "
        "was resolved). From someone other than the person who registered the request, a comment, `waiting_client` "
        "or `resolved` is the first response.",
    )


class RequestAssignIn(Schema):
    model_config = ConfigDict(extra="forbid")

    assignee: Id | None = Field(description="User id of the executor; null takes the request off him.")
    version: Int64 = Field(description="The `version` you read; a stale one is answered with 409.")
