"""Demand: the hours a person's portfolio needs in a month.

    demand = Σ over tiers (accounts he held at the month's end of that tier × the tier's norm hours)
             − the part of it a deputy carries while he is away
             + the part of others' portfolios he carries as their deputy

A cover moves load for its working hours: the covered accounts' norm hours × (working hours of the cover in
the month ÷ working hours of the month), from the manager away to the deputy (the whole portfolio, or the
accounts the cover lists). The portfolio counts come from the ownership ledger in one grouped query
(portfolio.py); the norms from norms.py.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count

from orbit.accounts.models import Account
from orbit.workload import norms
from orbit.workload.capacity import covers_in, working_hours
from orbit.workload.months import last_day
from orbit.workload.portfolio import month_end_counts
from orbit.worktime.services import default_calendar

CENT = Decimal("0.01")


def base_demand(counts: dict[int, dict[str, int]], hours: dict[str, Decimal]) -> dict[int, Decimal]:
    return {
        person: sum((n * hours.get(tier, Decimal(0)) for tier, n in per_tier.items()), Decimal(0))
        for person, per_tier in counts.items()
    }


def cover_shifts(
    month: dt.date, people: set[int], counts: dict[int, dict[str, int]], hours: dict[str, Decimal]
) -> dict[int, Decimal]:
    """Hours moved by the covers of the month touching `people`: − for the manager away, + for his deputy."""
    covers = list(covers_in(month, owners=people, deputies=people))
    if not covers:
        return {}
    calendar = default_calendar()
    month_hours = working_hours(calendar, month, last_day(month))
    if month_hours <= 0:
        return {}
    owners_missing = {c.owner_id for c in covers if c.whole_portfolio} - set(counts)
    if owners_missing:
        counts = {**counts, **month_end_counts([month], owners_missing)[month]}
    partial = [c.pk for c in covers if not c.whole_portfolio]
    partial_hours: dict[int, Decimal] = defaultdict(Decimal)
    if partial:
        rows = (
            Account.objects.filter(covers__in=partial)
            .values_list("covers", "tier")
            .annotate(n=Count("id"))
            .order_by()
        )
        for cover_id, tier, n in rows:
            partial_hours[cover_id] += n * hours.get(tier, Decimal(0))
    shifts: dict[int, Decimal] = defaultdict(Decimal)
    for cover in covers:
        start, end = max(cover.starts_on, month), min(cover.ends_on, last_day(month))
        share = working_hours(calendar, start, end) / month_hours
        load = (
            base_demand({cover.owner_id: counts.get(cover.owner_id, {})}, hours)[cover.owner_id]
            if cover.whole_portfolio
            else partial_hours[cover.pk]
        )
        shifts[cover.owner_id] -= load * share
        shifts[cover.deputy_id] += load * share
    return shifts


def demand_hours(
    person_ids: Iterable[int],
    month: dt.date,
    *,
    hours: dict[str, Decimal] | None = None,
    counts: dict[int, dict[str, int]] | None = None,
) -> dict[int, Decimal]:
    """Hours each person's portfolio needs in `month` (first day of a local month), covers included."""
    people = set(person_ids)
    hours = norms.hours_by_tier() if hours is None else hours
    if counts is None:
        counts = month_end_counts([month], people)[month]
    base = base_demand(counts, hours)
    shifts = cover_shifts(month, people, counts, hours)
    return {
        pk: max(base.get(pk, Decimal(0)) + shifts.get(pk, Decimal(0)), Decimal(0)).quantize(
            CENT, rounding=ROUND_HALF_UP
        )
        for pk in people
    }
