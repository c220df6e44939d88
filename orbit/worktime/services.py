"""Business-hours arithmetic on a working calendar, and the changes the head of department makes to calendars.

The arithmetic works on a *timeline*: for every day of the entered years, the working window as two instants
(microseconds since the epoch, UTC) and the working time elapsed before that day (a prefix sum). Working time
up to any instant is then a lookup, the moment when N working hours have elapsed a binary search: no loops
over hours or days at computation time. A calendar's timeline is built once from one query of its years and
days and cached under the calendar's `revision`, which any change replaces.
"""

from __future__ import annotations

import bisect
import datetime as dt
import threading
from collections import OrderedDict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orbit.access.policy import can_set_policy
from orbit.common.errors import ConflictError
from orbit.org.models import User
from orbit.worktime import russia
from orbit.worktime.models import (
    MAX_YEAR,
    MIN_YEAR,
    CalendarDay,
    CalendarYear,
    DayKind,
    WorkCalendar,
    renew_revision,
)

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_US = dt.timedelta(microseconds=1)
_US_PER_HOUR = 3_600_000_000
_SHORTENED_BY = _US_PER_HOUR  # a pre-holiday day is one hour shorter (art. 95 TK RF)


class CalendarYearMissing(ValidationError):
    """The computation needs a year whose production calendar has not been entered."""

    def __init__(self, calendar: WorkCalendar, year: int):
        super().__init__(
            gettext_lazy(
                "The working calendar “%(calendar)s” has no production calendar for %(year)s: "
                "enter that year and its holidays before counting business hours in it."
            ),
            code="calendar_year_missing",
            params={"calendar": calendar.name, "year": year},
        )
        self.calendar = calendar
        self.year = year


# --- the timeline ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Timeline:
    tz: ZoneInfo
    first: dt.date  # the day with index 0: 1 January of the first entered year
    years: frozenset[int]
    starts: list[int]  # per day: start of the working window (µs since the epoch)
    lengths: list[int]  # per day: working µs (0 for a day off and for a day of a year not entered)
    cum: list[int]  # len(days) + 1: working µs elapsed before day i

    def day_index(self, day: dt.date) -> int:
        return (day - self.first).days


def _instant(moment: dt.datetime) -> int:
    return (moment - _EPOCH) // _US


def _moment(instant: int, tz: ZoneInfo) -> dt.datetime:
    return (_EPOCH + dt.timedelta(microseconds=instant)).astimezone(tz)


def _build(calendar: WorkCalendar) -> _Timeline:
    tz = calendar.tz
    years = frozenset(CalendarYear.objects.filter(calendar=calendar).values_list("year", flat=True))
    if not years:
        return _Timeline(tz, dt.date(MIN_YEAR, 1, 1), years, [], [], [0])
    first, last = dt.date(min(years), 1, 1), dt.date(max(years), 12, 31)
    exceptions = dict(
        CalendarDay.objects.filter(calendar=calendar, date__range=(first, last)).values_list("date", "kind")
    )
    weekdays = calendar.weekday_set
    starts, lengths, cum = [], [], [0]
    total = 0
    for n in range((last - first).days + 1):
        day = first + dt.timedelta(days=n)
        start = _instant(dt.datetime.combine(day, calendar.day_starts, tzinfo=tz))
        kind = exceptions.get(day)
        working = day.year in years and (
            kind in (DayKind.WORKING, DayKind.SHORT) or (kind is None and day.isoweekday() in weekdays)
        )
        length = 0
        if working:
            end = _instant(dt.datetime.combine(day, calendar.day_ends, tzinfo=tz))
            if kind == DayKind.SHORT:
                end -= _SHORTENED_BY
            length = max(0, end - start)
        starts.append(start)
        lengths.append(length)
        total += length
        cum.append(total)
    return _Timeline(tz, first, years, starts, lengths, cum)


_cache: OrderedDict[tuple[object, ...], _Timeline] = OrderedDict()
_cache_lock = threading.Lock()
_CACHE_SIZE = 32


def _timeline(calendar: WorkCalendar) -> _Timeline:
    key = (calendar.pk, calendar.revision, calendar.time_zone, calendar.day_starts, calendar.day_ends)
    with _cache_lock:
        timeline = _cache.get(key)
        if timeline is not None:
            _cache.move_to_end(key)
            return timeline
    timeline = _build(calendar)
    with _cache_lock:
        _cache[key] = timeline
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return timeline


def _check_years(calendar: WorkCalendar, timeline: _Timeline, first_year: int, last_year: int) -> None:
    for year in range(first_year, last_year + 1):
        if year not in timeline.years:
            raise CalendarYearMissing(calendar, year)


