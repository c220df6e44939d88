"""Retention: logo retention and net revenue retention (NRR) by cohort and by calendar month, from the monthly
revenue rows (`revenue.AccountRevenueMonth`: per account, local month and product line, net of credit notes).
The rules (docs/analytics-retention.md has them with formulas and worked examples):

- Months are whole local months; the last one is the last complete month before `as_of` (the current month is
  still being invoiced: counting it would show every cohort falling).
- An account's net revenue of a month is the sum over its product lines, credit notes negative. It **bought**
  in a month when that sum is above zero.
- **Cohort** of an account: the first month in which it bought. A month with only a credit note makes no one a
  member; the account joins the cohort of its first positive month.
- Cohort c, offset k (month c + k): **logo retention** = members who bought in c + k / members;
  **NRR** = the members' net revenue in c + k / their net revenue in c. Every member bought in c, so the base is
  above zero by construction; it may exceed 100 % (expansion), and a credit note in c + k lowers it.
- The average curve by offset pools the cohorts that have reached the offset: Σ retained / Σ members, and
  Σ revenue at k / Σ revenue at 0.
- By calendar month m, trailing twelve months (the usual B2B measure, see the docs): the base is the accounts
  whose net revenue over the twelve months m − 23 … m − 12 was above zero; **logo retention** = those of them
  whose net over m − 11 … m is above zero / the base; **NRR** = their net over m − 11 … m / their net over
  m − 23 … m − 12 (above zero by construction; no figure when the base is empty).

Set-based: the ORM builds the grouped rows per account and month (through `visible_to`, narrowed by team or
manager), one SQL statement around them computes the triangle (and one the calendar months), both on PostgreSQL
and SQLite. Money is summed in kopecks (`ROUND(net × 100)`), exact on both. The stored form (the run's
`summary["retention"]`) keeps counts and sums, not percentages, so a shorter window is a slice of a longer one.
"""

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.db.models import BigIntegerField, Case, F, IntegerField, QuerySet, Sum, Value, When
from django.db.models.functions import Cast, ExtractMonth, ExtractYear, Round

from orbit.access.policy import sees_everything
from orbit.accounts.models import Tier
from orbit.analytics.figures import percent
from orbit.analytics.models import AnalyticsRun, RunStatus
from orbit.org.models import User
from orbit.revenue.models import AccountRevenueMonth
from orbit.revenue.selectors import team_subtree

COHORT_CHOICES = (12, 24)  # Orbit's: one year or two of cohorts
DEFAULT_COHORTS = 12
STORED_MONTHS = max(COHORT_CHOICES)  # the run stores the longest window; shorter ones are slices of it
TRAILING = 12  # months in the trailing windows of the calendar-month figures
BASES = ("logo", "nrr")


