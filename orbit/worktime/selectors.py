"""Reads for the calendar pages: the calendars, and a year laid out as a month grid."""

import calendar as cal_module
import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from orbit.access.policy import can_set_policy
from orbit.org.models import User
from orbit.worktime.models import CalendarDay, DayKind, WorkCalendar


def _require(user: User) -> None:
    if not can_set_policy(user):
        raise PermissionDenied


def calendar_list(user: User) -> QuerySet[WorkCalendar]:
    _require(user)
    return WorkCalendar.objects.annotate(
        year_count=Count("years", distinct=True), day_count=Count("days", distinct=True)
    )


def calendar_get(user: User, pk: int) -> WorkCalendar:
    _require(user)
    return get_object_or_404(WorkCalendar, pk=pk)


@dataclass
class Cell:
    date: dt.date | None
    working: bool = False
    kind: str = ""  # "" when the weekly rule applies
    note: str = ""
    hours: float = 0.0


@dataclass
class Month:
    first: dt.date
    weeks: list[list[Cell]]
    working_days: int
    hours: float


def year_grid(calendar: WorkCalendar, year: int) -> list[Month]:
    """Twelve months of weeks (Monday first); each day says whether it is worked, how long, and why."""
    exceptions = {
        d.date: d
        for d in CalendarDay.objects.filter(calendar=calendar, date__year=year).only("date", "kind", "note")
    }
    weekdays = calendar.weekday_set
    base = dt.datetime.combine(dt.date(2000, 1, 1), calendar.day_ends) - dt.datetime.combine(
        dt.date(2000, 1, 1), calendar.day_starts
    )
    full = base.total_seconds() / 3600
    months = []
    layout = cal_module.Calendar(firstweekday=0)
    for number in range(1, 13):
        rows = []
        worked, total = 0, 0.0
        for week in layout.monthdatescalendar(year, number):
            row = []
            for day in week:
                if day.month != number:
                    row.append(Cell(None))
                    continue
                entry = exceptions.get(day)
                kind = entry.kind if entry else ""
                working = kind in (DayKind.WORKING, DayKind.SHORT) or (
                    not kind and day.isoweekday() in weekdays
                )
                hours = 0.0
                if working:
                    hours = max(full - (1 if kind == DayKind.SHORT else 0), 0)
                    worked += 1
                    total += hours
                row.append(Cell(day, working, kind, entry.note if entry else "", hours))
            rows.append(row)
        months.append(Month(dt.date(year, number, 1), rows, worked, total))
    return months
