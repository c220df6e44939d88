"""Stored KPI figures (docs/managers-kpi.md, "Cost"): every manager's raw figures of a period, kept in
`KpiSnapshot` and read by the pages and the API while fresh — younger than `ORBIT_KPI_SNAPSHOT_HOURS` (Orbit's
default 24). A stale or missing period is computed live on the first request and stored for the next ones; the
nightly task (`refresh`, run after the analytics run: `manage.py kpi_refresh`) recomputes the periods people look
at (this and last month, this and last quarter, this year), so the head's page does not wait for a million
accounts. The peers' comparison is made from the stored figures when they are read (it is cheap).
"""

import datetime as dt
import time
from dataclasses import fields
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from orbit.kpi import periods
from orbit.kpi.models import KpiSnapshot
from orbit.kpi.periods import Period
from orbit.kpi.portfolio import Kpi, Share

DEFAULT_HOURS = 24  # Orbit's default: yesterday night's figures are fresh enough for a contest page
_SKIP = {"band", "fallback", "peer_count", "peer_margin_per_hour", "peer_revenue", "active", "period_months"}


def max_age() -> dt.timedelta:
    return dt.timedelta(hours=float(getattr(settings, "ORBIT_KPI_SNAPSHOT_HOURS", DEFAULT_HOURS)))


def row_to_json(row: Kpi) -> dict:
    data: dict = {}
    for f in fields(Kpi):
        if f.name in _SKIP:
            continue
        value = getattr(row, f.name)
        if isinstance(value, Decimal):
            value = str(value)
        elif isinstance(value, Share):
            value = [value.part, value.base]
        elif f.name == "by_kind":
            value = {k: str(v) for k, v in value.items()}
        elif f.name == "months":
            value = {m.isoformat(): [str(a), str(b)] for m, (a, b) in value.items()}
        data[f.name] = value
    return data


_DECIMALS = {
    "plan_revenue",
    "plan_margin",
    "invoiced",
    "cost",
    "paid",
    "paid_margin",
    "nrr_before",
    "nrr_after",
}
_DECIMALS |= {"ltv", "budget", "wallet_paid"}
_SHARES = {"retention", "sla_resolution", "sla_first_response", "cadence"}


def row_from_json(data: dict) -> Kpi:
    values: dict = {}
    for name, value in data.items():
        if name in _DECIMALS:
            value = None if value is None else Decimal(value)
        elif name in _SHARES:
            value = Share(*value)
        elif name == "by_kind":
            value = {k: Decimal(v) for k, v in value.items()}
        elif name == "months":
            value = {dt.date.fromisoformat(m): [Decimal(a), Decimal(b)] for m, (a, b) in value.items()}
        values[name] = value
    return Kpi(**values)


def store(
    period: Period, today: dt.date, rows: dict[int, Kpi], team_plans: dict, facts: dict, seconds: float
):
    data = {
        "computed_at": timezone.now(),
        "as_of": today,
        "seconds": seconds,
        "rows": {str(pk): row_to_json(row) for pk, row in rows.items()},
        "team_plans": {str(pk): [str(a), str(b)] for pk, (a, b) in team_plans.items()},
        "facts": {
            "ltv_computed": facts["ltv_computed"],
            "retention_month": facts["retention_month"].isoformat(),
        },
    }
    try:
        with transaction.atomic():
            KpiSnapshot.objects.update_or_create(period=period.code, defaults=data)
    except IntegrityError:  # another request stored the same period a moment ago: his figures do as well
        pass


def load(period: Period, today: dt.date) -> tuple[dict[int, Kpi], dict, dict, dt.datetime] | None:
    """The stored figures of `period` when fresh (and computed for the same local day's view), else None."""
    found = KpiSnapshot.objects.filter(period=period.code).first()
    if found is None or found.computed_at < timezone.now() - max_age() or found.as_of > today:
        return None
    rows = {int(pk): row_from_json(data) for pk, data in found.rows.items()}
    team_plans = {int(pk): (Decimal(a), Decimal(b)) for pk, (a, b) in found.team_plans.items()}
    facts = {
        "ltv_computed": found.facts["ltv_computed"],
        "retention_month": dt.date.fromisoformat(found.facts["retention_month"]),
    }
    return rows, team_plans, facts, found.computed_at


def refresh(today: dt.date | None = None) -> list[str]:
    """Recompute and store the periods people look at; their codes."""
    from orbit.kpi.portfolio import everyone

    today = today or timezone.localdate()
    month, quarter = periods.of(periods.MONTH, today), periods.of(periods.QUARTER, today)
    done = []
    for period in (month, month.previous(), quarter, quarter.previous(), periods.of(periods.YEAR, today)):
        started = time.perf_counter()
        rows, team_plans, facts = everyone(period, today=today)
        store(period, today, rows, team_plans, facts, time.perf_counter() - started)
        done.append(period.code)
    return done