# Months as integers (year × 12 + month − 1): differences are offsets, and SQL compares plain numbers on both
# databases.
def month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def month_of(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


def last_complete_month(as_of: dt.date) -> int:
    return month_index(as_of) - 1


# The rows -------------------------------------------------------------------------------------------------------


def department_rows() -> QuerySet[AccountRevenueMonth]:
    """Every account's monthly rows: what the computation engine summarises for the department."""
    return AccountRevenueMonth.objects.all()


def reader_rows(
    user: User, team: int | None = None, manager: int | None = None
) -> QuerySet[AccountRevenueMonth]:
    """The monthly rows of the accounts the user sees, narrowed to a team (with its subteams) or to a manager by
    the account's current responsible manager — always within what he sees."""
    rows = AccountRevenueMonth.objects.visible_to(user)
    if team:
        rows = rows.filter(account__responsible_manager__team_id__in=team_subtree(team))
    if manager:
        rows = rows.filter(account__responsible_manager_id=manager)
    return rows


def monthly_sql(
    rows: QuerySet, *, since: int | None = None, until: int, key: bool = False
) -> tuple[str, tuple]:
    """SQL and parameters of one row per account and month of `rows` (month index `idx`, net in kopecks `net`,
    and with `key` whether the account is a key account), for months `since` … `until`."""
    rows = rows.filter(month__lte=month_of(until))
    if since is not None:
        rows = rows.filter(month__gte=month_of(since))
    fields = ["account_id", "idx"]
    # Whole numbers in SQL (PostgreSQL's EXTRACT and SUM answer numeric, slower to join, sort and sum).
    rows = rows.annotate(idx=Cast(ExtractYear("month") * 12 + ExtractMonth("month") - 1, IntegerField()))
    if key:
        rows = rows.annotate(
            key=Case(
                When(account__tier=Tier.KEY, then=Value(1)), default=Value(0), output_field=IntegerField()
            )
        )
        fields.append("key")
    grouped = (
        rows.values(*fields)
        .annotate(net=Cast(Sum(Round(F("net_base") * Value(100))), BigIntegerField()))
        .order_by()
    )
    return grouped.query.sql_with_params()


def money(kopecks: int) -> str:
    """Kopecks as a decimal string with two places ("1234.50"), the API's form of money."""
    return str((Decimal(int(kopecks)) / 100).quantize(Decimal("0.01")))


def fetch_rows(sql: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def whole(value) -> int:
    # PostgreSQL answers numeric (Decimal), SQLite a float holding a whole number of kopecks.
    return round(value) if value is not None else 0


# The figures ----------------------------------------------------------------------------------------------------


def cohort_cells(rows: QuerySet, last: int, months: int) -> list[dict]:
    """The triangle of the `months` cohorts ending with month `last`: per cohort, its members and per offset
    the members who bought and their net revenue (kopecks summed, stored as decimal strings)."""
    first = last - months + 1
    sql, params = monthly_sql(rows, until=last)
    query = f"""
        WITH m AS ({sql}),
        c AS (SELECT account_id, MIN(idx) AS cohort FROM m WHERE net > 0 GROUP BY account_id)
        SELECT c.cohort, m.idx, SUM(CASE WHEN m.net > 0 THEN 1 ELSE 0 END), SUM(m.net)
        FROM c JOIN m ON m.account_id = c.account_id
        WHERE c.cohort >= {int(first)} AND m.idx >= c.cohort
        GROUP BY c.cohort, m.idx
    """
    found: dict[int, dict[int, tuple[int, int]]] = {}
    for cohort, idx, retained, net in fetch_rows(query, params):
        found.setdefault(whole(cohort), {})[whole(idx)] = (whole(retained), whole(net))
    cohorts = []
    for cohort in range(first, last + 1):
        cells = found.get(cohort, {})
        members = cells.get(cohort, (0, 0))[0]  # at offset 0 every member bought: the cohort's size
        cohorts.append(
            {
                "month": month_of(cohort).isoformat(),
                "accounts": members,
                "cells": [[k, *_stored(cells.get(cohort + k, (0, 0)))] for k in range(last - cohort + 1)],
            }
        )
    return cohorts


def _stored(cell: tuple[int, int]) -> list:
    return [cell[0], money(cell[1])]


def dense_months(start: int, end: int, *, key: bool = False) -> str:
    """CTEs `months` (start … end) and `d`: every account of `m` at every one of those months with its net (0
    where it has no row) — and with `key` its key flag."""
    values = ", ".join(f"({int(i)})" for i in range(start, end + 1))
    flag = ", MAX(key) AS key" if key else ""
    return f"""months(idx) AS (VALUES {values}),
        a AS (SELECT account_id{flag} FROM m GROUP BY account_id),
        d AS (
            SELECT a.account_id{", a.key" if key else ""}, months.idx, COALESCE(m.net, 0) AS net
            FROM a CROSS JOIN months LEFT JOIN m ON m.account_id = a.account_id AND m.idx = months.idx
        )"""


def trailing_sums(*, key: bool = False) -> str:
    """Per account and month of `d`: the net of the twelve months ending with it (`t12`)."""
    return f"""SELECT account_id{", key" if key else ""}, idx,
            SUM(net) OVER (PARTITION BY account_id ORDER BY idx ROWS BETWEEN {TRAILING - 1} PRECEDING AND CURRENT ROW)
            AS t12
        FROM d"""


def calendar_months(rows: QuerySet, last: int, months: int) -> list[dict]:
    """Per calendar month of the `months` ending with `last`: the trailing-twelve-month base (accounts with a
    positive net over the twelve months a year before), those of them still buying, and both nets."""
    first = last - months + 1
    sql, params = monthly_sql(rows, since=first - 2 * TRAILING + 1, until=last)
    # Each account's trailing twelve months at every month (a dense series per account and a sliding window,
    # one sort), and the same a year before (LAG 12): work in accounts × months, not rows × target months.
    query = f"""
        WITH m AS ({sql}),
        {dense_months(first - 2 * TRAILING + 1, last)},
        y AS (
            SELECT idx, t12, LAG(t12, {TRAILING}) OVER (PARTITION BY account_id ORDER BY idx) AS before
            FROM ({trailing_sums()}) w
        )
        SELECT idx, COUNT(*), SUM(CASE WHEN t12 > 0 THEN 1 ELSE 0 END), SUM(before), SUM(t12)
        FROM y WHERE idx >= {int(first)} AND before > 0 GROUP BY idx
    """
    found = {
        whole(t): (whole(n), whole(kept), whole(before), whole(after))
        for t, n, kept, before, after in fetch_rows(query, params)
    }
    result = []
    for idx in range(first, last + 1):
        accounts, retained, before, after = found.get(idx, (0, 0, 0, 0))
        result.append(
            {
                "month": month_of(idx).isoformat(),
                "accounts": accounts,
                "retained": retained,
                "base": money(before),
                "revenue": money(after),
            }
        )
    return result


def compute(rows: QuerySet, as_of: dt.date, months: int = STORED_MONTHS) -> dict:
    """The stored form of the figures of `rows` as of a day (JSON-ready: money as decimal strings)."""
    last = last_complete_month(as_of)
    return {
        "as_of": as_of.isoformat(),
        "last_month": month_of(last).isoformat(),
        "cohorts": cohort_cells(rows, last, months),
        "months": calendar_months(rows, last, months),
    }


def department_summary(as_of: dt.date) -> dict:
    """Every account's retention figures, for `run.summary["retention"]` (the engine calls this in the run)."""
    return compute(department_rows(), as_of)


def latest_summary(key: str) -> dict | None:
    """The latest finished run's stored figures under `key`, if that run stored them."""
    run = AnalyticsRun.objects.filter(status=RunStatus.DONE).only("summary").first()
    return (run.summary or {}).get(key) if run else None


def for_reader(
    user: User, *, team: int | None = None, manager: int | None = None, today: dt.date
) -> tuple[dict, str]:
    """The stored form of the figures the user may see and where they come from: "run" (whoever sees every
    account, not narrowed, reads the latest run's) or "live" (computed now over his visible accounts)."""
    if sees_everything(user) and not team and not manager:
        stored = latest_summary("retention")
        if stored:
            return stored, "run"
    return compute(reader_rows(user, team, manager), today), "live"


# What the page and the API show ---------------------------------------------------------------------------------


def kopecks(amount: str) -> int:
    return int(Decimal(amount) * 100)


def ratio(part: int, base: int) -> str | None:
    """part / base in per cent (2 places), or None ("no figure") when the base is not above zero."""
    return percent(part, base) if base > 0 else None


def present(data: dict, cohorts: int = DEFAULT_COHORTS) -> dict:
    """Percentages of the last `cohorts` cohorts and calendar months of the stored form: each cohort's cells,
    the pooled average curve by offset and the calendar months' trailing-twelve-month logo retention and NRR."""
    rows = data["cohorts"][-cohorts:]
    table = []
    pooled: dict[int, list[int]] = {}  # offset → [members, retained, base kopecks, revenue kopecks]
    for row in rows:
        members = row["accounts"]
        base = kopecks(row["cells"][0][2]) if row["cells"] else 0
        cells = []
        for k, retained, revenue in row["cells"]:
            revenue_kopecks = kopecks(revenue)
            cells.append(
                {
                    "offset": k,
                    "accounts": retained,
                    "revenue": revenue,
                    "logo": ratio(retained, members),
                    "nrr": ratio(revenue_kopecks, base),
                }
            )
            if members:
                total = pooled.setdefault(k, [0, 0, 0, 0])
                total[0] += members
                total[1] += retained
                total[2] += base
                total[3] += revenue_kopecks
        table.append({"month": row["month"], "accounts": members, "revenue": money(base), "cells": cells})
    average = [
        {
            "offset": k,
            "cohorts_accounts": members,
            "logo": ratio(retained, members),
            "nrr": ratio(revenue, base),
        }
        for k, (members, retained, base, revenue) in sorted(pooled.items())
    ]
    months = [
        {
            "month": m["month"],
            "accounts": m["accounts"],
            "retained": m["retained"],
            "base": m["base"],
            "revenue": m["revenue"],
            "logo": ratio(m["retained"], m["accounts"]),
            "nrr": ratio(kopecks(m["revenue"]), kopecks(m["base"])) if m["accounts"] else None,
        }
        for m in data["months"][-cohorts:]
    ]
    return {
        "as_of": data["as_of"],
        "last_month": data["last_month"],
        "offsets": list(range(len(rows))),
        "cohorts": table,
        "average": average,
        "months": months,
        "empty": not any(row["accounts"] for row in table) and not any(m["accounts"] for m in months),
    }
