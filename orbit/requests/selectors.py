"""Reads of requests, always scoped through the accounts the user may see (`visible_accounts`)."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from orbit.access.querysets import AccountScopedQuerySet
from orbit.accounts import card_facts
from orbit.org.models import User
from orbit.requests import sla
from orbit.requests.models import (
    OPEN_STATUSES,
    RUNNING_STATUSES,
    Attachment,
    Request,
    RequestComment,
    RequestStatus,
    SlaPolicy,
)
from orbit.worktime.services import add_business_hours

# "Near breach" in the list: less than this many business hours left.
NEAR_BREACH_HOURS = 4

SORTS = {
    "received": ("received_at", "id"),
    "-received": ("-received_at", "-id"),
    "due": ("resolution_due", "id"),
    "-due": ("-resolution_due", "-id"),
    "priority": ("priority_rank", "-received_at", "-id"),
    "-priority": ("-priority_rank", "-received_at", "-id"),
    "status": ("status", "-received_at", "-id"),
    "-status": ("-status", "-received_at", "-id"),
}
# The sorts that page by keyset (orbit/common/keyset.py): real, never-NULL columns, the id last. "due" stays on
# OFFSET: resolution_due is NULL for a request without a policy, and a row comparison with NULL matches nothing
# (the NULLs would drop out of the walk). "priority" too: it sorts by an annotation (priority_rank, a CASE), not a
# column; no index orders it, so every page sorts all the matches whichever way it is paged. The status sorts have
# no index of their own either (they sort the matches); the cursor still spares a deep page the rows before it.
KEYSET_SORTS = frozenset({"received", "-received", "status", "-status"})
SLA_FILTERS = ("overdue", "near")


@dataclass(frozen=True)
class RequestFilters:
    status: list[str] = field(default_factory=list)
    request_type: list[str] = field(default_factory=list)
    priority: list[str] = field(default_factory=list)
    department: list[int] = field(default_factory=list)
    account: int | None = None
    sla: str = ""  # "overdue" or "near" (near breach or overdue)
    mine: bool = False
    sort: str = "-received"


def list_order(filters: RequestFilters) -> tuple[str, ...]:
    """The fields the list is sorted by (the last one the id): what a keyset page's cursor holds."""
    return SORTS.get(filters.sort, SORTS["-received"])


def pages_by_keyset(filters: RequestFilters) -> bool:
    return filters.sort in KEYSET_SORTS


def visible_requests(user: User) -> AccountScopedQuerySet:
    """Requests on the accounts the user may see (archived accounts too: their history stays readable)."""
    return Request.objects.visible_to(user)


def _due_q(at: dt.datetime) -> Q:
    """The running clock is due by `at`: the first response while unanswered, else the resolution."""
    return Q(first_responded_at__isnull=True, first_response_due__lte=at) | Q(resolution_due__lte=at)


def _near_q(within_hours) -> Q:
    """Due within `within_hours` business hours from now, per working calendar of the policies in use."""
    current = sla.now()
    query = Q()
    calendar_ids = set(SlaPolicy.objects.values_list("calendar_id", flat=True).distinct())
    for calendar_id in calendar_ids:
        policy = SlaPolicy(calendar_id=calendar_id)
        threshold = add_business_hours(sla.calendar_of(policy), current, float(within_hours))
        scope = (
            Q(sla_policy__calendar_id=calendar_id) if calendar_id else Q(sla_policy__calendar__isnull=True)
        )
        query |= scope & _due_q(threshold)
    return query or Q(pk__in=[])


def request_list(user: User, filters: RequestFilters) -> QuerySet[Request]:
    from django.db.models import Case, IntegerField, Value, When

    qs = visible_requests(user).select_related("account", "department", "manager", "assignee")
    if filters.status:
        qs = qs.filter(status__in=filters.status)
    if filters.request_type:
        qs = qs.filter(request_type__in=filters.request_type)
    if filters.priority:
        qs = qs.filter(priority__in=filters.priority)
    if filters.department:
        qs = qs.filter(department_id__in=filters.department)
    if filters.account:
        qs = qs.filter(account_id=filters.account)
    if filters.mine:
        qs = qs.filter(Q(manager=user) | Q(assignee=user) | Q(created_by=user))
    if filters.sla == "overdue":
        qs = qs.filter(status__in=RUNNING_STATUSES).filter(_due_q(sla.now()))
    elif filters.sla == "near":
        qs = qs.filter(status__in=RUNNING_STATUSES).filter(_near_q(NEAR_BREACH_HOURS))
    qs = qs.annotate(
        priority_rank=Case(
            When(priority="low", then=Value(0)),
            When(priority="normal", then=Value(1)),
            When(priority="high", then=Value(2)),
            When(priority="critical", then=Value(3)),
            output_field=IntegerField(),
        )
    )
    return qs.order_by(*list_order(filters))


def mark_sla_state(requests, at: dt.datetime | None = None) -> None:
    """Set `sla_state` on each request of a page: met, paused, ok, overdue (no calendar arithmetic per row)."""
    at = at or sla.now()
    for request in requests:
        request.sla_state = sla_state(request, at)
        clock = sla.current_clock(request)
        request.running_due = sla.due_of(request, clock) if clock else None


