"""A chart as data: what `templates/_chart.html` renders as an ECharts canvas (orbit/static/orbit/charts.js) and,
from the same figures, as a table for readers without JavaScript or with a screen reader.

Every chart of Orbit is one of these (bars, stacked bars, lines, or bars with a line over them), so the
revenue card, the analytics and the KPI pages draw alike. Values are Decimals: the page's JSON carries them as
strings (DjangoJSONEncoder), and the browser turns them into numbers only to draw them.
"""

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.dateformat import format as date_format
from django.utils.text import capfirst

UNITS = ("money", "number", "percent")
KINDS = ("bar", "line")
_ids = itertools.count(1)


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[Decimal | None]
    kind: str = "bar"
    stack: str = ""  # bars with the same stack name are drawn on top of each other

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown series kind {self.kind!r}")


@dataclass(frozen=True)
class Chart:
    title: str
    categories: list[str]
    series: list[Series]
    unit: str = "money"
    currency: str = ""
    # The DOM id of the chart's JSON: unique in the page, also when several panels with charts are swapped in.
    key: str = field(default_factory=lambda: f"chart-{next(_ids)}")

    def __post_init__(self):
        if self.unit not in UNITS:
            raise ValueError(f"unknown unit {self.unit!r}")
        for series in self.series:
            if len(series.values) != len(self.categories):
                raise ValueError(
                    f"series {series.name!r} has {len(series.values)} values for {len(self.categories)} categories"
                )

    @property
    def data_id(self) -> str:
        return f"{self.key}-data"

    @property
    def spec(self) -> dict:
        """What charts.js draws (see the spec at the top of that file)."""
        return {
            "unit": self.unit,
            "currency": self.currency,
            "categories": self.categories,
            "series": [
                {"name": s.name, "kind": s.kind, "stack": s.stack, "values": s.values} for s in self.series
            ],
        }

    @property
    def rows(self) -> list[tuple[str, list[Decimal | None]]]:
        """The table fallback: one row per category, one column per series."""
        return [(label, [s.values[i] for s in self.series]) for i, label in enumerate(self.categories)]

    @property
    def is_empty(self) -> bool:
        return not any(v for s in self.series for v in s.values)


def month_label(month: dt.date) -> str:
    """ "Янв 2026" / "Jan 2026": short enough for 24 bars, in the active language."""
    return capfirst(date_format(month, "b Y"))


def months_back(last: dt.date, count: int) -> list[dt.date]:
    """The first days of `count` months ending with `last`'s month, oldest first."""
    year, month = last.year, last.month
    months = []
    for _ in range(count):
        months.append(dt.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]
