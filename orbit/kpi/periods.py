"""The period of a KPI page: a local month ("2026-11"), a quarter ("2026-Q4") or a year ("2026")."""

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from orbit.common.charts import month_label
from orbit.growth.plans import next_month

MONTH, QUARTER, YEAR = "month", "quarter", "year"
_PATTERNS = (
    (re.compile(r"^(\d{4})-(\d{2})$"), MONTH),
    (re.compile(r"^(\d{4})-[Qq]([1-4])$"), QUARTER),
    (re.compile(r"^(\d{4})$"), YEAR),
)


@dataclass(frozen=True)
class Period:
    kind: str
    start: dt.date  # the first day
    end: dt.date  # the day after the last (exclusive)

    @property
    def months(self) -> list[dt.date]:
        found, month = [], self.start
        while month < self.end:
            found.append(month)
            month = next_month(month)
        return found

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    @property
    def code(self) -> str:
        if self.kind == MONTH:
            return self.start.strftime("%Y-%m")
        if self.kind == QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return str(self.start.year)

    @property
    def label(self) -> str:
        if self.kind == MONTH:
            return month_label(self.start)
        if self.kind == QUARTER:
            return _("Q%(quarter)s %(year)s") % {
                "quarter": (self.start.month - 1) // 3 + 1,
                "year": self.start.year,
            }
        return str(self.start.year)

    def contains(self, day: dt.date) -> bool:
        return self.start <= day < self.end

    def since_until(self) -> tuple[dt.datetime, dt.datetime]:
        """The period's first and after-last local moments."""
        zone = timezone.get_current_timezone()
        return (
            dt.datetime.combine(self.start, dt.time.min, tzinfo=zone),
            dt.datetime.combine(self.end, dt.time.min, tzinfo=zone),
        )

    def previous(self) -> "Period":
        return of(self.kind, self.start - dt.timedelta(days=1))

    def next(self) -> "Period":
        return of(self.kind, self.end)


def of(kind: str, day: dt.date) -> Period:
    """The period of `kind` that contains `day`."""
    if kind == YEAR:
        return Period(YEAR, dt.date(day.year, 1, 1), dt.date(day.year + 1, 1, 1))
    if kind == QUARTER:
        first = dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        return Period(QUARTER, first, next_month(next_month(next_month(first))))
    first = day.replace(day=1)
    return Period(MONTH, first, next_month(first))


def parse(code: str | None, today: dt.date | None = None) -> Period | None:
    """The period named by `code`; the current month when empty; None when it names none."""
    today = today or timezone.localdate()
    if not code:
        return of(MONTH, today)
    for pattern, kind in _PATTERNS:
        match = pattern.match(code.strip())
        if match:
            year = int(match.group(1))
            if not 2000 <= year <= 2100:
                return None
            if kind == MONTH:
                month = int(match.group(2))
                return of(MONTH, dt.date(year, month, 1)) if 1 <= month <= 12 else None
            if kind == QUARTER:
                return of(QUARTER, dt.date(year, (int(match.group(2)) - 1) * 3 + 1, 1))
            return of(YEAR, dt.date(year, 1, 1))
    return None
