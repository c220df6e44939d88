"""Portfolios at a month's end, from the ownership ledger (who was responsible when).

An account counts in a person's portfolio of a month when he held it at the month's last moment (its period
started before the next month's first local midnight and had not ended by it) and it was not archived by then.
All the months asked for come from one grouped query over OwnershipPeriod: counts per (month, person, tier),
never a loop over accounts. The tier is the account's tier today: Orbit keeps no history of tiers.
"""

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable

from django.core.cache import cache
from django.db.models import Count, Q
from django.utils import timezone

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
    """{month: {person: {tier: accounts held at the month's end}}}.

    A month that has not ended yet: the open periods (one grouped query). Ended months: one grouped query for
    all of them, kept for the day under the ledger's latest period id (any transfer adds a period, so a new
    key; see docs/managers-workload.md for the one case a day's cache can lag: restoring an archived account)."""
    people = None if people is None else sorted(set(people))
    now = timezone.now()
    ended = [m for m in months if start_moment(next_month(m)) <= now]
    running = [m for m in months if m not in ended]
    result: dict[dt.date, dict[int, dict[str, int]]] = {}
    if ended:
        result.update(_ended_cached(ended, people))
    if running:
        current = _open_counts(people)
        for month in running:
            result[month] = {person: dict(tiers) for person, tiers in current.items()}
    return result


def _rows_to_counts(rows, key: str) -> dict[int, dict[str, int]]:
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for row in rows:
        if row[key]:
            counts[row["manager_id"]][row["account__tier"]] = row[key]
    return counts


def _open_counts(people: list[int] | None) -> dict[int, dict[str, int]]:
    """Who holds what now: the open periods of accounts not archived, per person and tier."""
    periods = OwnershipPeriod.objects.filter(ended_at__isnull=True, account__archived_at__isnull=True)
    if people is not None:
        periods = periods.filter(manager_id__in=people)
    rows = periods.values("manager_id", "account__tier").annotate(n=Count("id")).order_by()
    return _rows_to_counts(rows, "n")


def _ended_cached(
    months: list[dt.date], people: list[int] | None
) -> dict[dt.date, dict[int, dict[str, int]]]:
    latest = OwnershipPeriod.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    who = "all" if people is None else hashlib.sha1(",".join(map(str, people)).encode()).hexdigest()
    key = f"workload:month-ends:{','.join(m.isoformat() for m in months)}:{who}:{latest}"
    found = cache.get(key)
    if found is None:
        found = _ended(months, people)
        cache.set(key, found, timeout=24 * 3600)
    return found


def _ended(months: list[dt.date], people: list[int] | None) -> dict[dt.date, dict[int, dict[str, int]]]:
    moments = {month: start_moment(next_month(month)) for month in months}
    first, last = min(moments.values()), max(moments.values())
    periods = OwnershipPeriod.objects.filter(started_at__lt=last).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gte=first)
    )
    if people is not None:
        periods = periods.filter(manager_id__in=people)
    aggregates = {f"m{i}": Count("id", filter=_held_at(moment)) for i, moment in enumerate(moments.values())}
    rows = list(periods.values("manager_id", "account__tier").annotate(**aggregates).order_by())
    return {month: dict(_rows_to_counts(rows, f"m{i}")) for i, month in enumerate(moments)}


def held_accounts(person_id: int, month: dt.date):
    """The accounts `person_id` held at the end of `month` (a queryset of Account: scope it before reading)."""
    moment = start_moment(next_month(month))
    held = OwnershipPeriod.objects.filter(_held_at(moment), manager_id=person_id).values("account_id")
    return Account.objects.filter(pk__in=held)
