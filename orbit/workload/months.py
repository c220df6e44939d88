"""Local months: first days, the moments they start at, and stepping between them."""

import datetime as dt

from django.utils import timezone


def first_day(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def previous_month(month: dt.date) -> dt.date:
    return (month.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def last_day(month: dt.date) -> dt.date:
    return next_month(month) - dt.timedelta(days=1)


def start_moment(day: dt.date) -> dt.datetime:
    """Local midnight at the start of `day`, in the site's time zone."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def months_back(month: dt.date, count: int) -> list[dt.date]:
    """`count` months ending with `month`, oldest first."""
    months = [first_day(month)]
    while len(months) < count:
        months.insert(0, previous_month(months[0]))
    return months


def parse(value: str | None, default: dt.date) -> dt.date:
    """ "2026-03" → 1 March 2026; anything else → `default`."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        return dt.date(year, month, 1) if 2000 <= year <= 2100 else default
    except ValueError:
        return default