def _worked_before(calendar: WorkCalendar, timeline: _Timeline, instant: int) -> tuple[int, int]:
    """Working µs elapsed on the timeline up to `instant`, and the local year of the instant."""
    day = _moment(instant, timeline.tz).date()
    _check_years(calendar, timeline, day.year, day.year)
    i = timeline.day_index(day)
    into = min(max(instant - timeline.starts[i], 0), timeline.lengths[i])
    return timeline.cum[i] + into, day.year


def _aware(moment: dt.datetime, name: str) -> int:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")
    return _instant(moment)


def _microseconds(hours: float | Decimal | int) -> int:
    value = Decimal(str(hours)) if isinstance(hours, float) else Decimal(hours)
    if not value.is_finite() or value < 0:
        raise ValueError("hours must be a finite number, zero or more")
    return int((value * _US_PER_HOUR).to_integral_value(rounding=ROUND_HALF_UP))


# --- the public arithmetic ------------------------------------------------------------------------------


def add_business_hours(
    calendar: WorkCalendar, start: dt.datetime, hours: float | Decimal | int
) -> dt.datetime:
    """The moment when `hours` working hours have elapsed after `start`, in the calendar's time zone.

    A start outside working time counts from the next working moment; zero hours from a non-working moment
    give that next working moment. When the hours run out exactly at the end of a working day the answer is
    that end (18:00), not the next morning.
    """
    timeline = _timeline(calendar)
    worked, start_year = _worked_before(calendar, timeline, _aware(start, "start"))
    amount = _microseconds(hours)
    target = worked + amount
    cum = timeline.cum
    # The day on which the target is reached: the first with cum[i] < target <= cum[i+1]; for zero hours
    # the first whose working window has not ended yet: cum[i] <= target < cum[i+1].
    i = (bisect.bisect_left(cum, target) if amount else bisect.bisect_right(cum, target)) - 1
    if i >= len(timeline.lengths):  # beyond the last entered year: the next one is missing
        _check_years(calendar, timeline, start_year, max(timeline.years) + 1)
    day = timeline.first + dt.timedelta(days=i)
    _check_years(calendar, timeline, start_year, day.year)
    return _moment(timeline.starts[i] + (target - cum[i]), timeline.tz)


