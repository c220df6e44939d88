"""The share of revenue from key accounts and from the top 20 % of accounts, per month over the last 24 months.
The rules (docs/analytics-retention.md):

- At each month end m (whole local months, the last one the last complete month before `as_of`) every account
  has its **trailing-twelve-month revenue**: its net over m − 11 … m, credit notes negative. The accounts with a
  positive figure make the month's base and its total; the others are left out (as in the Pareto curve). Twelve
  months, not the month alone: B2B invoices are lumpy, and one big delivery would make its buyer "top 20 %" for
  a month; it is also the dashboard's default window (with 12 months and the revenue basis the latest point
  equals the dashboard's shares).
- **Top 20 %** = the first ceil(20 % × n) of the n accounts by that figure, largest first; equal figures at the
  edge are broken by account id, lowest first (deterministic; the share is the same whichever of the equals is
  taken, since their figures are equal).
- **Key accounts** = the accounts whose tier is "key" *today*: Orbit keeps no tier history per month, so the
  line shows how much of each month's revenue came from the accounts that are key accounts now (a client made
  key last spring counts as key in every month of the chart). The seeds' "key accounts grew from 23 % to 60 % of
  sales" is a change of the key-account programme over time, which this line shows only as far as today's key
  accounts' revenue grew.

One SQL statement around the ORM's grouped rows (window functions: ROW_NUMBER and COUNT over each month), on
PostgreSQL and SQLite; money summed in kopecks.
"""

import datetime as dt

from django.db.models import QuerySet

from orbit.access.policy import sees_everything
from orbit.analytics import retention
from orbit.analytics.retention import (
    dense_months,
    fetch_rows,
    kopecks,
    last_complete_month,
    money,
    month_of,
    monthly_sql,
    ratio,
    trailing_sums,
    whole,
)
from orbit.org.models import User

MONTHS = 24
TRAILING = 12
TOP_PERCENT = 20  # Pareto's "20 % of the clients" (the seeds)


def share_months(rows: QuerySet, last: int, months: int = MONTHS) -> list[dict]:
    """Per month of the `months` ending with `last`: the accounts with a positive trailing-twelve-month net, the
    size of the top 20 %, and the totals of all of them, of the top 20 % and of the key accounts (kopecks summed,
    stored as decimal strings)."""
    first = last - months + 1
    sql, params = monthly_sql(rows, since=first - TRAILING + 1, until=last, key=True)
    # rank ≤ ceil(p·n/100) ⇔ 100·(rank − 1) < p·n, in whole numbers on both databases.
    query = f"""
        WITH m AS ({sql}),
        {dense_months(first - TRAILING + 1, last, key=True)},
        p AS (
            SELECT idx AS t, key, t12 AS total,
                ROW_NUMBER() OVER (PARTITION BY idx ORDER BY t12 DESC, account_id) AS rank,
                COUNT(*) OVER (PARTITION BY idx) AS n
            FROM ({trailing_sums(key=True)}) w
            WHERE idx >= {int(first)} AND t12 > 0
        )
        SELECT t, MAX(n), SUM(total),
            SUM(CASE WHEN 100 * (rank - 1) < {TOP_PERCENT} * n THEN total ELSE 0 END),
            SUM(CASE WHEN 100 * (rank - 1) < {TOP_PERCENT} * n THEN 1 ELSE 0 END),
            SUM(CASE WHEN key = 1 THEN total ELSE 0 END),
            SUM(CASE WHEN key = 1 THEN 1 ELSE 0 END)
        FROM p GROUP BY t
    """
    found = {whole(row[0]): [whole(v) for v in row[1:]] for row in fetch_rows(query, params)}
    result = []
    for idx in range(first, last + 1):
        accounts, total, top, top_accounts, key, key_accounts = found.get(idx, (0, 0, 0, 0, 0, 0))
        result.append(
            {
                "month": month_of(idx).isoformat(),
                "accounts": accounts,
                "total": money(total),
                "top_accounts": top_accounts,
                "top": money(top),
                "key_accounts": key_accounts,
                "key": money(key),
            }
        )
    return result


def compute(rows: QuerySet, as_of: dt.date, months: int = MONTHS) -> dict:
    last = last_complete_month(as_of)
    return {
        "as_of": as_of.isoformat(),
        "last_month": month_of(last).isoformat(),
        "months": share_months(rows, last, months),
    }


def department_history(as_of: dt.date) -> dict:
    """Every account's shares by month, for `run.summary["share_history"]` (the engine calls this in the run)."""
    return compute(retention.department_rows(), as_of)


def for_reader(
    user: User, *, team: int | None = None, manager: int | None = None, today: dt.date
) -> tuple[dict, str]:
    """Like `retention.for_reader`: the latest run's stored history for whoever sees everything, not narrowed;
    computed now over the visible accounts for the rest."""
    if sees_everything(user) and not team and not manager:
        stored = retention.latest_summary("share_history")
        if stored:
            return stored, "run"
    return compute(retention.reader_rows(user, team, manager), today), "live"


def present(data: dict) -> dict:
    """The shares in per cent (2 places; None for a month without revenue) and the latest month's figures."""
    months = []
    for m in data["months"]:
        total = kopecks(m["total"])
        months.append(
            m
            | {
                "key_share": ratio(kopecks(m["key"]), total),
                "top_share": ratio(kopecks(m["top"]), total),
            }
        )
    latest = months[-1] if months else None
    return {
        "as_of": data["as_of"],
        "last_month": data["last_month"],
        "months": months,
        "latest": latest,
        "empty": not any(m["accounts"] for m in months),
    }
