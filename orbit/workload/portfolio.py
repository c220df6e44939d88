"""Portfolios at a month's end, from the ownership ledger (who was responsible when).

An account counts in a person's portfolio of a month when he held it at the month's last moment (its period
started before the next month's first local midnight and had not ended by it) and it was not archived by then.
All the months asked for come from one grouped query over OwnershipPeriod: counts per (month, person, tier),
never a loop over accounts. The tier is the account's tier today: Orbit keeps no history of tiers.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, Q

from orbit.accounts.models import Account, OwnershipPeriod
from orbit.workload.months import next_month, start_moment


def _held_at(moment: dt.datetime, prefix: str = "") -> Q:
    return (
        Q(**{f"{prefix}started_at__lt": moment})
        & (Q(**{f"{prefix}ended_at__isnull": True}) | Q(**{f"{prefix}ended_at__gte": moment}))
        & (Q(account__archived_at__isnull=True) | Q(account__archived_at__gte=moment))
    )


def month_end_counts(
    months: list[dt.date], people: Iterable[int] | None = None
) -> dict[dt.date, dict[int, dict[str, int]]]:
    """{month: {person: {tier: accounts held at the month's end}}} — one grouped query for all the months."""
    moments = {month: start_moment(next_month(month)) for month in months}
    if not moments:
        return {}
    first, last = min(moments.values()), max(moments.values())
    periods = OwnershipPeriod.objects.filter(started_at__lt=last).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gte=first)
    )
    if people is not None:
        periods = periods.filter(manager_id__in=list(people))
    aggregates = {f"m{i}": Count("id", filter=_held_at(moment)) for i, moment in enumerate(moments.values())}
    rows = periods.values("manager_id", "account__tier").annotate(**aggregates).order_by()
    result: dict[dt.date, dict[int, dict[str, int]]] = {m: defaultdict(dict) for m in months}
    for row in rows:
        for i, month in enumerate(moments):
            n = row[f"m{i}"]
            if n:
                result[month][row["manager_id"]][row["account__tier"]] = n
    return result


def held_accounts(person_id: int, month: dt.date):
    """The accounts `person_id` held at the end of `month` (a queryset of Account: scope it before reading)."""
    moment = start_moment(next_month(month))
    held = OwnershipPeriod.objects.filter(_held_at(moment), manager_id=person_id).values("account_id")
    return Account.objects.filter(pk__in=held)