def sla_state(request: Request, at: dt.datetime) -> str:
    if request.sla_policy_id is None:
        return "none"
    if request.status not in OPEN_STATUSES:
        late = request.resolved_at and request.resolution_due and request.resolved_at > request.resolution_due
        return "late" if late else "met"
    if request.status not in RUNNING_STATUSES:
        return "paused"
    clock = sla.current_clock(request)
    due = sla.due_of(request, clock) if clock else None
    if due is not None and due <= at:
        return "overdue"
    if request.escalation_level or (
        clock
        and getattr(request, f"{clock}_warned_for", None) is not None
        and getattr(request, f"{clock}_warned_for") == due
    ):
        return "warning"
    return "ok"


def request_get(user: User, pk: int) -> Request:
    request = (
        visible_requests(user)
        .select_related(
            "account",
            "contact",
            "department",
            "manager",
            "assignee",
            "created_by",
            "sla_policy",
            "sla_policy__calendar",
        )
        .prefetch_related(
            Prefetch("comments", queryset=RequestComment.objects.select_related("author")),
            Prefetch("attachments", queryset=Attachment.objects.select_related("uploaded_by")),
        )
        .filter(pk=pk)
        .first()
    )
    if request is None:
        raise Http404
    return request


def attachment_get(user: User, request_pk: int, pk: int) -> Attachment:
    attachment = (
        Attachment.objects.visible_to(user)
        .filter(request_id=request_pk, pk=pk)
        .select_related("request")
        .first()
    )
    if attachment is None:
        raise Http404
    return attachment


def open_requests_near_breach(
    user: User, within_hours: float = NEAR_BREACH_HOURS, *, viewer: User | None = None
) -> list[Request]:
    """Open, running requests the user answers for (as manager or executor) due within `within_hours` business
    hours or already overdue, the most urgent first. For the agenda; a lead sees his people's too. When someone
    else opens the user's day (`viewer`), only what the viewer may see as well."""
    from orbit.access.policy import led_people

    people = {user.pk, *led_people(user)}
    qs = visible_requests(user)
    if viewer is not None and viewer.pk != user.pk:
        qs = qs.visible_to(viewer)
    qs = (
        qs.filter(status__in=RUNNING_STATUSES)
        .filter(Q(manager_id__in=people) | Q(assignee_id__in=people))
        .filter(_near_q(within_hours))
        .select_related("account", "manager", "assignee", "department")
        .order_by("resolution_due", "id")
    )
    result = list(qs[:200])
    mark_sla_state(result)
    for request in result:
        if request.sla_state == "ok":  # type: ignore[attr-defined]  # set by mark_sla_state
            request.sla_state = "warning"  # type: ignore[attr-defined]  # within the window asked for: near breach, by definition here
    result.sort(key=lambda r: (r.running_due is None, r.running_due or sla.now(), r.pk))  # type: ignore[attr-defined]
    return result


def account_request_counts(user: User, account_pk: int) -> dict[str, int]:
    """Open and total requests of one account, for its card."""
    row = (
        visible_requests(user)
        .filter(account_id=account_pk)
        .aggregate(total=Count("id"), open=Count("id", filter=Q(status__in=OPEN_STATUSES)))
    )
    return {"total": row["total"] or 0, "open": row["open"] or 0}


@dataclass
class TimelineEntry:
    """One line of a request's own timeline: a comment, or a move of its status (who, when, from what)."""

    when: dt.datetime
    who: User | None
    kind: str  # "comment" or "status"
    anchor: str
    text: str = ""
    minutes_spent: int | None = None
    old_status: str = ""
    new_status: str = ""


def request_timeline(item: Request) -> list[TimelineEntry]:
    """Comments and status changes in the order they happened (status changes from the request's history,
    which records every save with its author). The caller has already checked that the user sees `item`."""
    entries = [
        TimelineEntry(
            c.created_at, c.author, "comment", f"comment-{c.pk}", text=c.text, minutes_spent=c.minutes_spent
        )
        for c in item.comments.all()
    ]
    previous = None
    labels = dict(RequestStatus.choices)
    for row in item.history.order_by("history_date", "history_id").select_related("history_user"):
        if previous is not None and row.status != previous:
            entries.append(
                TimelineEntry(
                    row.history_date,
                    row.history_user,
                    "status",
                    f"status-{row.version}",
                    old_status=str(labels.get(previous, previous)),
                    new_status=str(labels.get(row.status, row.status)),
                )
            )
        previous = row.status
    # A comment written with a status change is saved right after it: the move comes first.
    entries.sort(key=lambda e: (e.when, 0 if e.kind == "status" else 1))
    return entries


@card_facts.register
def account_request_facts(*, account) -> dict:
    """The card header's count of open requests (the account is one its reader sees)."""
    return {"open_requests": Request.objects.filter(account=account, status__in=OPEN_STATUSES).count()}


# Cards per column of the requests board (Orbit's default); the column says how many more there are.
BOARD_LIMIT = 50


@dataclass
class BoardColumn:
    status: str
    label: str
    cards: list
    total: int

    @property
    def more(self) -> int:
        return max(0, self.total - len(self.cards))


def board_columns(user: User, filters: RequestFilters, statuses) -> list[BoardColumn]:
    """The board's columns: per status the requests the user sees (most urgent first), with their SLA state."""
    base = request_list(user, filters).order_by("resolution_due", "-received_at", "-id")
    totals = dict(base.order_by().values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    columns = []
    for status in statuses:
        cards = list(base.filter(status=status)[:BOARD_LIMIT]) if totals.get(status) else []
        mark_sla_state(cards)
        columns.append(BoardColumn(status, str(RequestStatus(status).label), cards, totals.get(status, 0)))
    return columns
