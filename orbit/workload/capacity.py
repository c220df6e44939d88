"""Capacity: the hours a person can give to his portfolio in a month.

    month's share   = working hours of the month ÷ (working hours of the year ÷ 12)
    available       = (working hours of the month − working hours he is away) ÷ working hours of the month
    capacity        = monthly_capacity_hours × month's share × available × (1 − hunting share)

Working hours come from the default working calendar (orbit/worktime/services.py: holidays count as days off,
a pre-holiday short day one hour shorter), so a month with holidays has less capacity than an average one
and a month of 23 working days more. He is away on the working days of his covers (orbit/handoffs Cover, he
the manager away, not cancelled); his deputy carries that load (demand.py). The hunting share applies to a
hybrid hunter-farmer (a sales manager who is also an account manager): his PersonSetting, else Orbit's default.

A month with no working hours left (away the whole month, a capacity of zero hours) has capacity 0: the page
says "no capacity this month", the load is not computed (never a division by zero).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q

from orbit.handoffs.models import Cover
from orbit.org.models import Role, User
from orbit.workload import defaults
from orbit.workload.models import PersonSetting
from orbit.workload.months import last_day
from orbit.worktime.services import business_hours_between, default_calendar

HUNDRED = Decimal(100)


def _hours(delta: dt.timedelta) -> Decimal:
    return Decimal(round(delta.total_seconds())) / Decimal(3600)


def working_hours(calendar, start: dt.date, end: dt.date) -> Decimal:
    """Working hours of the local days `start`..`end` (both included) on the calendar."""
    if end < start:
        return Decimal(0)
    begin = dt.datetime.combine(start, dt.time.min, tzinfo=calendar.tz)
    # The last moment of `end`, not the next midnight: that belongs to the next day (maybe a year not entered).
    finish = dt.datetime.combine(end, dt.time.max, tzinfo=calendar.tz)
    return _hours(business_hours_between(calendar, begin, finish))


def is_hybrid(user: User) -> bool:
    return user.has_role(Role.SALES_MANAGER) and user.has_role(Role.ACCOUNT_MANAGER, Role.KEY_ACCOUNT_MANAGER)


@dataclass
class Capacity:
    person_id: int
    nominal: int  # User.monthly_capacity_hours
    month_hours: Decimal  # working hours of the month
    average_month_hours: Decimal  # the year's working hours ÷ 12
    away_hours: Decimal  # working hours of the month he is covered
    hunting_percent: int  # 0 for a farmer
    hours: Decimal  # the capacity

    @property
    def is_zero(self) -> bool:
        return self.hours <= 0


def covers_in(month: dt.date, *, owners: Iterable[int] | None = None, deputies: Iterable[int] | None = None):
    """Covers that are not cancelled and touch `month` (people-scoped: by owner or by deputy)."""
    covers = Cover.objects.filter(
        cancelled_at__isnull=True, starts_on__lte=last_day(month), ends_on__gte=month
    ).order_by("starts_on", "pk")
    who = Q()
    if owners is not None:
        who |= Q(owner_id__in=list(owners))
    if deputies is not None:
        who |= Q(deputy_id__in=list(deputies))
    return covers.filter(who) if who else covers


def away_hours(calendar, month: dt.date, covers) -> dict[int, Decimal]:
    """Working hours of `month` each owner is away, overlapping covers counted once."""
    days: dict[int, set[dt.date]] = defaultdict(set)
    for cover in covers:
        day, end = max(cover.starts_on, month), min(cover.ends_on, last_day(month))
        while day <= end:
            days[cover.owner_id].add(day)
            day += dt.timedelta(days=1)
    return {
        person: sum((working_hours(calendar, d, d) for d in sorted(ds)), Decimal(0))
        for person, ds in days.items()
    }


def details(
    person_ids: Iterable[int], month: dt.date, *, people: list[User] | None = None
) -> dict[int, Capacity]:
    """Capacity of each person; `people` = the User rows already read with their roles (the callers that
    count many months pass them, so the people are read once, not once a month)."""
    if people is None:
        people = list(User.objects.filter(pk__in=list(person_ids)).prefetch_related("roles"))
    calendar = default_calendar()
    month_hours = working_hours(calendar, month, last_day(month))
    year = month.year
    average = working_hours(calendar, dt.date(year, 1, 1), dt.date(year, 12, 31)) / 12
    away = away_hours(calendar, month, covers_in(month, owners=[p.pk for p in people]))
    hunting = dict(PersonSetting.objects.filter(user__in=people).values_list("user_id", "hunting_percent"))
    result = {}
    for person in people:
        share = 0
        if is_hybrid(person):
            own = hunting.get(person.pk)
            share = defaults.HUNTING_PERCENT if own is None else own
        gone = min(away.get(person.pk, Decimal(0)), month_hours)
        if month_hours <= 0 or average <= 0:
            hours = Decimal(0)
        else:
            hours = (
                Decimal(person.monthly_capacity_hours)
                * (month_hours / average)
                * ((month_hours - gone) / month_hours)
                * (HUNDRED - share)
                / HUNDRED
            )
        result[person.pk] = Capacity(
            person.pk,
            person.monthly_capacity_hours,
            month_hours,
            average.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
            gone,
            share,
            hours.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
        )
    return result


def capacity_hours(person_ids: Iterable[int], month: dt.date) -> dict[int, Decimal]:
    """Capacity in hours of each person in `month` (first day of a local month); 0 = no capacity."""
    return {pk: c.hours for pk, c in details(person_ids, month).items()}