def business_hours_between(calendar: WorkCalendar, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """Working time between two moments; zero when `end` is not after `start`."""
    begin, finish = _aware(start, "start"), _aware(end, "end")
    if finish <= begin:
        return dt.timedelta(0)
    timeline = _timeline(calendar)
    worked_start, first_year = _worked_before(calendar, timeline, begin)
    worked_end, last_year = _worked_before(calendar, timeline, finish)
    _check_years(calendar, timeline, first_year, last_year)
    return dt.timedelta(microseconds=worked_end - worked_start)


def is_working_moment(calendar: WorkCalendar, moment: dt.datetime) -> bool:
    return add_business_hours(calendar, moment, 0) == moment


def default_calendar() -> WorkCalendar:
    """The calendar SLAs count on unless told otherwise. A database that has lost it (a test that flushed
    the tables) gets the standard Russian one back."""
    calendar = WorkCalendar.objects.filter(is_default=True).first()
    if calendar is None:
        try:
            with transaction.atomic():
                russia.install(WorkCalendar, CalendarYear, CalendarDay)
                if not WorkCalendar.objects.filter(is_default=True).exists():
                    WorkCalendar.objects.filter(name=russia.DEFAULT_NAME).update(is_default=True)
        except IntegrityError:  # installed by someone else at the same moment
            pass
        calendar = WorkCalendar.objects.get(is_default=True)
    return calendar


# --- changes by the head of department ------------------------------------------------------------------

CALENDAR_FIELDS = ("name", "time_zone", "day_starts", "day_ends", "working_weekdays", "is_default")


def _require(user: User) -> None:
    if not can_set_policy(user):
        raise PermissionDenied(_("Only the head of department and administrators edit working calendars."))


def _validate(calendar: WorkCalendar) -> None:
    calendar.full_clean(exclude=["version", "revision"], validate_unique=False, validate_constraints=False)
    clash = WorkCalendar.objects.filter(name=calendar.name).exclude(pk=calendar.pk).exists()
    if clash:
        raise ValidationError({"name": _("A calendar with this name already exists.")})


@transaction.atomic
def calendar_create(*, by: User, **fields) -> WorkCalendar:
    _require(by)
    unknown = set(fields) - set(CALENDAR_FIELDS)
    if unknown:
        raise TypeError(f"unknown calendar fields: {sorted(unknown)}")
    calendar = WorkCalendar(**fields)
    _validate(calendar)
    if calendar.is_default:
        WorkCalendar.objects.select_for_update().filter(is_default=True).update(is_default=False)
    calendar._history_user = by  # type: ignore[attr-defined]
    calendar.save()
    return calendar


@transaction.atomic
def calendar_update(*, by: User, calendar: WorkCalendar, version: int | None, **fields) -> WorkCalendar:
    _require(by)
    unknown = set(fields) - set(CALENDAR_FIELDS)
    if unknown:
        raise TypeError(f"unknown calendar fields: {sorted(unknown)}")
    locked = WorkCalendar.objects.select_for_update().get(pk=calendar.pk)
    if version is not None and version != locked.version:
        raise ConflictError(
            _("Someone else changed this calendar while you were editing it. Review the current values."),
            current=locked,
        )
    was_default = locked.is_default
    for name, value in fields.items():
        setattr(locked, name, value)
    _validate(locked)
    if was_default and not locked.is_default:
        raise ValidationError(
            {
                "is_default": _(
                    "One calendar is always the default: make another calendar the default instead."
                )
            }
        )
    if locked.is_default and not was_default:
        WorkCalendar.objects.filter(is_default=True).exclude(pk=locked.pk).update(is_default=False)
    locked.version += 1
    locked._history_user = by  # type: ignore[attr-defined]
    locked.save()
    return locked


@transaction.atomic
def year_add(
    *, by: User, calendar: WorkCalendar, year: int, source: str = "", statutory: bool = True
) -> CalendarYear:
    """Enter a new year: the weekly rule applies to it; with `statutory`, the fixed public holidays of
    art. 112 TK RF that fall on working weekdays are marked too. Transfers are for the admin to add."""
    _require(by)
    if not (MIN_YEAR <= year <= MAX_YEAR):
        raise ValidationError(
            {"year": _("Enter a year from %(min)s to %(max)s.") % {"min": MIN_YEAR, "max": MAX_YEAR}}
        )
    WorkCalendar.objects.select_for_update().filter(pk=calendar.pk).first()
    if CalendarYear.objects.filter(calendar=calendar, year=year).exists():
        raise ValidationError({"year": _("%(year)s is already entered in this calendar.") % {"year": year}})
    entry = CalendarYear(calendar=calendar, year=year, source=source)
    entry._history_user = by  # type: ignore[attr-defined]
    entry.save()
    if statutory:
        weekdays = calendar.weekday_set
        days = [
            CalendarDay(calendar=calendar, date=dt.date(year, month, day), kind=DayKind.HOLIDAY, note=note)
            for month, day, note in russia.STATUTORY_HOLIDAYS
            if dt.date(year, month, day).isoweekday() in weekdays
        ]
        CalendarDay.objects.bulk_create(days)  # sends no signals: renew the revision here
        renew_revision(calendar.pk, calendar)
    return entry


def _check_day(calendar: WorkCalendar, day: dt.date, kind: str) -> None:
    if kind not in DayKind.values:
        raise ValidationError({"kind": _("Choose what kind of day this is.")})
    if not CalendarYear.objects.filter(calendar=calendar, year=day.year).exists():
        raise ValidationError(
            {
                "date": _("%(year)s is not entered in this calendar: enter the year first.")
                % {"year": day.year}
            }
        )
    if kind == DayKind.WORKING and day.isoweekday() in calendar.weekday_set:
        raise ValidationError(
            {
                "kind": _(
                    "%(date)s is a working day by the weekly rule already: only a day off can become "
                    "a transferred working day."
                )
                % {"date": day.strftime("%d.%m.%Y")}
            }
        )


@transaction.atomic
def day_set(*, by: User, calendar: WorkCalendar, date: dt.date, kind: str, note: str = "") -> CalendarDay:
    """Mark one date as a holiday, a transferred working day or a short day (or change what it is)."""
    _require(by)
    WorkCalendar.objects.select_for_update().filter(pk=calendar.pk).first()
    _check_day(calendar, date, kind)
    entry = CalendarDay.objects.filter(calendar=calendar, date=date).first() or CalendarDay(
        calendar=calendar, date=date
    )
    entry.calendar = calendar  # the caller's instance gets the new revision
    entry.kind, entry.note = kind, note.strip()
    entry._history_user = by  # type: ignore[attr-defined]
    entry.save()
    return entry


@transaction.atomic
def day_remove(*, by: User, calendar: WorkCalendar, date: dt.date) -> bool:
    """The date follows the weekly rule again. False when it had no entry."""
    _require(by)
    entry = CalendarDay.objects.filter(calendar=calendar, date=date).first()
    if entry is None:
        return False
    entry.calendar = calendar
    entry._history_user = by  # type: ignore[attr-defined]
    entry.delete()
    return True
