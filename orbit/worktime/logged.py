"""Hours of work logged on client accounts, the one source of "hours" for margin per hour, workload norms and the
hunter/farmer time split (issue 14).

Two kinds of entry: a done touch's `duration_minutes` (its `owner` did the work, on the local day of
`happened_at`) and the time spent written with a request comment (`RequestComment.minutes_spent`, its `author`,
on the local day of `created_at`). Months are local months (the site's time zone), as everywhere in Orbit.

People-scoped figures, like plan vs fact (docs/growth-plans.md): the caller passes the people whose work it may
show (`plan_fact.visible_people(user)`: None = everyone); only sums per person, account and month leave here,
never an entry's text.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from orbit.activities.models import Touch, TouchStatus
from orbit.requests.models import RequestComment

TOUCH, REQUEST = "touch", "request"


@dataclass(frozen=True)
class Logged:
    person_id: int
    account_id: int
    month: dt.date  # the first day of a local month
    source: str  # TOUCH or REQUEST
    minutes: int


def _local_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_current_timezone()
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=zone),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone),
    )


def entries(since: dt.datetime, until: dt.datetime) -> tuple[QuerySet[Touch], QuerySet[RequestComment]]:
    """The entries of work between two moments, unscoped: done touches with their duration, request comments
    with time spent. What counts as logged work is decided here only; callers narrow and sum."""
    touches = Touch.objects.filter(
        status=TouchStatus.DONE, happened_at__gte=since, happened_at__lt=until, duration_minutes__isnull=False
    )
    comments = RequestComment.objects.filter(
        created_at__gte=since, created_at__lt=until, minutes_spent__isnull=False
    )
    return touches, comments


def logged_minutes(
    start: dt.date,
    end: dt.date,
    *,
    people: Iterable[int] | None = None,
    accounts: Iterable[int] | None = None,
) -> list[Logged]:
    """Minutes logged from `start` to `end` (local days, both included) by person, account, month and source:
    two grouped queries whatever the size. `people`/`accounts` narrow it (None = no narrowing)."""
    touches, comments = entries(*_local_bounds(start, end))
    if people is not None:
        people = list(people)
        touches = touches.filter(owner_id__in=people)
        comments = comments.filter(author_id__in=people)
    if accounts is not None:
        accounts = list(accounts)
        touches = touches.filter(account_id__in=accounts)
        comments = comments.filter(request__account_id__in=accounts)
    rows = [
        Logged(r["owner_id"], r["account_id"], _day(r["month"]), TOUCH, r["minutes"])
        for r in touches.values("owner_id", "account_id", month=TruncMonth("happened_at"))
        .annotate(minutes=Sum("duration_minutes"))
        .order_by()
    ]
    rows += [
        Logged(r["author_id"], r["request__account_id"], _day(r["month"]), REQUEST, r["minutes"])
        for r in comments.values("author_id", "request__account_id", month=TruncMonth("created_at"))
        .annotate(minutes=Sum("minutes_spent"))
        .order_by()
    ]
    return rows


def _day(value) -> dt.date:
    """TruncMonth of an aware datetime is the local month's first moment (SQLite may give a date already)."""
    return timezone.localdate(value) if isinstance(value, dt.datetime) else value
