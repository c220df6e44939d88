"""The computation of the client analytics: per account, set-based, and stored (orbit/analytics/models.py).

A full run reads every invoice and credit note once (account, day, kind, net and margin in kopecks — a binary
COPY straight into numpy arrays), groups them per account and month in numpy, classes and predicts over the
arrays (classes.py, rfm.py, ltv.py: vectorised, no loop per account), sends the results back as one binary COPY
into a scratch table beside the stored figures and, in one transaction, writes the changes against them
(`SegmentChange`), replaces `AccountMetrics` and moves the reactivation queue and the account statuses
(dormancy.py). Readers never see half a run. Then the managers' digest (digest.py) and the department's
figures the head's pages read (`run.summary`: figures.py, department_months.py).

An incremental run recomputes only the accounts with invoices or credit notes issued since the last run (their
ids above its watermark), classing them against the boundaries the last full run found (ABC cut totals, RFM
quintile cuts, the fitted LTV parameters), so a changed account classes as it would have in the ranking.
Other accounts keep their figures until the next full run (nightly, from the morning run): time alone moves
recency, dormancy and the window. Payments do not move these figures — revenue is recognised at invoicing
(docs/revenue-services.md) — so a day of payments alone recomputes nothing.

Definitions (Orbit's defaults, docs/analytics.md):
- The window: `window_months` whole months ending with the last complete month before `as_of`'s month —
  ABC and XYZ compare whole months. RFM uses the same number of months rolling back from `as_of`.
- A purchase is a day with an invoice (credit notes are not purchases; they lower the money in their month).
- The typical interval between purchases: (last − first) / (purchase days − 1), the mean gap. Dormant when the
  days since the last purchase exceed multiple × interval, kept between the floor and the cap; an account with
  one purchase has no rhythm of its own and takes the department's median interval. Once dormant, an account
  stays dormant until it buys again (a change of settings does not wake it).
- LTV: BG/NBD + Gamma-Gamma fitted on every client's history to `as_of` in weeks (ltv.py); the spend is the
  net revenue of a purchase day; `clv_margin` is `clv` × the account's margin rate to date (kept in 0..1).
"""

import calendar
import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orbit.accounts.models import Account, Tier
from orbit.analytics import classes, department_months, digest, dormancy, figures, ltv, rfm
from orbit.analytics.models import (
    SETTING_FIELDS,
    AccountMetrics,
    AnalyticsRun,
    AnalyticsSettings,
    RunKind,
    RunStatus,
    SegmentChange,
)
from orbit.revenue.models import Invoice, Payment

log = logging.getLogger(__name__)

STEPS = ("read", "classes", "ltv", "stage", "write", "notify", "summary", "history")
STEP_LABELS = {
    "read": _("Reading the revenue of every account"),
    "classes": _("ABC, XYZ, RFM and dormancy"),
    "ltv": _("Fitting and predicting lifetime value"),
    "stage": _("Preparing the results"),
    "write": _("Writing the figures and their changes"),
    "notify": _("Telling the managers what changed"),
    "summary": _("The department's figures"),
    "history": _("Retention and the key-account share by month"),
}
MIN_REPEAT_BUYERS = 20  # fewer clients with a repeat purchase than this: no LTV prediction (nothing to fit)
STALE_MINUTES = 10  # a running run without a heartbeat for this long died with its worker


def latest_run() -> AnalyticsRun | None:
    return AnalyticsRun.objects.filter(status=RunStatus.DONE).first()


def latest_full_run() -> AnalyticsRun | None:
    return AnalyticsRun.objects.filter(status=RunStatus.DONE, kind=RunKind.FULL).first()


# --- Reading: one pass over the invoices, grouped in numpy -----------------------------------------------------


def _day_number(column: str) -> str:
    """Days since 1970-01-01 as an integer, on either database."""
    if connection.vendor == "postgresql":
        return f"({column} - DATE '1970-01-01')"
    return f"CAST(julianday({column}) - 2440587.5 AS INTEGER)"


def _invoices_sql(accounts_table: str | None) -> str:
    """Every invoice and credit note to `as_of`: account, day number, is it a purchase, net and margin in
    kopecks (the header's base amounts are the sums of its lines', revenue/invoicing.py, so the months add up
    to AccountRevenueMonth exactly) — of every account, or of the accounts listed in `accounts_table`."""
    columns = (
        f"i.account_id, {_day_number('i.issued_on')}, CASE WHEN i.kind = 'invoice' THEN 1 ELSE 0 END, "
        "CAST(ROUND(i.net_total_base * 100) AS BIGINT), "
        "CAST(ROUND((i.net_total_base - i.cost_total_base) * 100) AS BIGINT)"
    )
    invoices = Invoice._meta.db_table
    if accounts_table is None:
        return f"SELECT {columns} FROM {invoices} i WHERE i.issued_on <= %(as_of)s"
    if connection.vendor == "postgresql":
        # A few changed accounts: one index range per account (a LATERAL join kept a loop by OFFSET 0), whatever
        # the planner guesses of how many invoices an account has (it guessed nine times too many and scanned the
        # whole table).
        return (
            f"SELECT {columns} FROM {accounts_table} c CROSS JOIN LATERAL (SELECT * FROM {invoices} x "
            "WHERE x.account_id = c.account_id AND x.issued_on <= %(as_of)s OFFSET 0) i"  # OFFSET 0: not pulled up
        )
    return (
        f"SELECT {columns} FROM {invoices} i WHERE i.issued_on <= %(as_of)s "
        f"AND i.account_id IN (SELECT account_id FROM {accounts_table})"
    )


# A row of PostgreSQL's binary COPY for the five columns above: the field count, then per field its length and
# its big-endian value (bigint, integer, integer, bigint, bigint). None of them is ever NULL, so every row has
# the same size and the whole stream is one numpy array — no Python object per invoice.
_BINARY_ROW = np.dtype(
    [
        ("n", ">i2"),
        ("l1", ">i4"),
        ("account", ">i8"),
        ("l2", ">i4"),
        ("day", ">i4"),
        ("l3", ">i4"),
        ("bought", ">i4"),
        ("l4", ">i4"),
        ("net", ">i8"),
        ("l5", ">i4"),
        ("margin", ">i8"),
    ]
)
_BINARY_HEADER = 19  # signature (11), flags (4), header extension length (4)


def _fetch_invoices(sql: str, params: dict) -> dict[str, np.ndarray]:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            literal = cursor.cursor.mogrify(sql, params)
            buffer = bytearray()
            with cursor.cursor.copy(f"COPY ({literal}) TO STDOUT (FORMAT BINARY)") as copy:
                for block in copy:
                    buffer += block
        body = memoryview(buffer)[_BINARY_HEADER : len(buffer) - 2]  # the trailer is a field count of −1
        rows = np.frombuffer(body, dtype=_BINARY_ROW)
        return {name: rows[name].astype(np.int64) for name in ("account", "day", "bought", "net", "margin")}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    columns = list(zip(*found, strict=True)) if found else [()] * 5
    return {
        name: np.asarray(column, dtype=np.int64)
        for name, column in zip(("account", "day", "bought", "net", "margin"), columns, strict=True)
    }


@dataclass
class Window:
    as_of: dt.date
    start: dt.date  # first day of the window's first month
    end: dt.date  # first day of its last month
    months: int
    rfm_start: dt.date  # RFM counts purchases after this day

    @classmethod
    def of(cls, as_of: dt.date, months: int) -> "Window":
        last = _months_before(as_of.replace(day=1), 1)
        return cls(as_of, _months_before(last, months - 1), last, months, _months_before(as_of, months))


def _months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` months earlier, or that month's last day (March 31 → February 28 or 29)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last_day))


EPOCH = dt.date(1970, 1, 1)


def _day_number_of(day: dt.date) -> int:
    return (day - EPOCH).days


def _month_index(day_numbers: np.ndarray) -> np.ndarray:
    """Months since 1970-01 of each day number."""
    return (
        np.asarray(day_numbers, dtype="int64")
        .astype("datetime64[D]")
        .astype("datetime64[M]")
        .astype(np.int64)
    )


@dataclass
class Figures:
    """The per-account arrays a run computes, one element per account, ordered by account id."""

    ids: np.ndarray
    revenue_to_date: np.ndarray  # kopecks
    margin_to_date: np.ndarray
    first: np.ndarray  # day numbers, -1 when the account never bought
    last: np.ndarray
    purchase_days: np.ndarray
    window_days: np.ndarray
    rfm_money: np.ndarray
    spend: np.ndarray
    first_spend: np.ndarray
    window_revenue: np.ndarray
    window_margin: np.ndarray
    squares: np.ndarray  # float: Σ (monthly revenue in roubles)² over the window's months


def _runs(keys: list[np.ndarray]) -> np.ndarray:
    """Start positions of the runs of equal keys in arrays sorted by them."""
    change = np.zeros(len(keys[0]), dtype=bool)
    change[:1] = True
    for key in keys:
        change[1:] |= key[1:] != key[:-1]
    return np.flatnonzero(change)


def group(rows: dict[str, np.ndarray], window: Window) -> Figures:
    """Per account, from its invoices: group-bys as sums over runs of the rows sorted by account and day."""
    order = np.lexsort((rows["day"], rows["account"]))
    account, day, bought = rows["account"][order], rows["day"][order], rows["bought"][order]
    net, margin = rows["net"][order], rows["margin"][order]
    if not len(account):
        empty = np.zeros(0, dtype=np.int64)
        return Figures(empty, *(empty.copy() for _ in range(11)), np.zeros(0))
    # One purchase per account and day (FHL 2005): the day's invoices are one purchase of their sum.
    days = _runs([account, day])
    day_account, day_number = account[days], day[days]
    day_bought = np.maximum.reduceat(bought, days) > 0
    day_spend = np.add.reduceat(net * bought, days)  # the invoices' money, credit notes apart
    day_net = np.add.reduceat(net, days)
    # Per account: sums over the runs of its days
    heads = _runs([day_account])
    ids = day_account[heads]

    def per_account(values):
        return np.add.reduceat(np.asarray(values, dtype=np.int64), heads)

    first = np.minimum.reduceat(np.where(day_bought, day_number, np.iinfo(np.int64).max), heads)
    first = np.where(first == np.iinfo(np.int64).max, -1, first)
    last = np.maximum.reduceat(np.where(day_bought, day_number, -1), heads)
    owner = np.repeat(np.arange(len(ids)), np.diff(np.append(heads, len(day_account))))  # each day's account
    recent = day_number > _day_number_of(window.rfm_start)
    # The window's months: per account, the sum and the sum of squares of its monthly revenue
    month = _month_index(day)
    start, end = (_month_index(np.array([_day_number_of(d)]))[0] for d in (window.start, window.end))
    inside = (month >= start) & (month <= end)
    window_revenue = np.zeros(len(ids), dtype=np.int64)
    window_margin = np.zeros(len(ids), dtype=np.int64)
    squares = np.zeros(len(ids))
    if inside.any():
        a, m = account[inside], month[inside]
        months = _runs([a, m])
        monthly, monthly_margin = (
            np.add.reduceat(net[inside], months),
            np.add.reduceat(margin[inside], months),
        )
        month_account = a[months]
        runs = _runs([month_account])
        where = np.searchsorted(ids, month_account[runs])
        window_revenue[where] = np.add.reduceat(monthly, runs)
        window_margin[where] = np.add.reduceat(monthly_margin, runs)
        squares[where] = np.add.reduceat((monthly / 100) ** 2, runs)
    return Figures(
        ids=ids,
        revenue_to_date=per_account(day_net),
        margin_to_date=per_account(np.add.reduceat(margin, days)),
        first=first,
        last=last,
        purchase_days=per_account(day_bought),
        window_days=per_account(day_bought & recent),
        rfm_money=per_account(np.where(recent, day_net, 0)),
        spend=per_account(day_spend),
        first_spend=per_account(np.where(day_bought & (day_number == first[owner]), day_spend, 0)),
        window_revenue=window_revenue,
        window_margin=window_margin,
        squares=squares,
    )


def read(window: Window, accounts_table: str | None = None) -> tuple[dict[str, np.ndarray], Figures]:
    """The invoices (as arrays) and the per-account figures grouped from them."""
    rows = _fetch_invoices(_invoices_sql(accounts_table), {"as_of": window.as_of})
    return rows, group(rows, window)


# --- The measures over the arrays ---------------------------------------------------------------------------


@dataclass
class Results:
    abc: np.ndarray
    xyz: np.ndarray
    cv: np.ndarray
    interval: np.ndarray  # days, NaN without two purchases
    threshold: np.ndarray  # days of silence after which the account is dormant, -1 without a purchase
    dormant: np.ndarray
    recency: np.ndarray  # scores, 0 = none
    frequency: np.ndarray
    monetary: np.ndarray
    segment: np.ndarray
    p_alive: np.ndarray  # NaN = no prediction
    purchases: np.ndarray
    spend: np.ndarray
    clv: np.ndarray
    clv_margin: np.ndarray


def _setting(params: dict, name: str) -> float:
    return float(params["settings"][name])


def basis_totals(f: Figures, basis: str) -> np.ndarray:
    return f.window_margin if basis == "margin" else f.window_revenue


def classify(f: Figures, window: Window, params: dict, cuts: dict | None) -> tuple[Results, dict]:
    """The classes, dormancy and RFM of every account in `f`. Without `cuts` (a full run) the population is `f`
    itself and the cuts found are returned; with them (an incremental run) the accounts are classed against them."""
    s = params["settings"]
    n = len(f.ids)
    totals = basis_totals(f, s["basis"])
    found_cuts: dict = {}
    if cuts is None:
        abc = classes.abc_classes(totals, f.ids, (float(s["abc_a"]), float(s["abc_b"])))
        found_cuts["abc"] = classes.abc_cuts(totals, abc)
    else:
        abc = classes.abc_by_cuts(totals, cuts["abc"])
    # XYZ: the months of the window from the first purchase month on
    bought = f.first >= 0
    first_month = np.where(bought, _month_index(np.maximum(f.first, 0)), 0)
    end_month = _month_index(np.array([_day_number_of(window.end)]))[0]
    history = np.where(bought, np.maximum(end_month - first_month + 1, 0), 0)
    xyz, cv = classes.xyz_from_sums(
        f.window_revenue / 100,
        f.squares,
        history,
        months=window.months,
        limits=(float(s["xyz_x"]), float(s["xyz_y"])),
        min_months=int(s["xyz_min_months"]),
    )
    # Rhythm and dormancy
    today = _day_number_of(window.as_of)
    with np.errstate(divide="ignore", invalid="ignore"):
        interval = np.where(f.purchase_days >= 2, (f.last - f.first) / (f.purchase_days - 1), np.nan)
    if cuts is None:
        known = interval[~np.isnan(interval)]
        found_cuts["median_interval"] = (
            float(np.median(known)) if len(known) else float(s["dormant_floor_days"])
        )
        median = found_cuts["median_interval"]
    else:
        median = cuts["median_interval"]
    rhythm = np.where(np.isnan(interval), median, interval)
    threshold = np.clip(
        np.ceil(rhythm * float(s["dormant_multiple"])),
        int(s["dormant_floor_days"]),
        int(s["dormant_cap_days"]),
    ).astype(np.int64)
    threshold = np.where(bought, threshold, -1)
    silence = np.where(bought, today - f.last, 0)
    dormant = bought & (silence > threshold)
    # RFM over the accounts with a purchase in the rolling window
    recency = np.zeros(n, dtype=int)
    frequency = np.zeros(n, dtype=int)
    monetary = np.zeros(n, dtype=int)
    active = f.window_days > 0
    values = {"r": silence[active], "f": f.window_days[active], "m": f.rfm_money[active]}
    if cuts is None:
        found_cuts["rfm"] = {
            "r": rfm.quintile_cuts(values["r"], higher_is_better=False),
            "f": rfm.quintile_cuts(values["f"]),
            "m": rfm.quintile_cuts(values["m"]),
        }
    rfm_cuts = found_cuts.get("rfm") or cuts["rfm"]
    recency[active] = rfm.scores_by_cuts(values["r"], rfm_cuts["r"], higher_is_better=False)
    frequency[active] = rfm.scores_by_cuts(values["f"], rfm_cuts["f"])
    monetary[active] = rfm.scores_by_cuts(values["m"], rfm_cuts["m"])
    segment = np.full(n, "", dtype="<U16")
    segment[active] = rfm.rfm_segments(recency[active], frequency[active])
    nan = np.full(n, np.nan)
    results = Results(
        abc,
        xyz,
        cv,
        interval,
        threshold,
        dormant,
        recency,
        frequency,
        monetary,
        segment,
        nan.copy(),
        nan.copy(),
        nan.copy(),
        nan.copy(),
        nan.copy(),
    )
    return results, found_cuts


def predict(f: Figures, r: Results, window: Window, params: dict, fitted: dict | None) -> dict:
    """BG/NBD + Gamma-Gamma: fitted on `f` (a full run) or taken from `fitted` (an incremental run). Fills the
    prediction arrays of `r`; returns the parameters (or why there are none)."""
    s = params["settings"]
    bought = f.first >= 0
    week = ltv.PERIOD_DAYS["week"]
    today = _day_number_of(window.as_of)
    x = np.where(bought, f.purchase_days - 1, 0).astype(float)
    t_x = np.where(bought, (f.last - f.first) / week, 0.0)
    T = np.where(bought, (today - f.first) / week, 0.0)
    m = np.divide((f.spend - f.first_spend) / 100, x, out=np.zeros(len(x)), where=x > 0)
    if fitted is None:
        repeaters = int(((x > 0) & (m > 0)).sum())
        if repeaters < MIN_REPEAT_BUYERS:
            return {"skipped": "too_few", "repeaters": repeaters, "needed": MIN_REPEAT_BUYERS}
        try:
            purchases = ltv.fit_bgnbd(x[bought], t_x[bought], T[bought])
            spend = ltv.fit_gamma_gamma(x[bought], m[bought])
        except (ValueError, FloatingPointError, ArithmeticError) as error:
            return {"skipped": "failed", "error": str(error)}
        if not spend.q > 1:  # the Gamma-Gamma mean p·γ / (q − 1) needs q > 1
            return {"skipped": "infinite", "error": f"q = {spend.q:.4f}"}
        fitted = {
            "bgnbd": {
                "r": purchases.r,
                "alpha": purchases.alpha,
                "a": purchases.a,
                "b": purchases.b,
                "log_likelihood": purchases.log_likelihood,
            },
            "gamma_gamma": {"p": spend.p, "q": spend.q, "v": spend.v, "log_likelihood": spend.log_likelihood},
        }
    if "bgnbd" not in fitted:
        return fitted
    purchases = ltv.BgNbd(**fitted["bgnbd"])
    spend = ltv.GammaGamma(**fitted["gamma_gamma"])
    months = int(s["ltv_horizon_months"])
    monthly_discount = (1 + float(s["ltv_discount_percent"]) / 100) ** (1 / 12) - 1
    idx = np.flatnonzero(bought)
    summary = ltv.Summary(f.ids[idx], x[idx], t_x[idx], T[idx], m[idx])
    horizon = months * ltv.PERIOD_DAYS["month"] / week
    r.p_alive[idx] = purchases.p_alive(summary.x, summary.t_x, summary.T)
    r.purchases[idx] = purchases.expected_purchases(horizon, summary.x, summary.t_x, summary.T)
    r.spend[idx] = spend.expected_spend(summary.x, summary.m)
    r.clv[idx] = ltv.clv(purchases, spend, summary, months=months, monthly_discount=monthly_discount)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.clip(np.where(f.revenue_to_date > 0, f.margin_to_date / f.revenue_to_date, 0.0), 0, 1)
    r.clv_margin[idx] = r.clv[idx] * rate[idx]
    return fitted


# --- Staging and writing ---------------------------------------------------------------------------------------
#
# The results go to the database as fixed-width numbers (PostgreSQL's binary COPY, built as one numpy array:
# no text per value), into a staging table; one INSERT ... SELECT turns them into the metrics' columns (kopecks to
# numeric, day numbers to dates, codes to letters, "missing" sentinels to NULL).

STAGE = "analytics_stage"  # the numbers as sent
READY = "analytics_ready"  # the same rows with the metrics' columns and types
# (column, staged type, numpy type of its binary COPY field)
STAGED = (
    ("account_id", "BIGINT", ">i8"),
    ("window_revenue", "BIGINT", ">i8"),  # kopecks
    ("window_margin", "BIGINT", ">i8"),
    ("abc", "SMALLINT", ">i2"),  # index in ABC_CODES
    ("xyz", "SMALLINT", ">i2"),
    ("cv_percent", "DOUBLE PRECISION", ">f8"),  # NaN = none
    ("first_purchase_on", "INTEGER", ">i4"),  # days since 1970-01-01, −1 = none
    ("last_purchase_on", "INTEGER", ">i4"),
    ("purchase_days", "INTEGER", ">i4"),
    ("window_purchase_days", "INTEGER", ">i4"),
    ("typical_interval_days", "DOUBLE PRECISION", ">f8"),
    ("dormant_after_days", "INTEGER", ">i4"),  # −1 = none
    ("is_dormant", "BOOLEAN", ">i1"),
    ("recency", "SMALLINT", ">i2"),  # 0 = none
    ("frequency", "SMALLINT", ">i2"),
    ("monetary", "SMALLINT", ">i2"),
    ("rfm_segment", "SMALLINT", ">i2"),  # index in SEGMENT_CODES
    ("margin_to_date", "BIGINT", ">i8"),
    ("revenue_to_date", "BIGINT", ">i8"),
    ("p_alive", "DOUBLE PRECISION", ">f8"),
    ("expected_purchases", "DOUBLE PRECISION", ">f8"),
    ("expected_spend", "DOUBLE PRECISION", ">f8"),
    ("clv", "DOUBLE PRECISION", ">f8"),
    ("clv_margin", "DOUBLE PRECISION", ">f8"),
)
COLUMNS = tuple(column[0] for column in STAGED)
ABC_CODES = ("", "A", "B", "C", "D")
XYZ_CODES = ("", "X", "Y", "Z")
SEGMENT_CODES = ("", *rfm.Segment.values)
MAX_MONEY = 10**15  # kopecks: the metrics' numeric(18, 2) holds 10^16; a wild prediction is clipped below it


def _codes(values: np.ndarray, codes: tuple) -> np.ndarray:
    """Each value's index in `codes`."""
    distinct, inverse = np.unique(np.asarray(values), return_inverse=True)
    return np.array([codes.index(v) for v in distinct.tolist()], dtype=np.int16)[inverse]


def stage_columns(f: Figures, r: Results) -> list[np.ndarray]:
    """The staged columns, one element per account, in STAGED's order."""
    limit = MAX_MONEY / 100
    for money in (f.window_revenue, f.window_margin, f.margin_to_date, f.revenue_to_date):
        if len(money) and np.abs(money).max() >= MAX_MONEY:
            raise OverflowError("an account's total beyond 10^13 roubles cannot be stored")
    return [
        f.ids,
        f.window_revenue,
        f.window_margin,
        _codes(r.abc, ABC_CODES),
        _codes(r.xyz, XYZ_CODES),
        np.minimum(r.cv, 9_999_999),
        f.first,
        f.last,
        f.purchase_days,
        f.window_days,
        r.interval,
        r.threshold,
        r.dormant,
        r.recency,
        r.frequency,
        r.monetary,
        _codes(r.segment, SEGMENT_CODES),
        f.margin_to_date,
        f.revenue_to_date,
        np.clip(r.p_alive, 0, 1),
        np.clip(r.purchases, 0, limit),
        np.clip(r.spend, 0, limit),
        np.clip(r.clv, 0, limit),
        np.clip(r.clv_margin, 0, limit),
    ]


def _binary_copy(columns: list[np.ndarray]) -> bytes:
    """PostgreSQL's binary COPY of the columns: header, one fixed-size record per row, trailer."""
    fields = [("n", ">i2")]
    for name, _type, kind in STAGED:
        fields += [(f"{name}_length", ">i4"), (name, kind)]
    rows = np.zeros(len(columns[0]), dtype=np.dtype(fields))
    rows["n"] = len(STAGED)
    for (name, _type, kind), values in zip(STAGED, columns, strict=True):
        rows[f"{name}_length"] = np.dtype(kind).itemsize
        rows[name] = values
    return b"PGCOPY\n\xff\r\n\x00" + b"\x00" * 8 + rows.tobytes() + b"\xff\xff"


def _scratch_table() -> str:
    """PostgreSQL: an unlogged table (shared buffers, no WAL; a temporary table would go through the session's
    few megabytes of temp_buffers and spill). One run at a time, so the fixed names do not collide; a run that
    died leaves them to the next, which drops them first. SQLite: a temporary table."""
    return "CREATE UNLOGGED TABLE" if connection.vendor == "postgresql" else "CREATE TEMPORARY TABLE"


def _drop_scratch(cursor) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {READY}")
    cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")


def _create_stage(cursor) -> None:
    _drop_scratch(cursor)
    columns = ", ".join(f"{name} {kind}" for name, kind, _numpy in STAGED)
    cursor.execute(f"{_scratch_table()} {STAGE} ({columns})")


def _load_stage(cursor, columns: list[np.ndarray]) -> None:
    """Send the numbers, then make READY: the metrics' columns, and beside them the stored figures of the same
    account (one join) for the changes. Once dormant, dormant until a new purchase: a stored dormant account
    whose last purchase has not moved stays dormant whatever the threshold now says."""
    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {STAGE} ({', '.join(COLUMNS)}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.write(_binary_copy(columns))
    elif len(columns[0]):  # the demo's SQLite: small, row by row; NaN is NULL there
        rows = zip(*(c.tolist() for c in columns), strict=True)
        rows = [[None if isinstance(v, float) and v != v else v for v in row] for row in rows]
        marks = ", ".join(["%s"] * len(COLUMNS))
        cursor.executemany(f"INSERT INTO {STAGE} ({', '.join(COLUMNS)}) VALUES ({marks})", rows)
    metrics = AccountMetrics._meta.db_table
    kept = "(c.is_dormant OR COALESCE(m.is_dormant AND m.last_purchase_on = c.last_purchase_on, FALSE))"
    new = ", ".join(f"{kept} AS is_dormant" if name == "is_dormant" else f"c.{name}" for name in COLUMNS)
    cursor.execute(
        f"{_scratch_table()} {READY} AS SELECT {new}, m.account_id IS NOT NULL AS seen, m.abc AS old_abc, "
        "m.xyz AS old_xyz, m.rfm_segment AS old_segment, COALESCE(m.is_dormant, FALSE) AS old_dormant, "
        "m.last_purchase_on AS old_last, m.clv AS old_clv "
        f"FROM (SELECT {_converted()} FROM {STAGE}) c LEFT JOIN {metrics} m ON m.account_id = c.account_id"
    )


def _converted() -> str:
    """The staged numbers as the metrics' columns, on either database."""
    postgres = connection.vendor == "postgresql"

    def case(column: str, codes: tuple) -> str:
        whens = " ".join(f"WHEN {i} THEN '{code}'" for i, code in enumerate(codes) if code)
        return f"CASE {column} {whens} ELSE '' END"

    def money(
        column: str,
    ) -> str:  # SQLite divides integers as integers: its money is a float, read to 2 places
        return f"CAST({column} AS NUMERIC) / 100" if postgres else f"{column} / 100.0"

    def number(column: str, places: int) -> str:
        value = f"NULLIF({column}, 'NaN')" if postgres else column
        return f"ROUND(CAST({value} AS NUMERIC), {places})"

    def day(column: str) -> str:
        value = (
            f"DATE '1970-01-01' + {column}" if postgres else f"date('1970-01-01', '+' || {column} || ' days')"
        )
        return f"CASE WHEN {column} >= 0 THEN {value} END"

    expressions = {
        "window_revenue": money("window_revenue"),
        "window_margin": money("window_margin"),
        "abc": case("abc", ABC_CODES),
        "xyz": case("xyz", XYZ_CODES),
        "cv_percent": number("cv_percent", 2),
        "first_purchase_on": day("first_purchase_on"),
        "last_purchase_on": day("last_purchase_on"),
        "typical_interval_days": number("typical_interval_days", 1),
        "dormant_after_days": "NULLIF(dormant_after_days, -1)",
        "recency": "NULLIF(recency, 0)",
        "frequency": "NULLIF(frequency, 0)",
        "monetary": "NULLIF(monetary, 0)",
        "rfm_segment": case("rfm_segment", SEGMENT_CODES),
        "margin_to_date": money("margin_to_date"),
        "revenue_to_date": money("revenue_to_date"),
        "p_alive": number("p_alive", 4),
        "expected_purchases": number("expected_purchases", 3),
        "expected_spend": number("expected_spend", 2),
        "clv": number("clv", 2),
        "clv_margin": number("clv_margin", 2),
    }
    return ", ".join(f"{expressions.get(name, name)} AS {name}" for name in COLUMNS)


def _write_changes(cursor, run: AnalyticsRun, drop_percent: Decimal) -> int:
    """One SegmentChange per change against the stored figures (accounts seen before only, except that
    becoming dormant counts for a new account too: the queue must hear of it)."""
    changes = SegmentChange._meta.db_table

    def text(column: str) -> str:
        return f"CAST({column} AS VARCHAR(32))"

    kinds = [
        ("abc", "old_abc", "abc", "seen AND old_abc <> abc"),
        ("xyz", "old_xyz", "xyz", "seen AND old_xyz <> xyz"),
        ("rfm", "old_segment", "rfm_segment", "seen AND old_segment <> rfm_segment"),
        ("dormant", "''", text("last_purchase_on"), "is_dormant AND NOT old_dormant"),
        ("awake", text("old_last"), text("last_purchase_on"), "seen AND old_dormant AND NOT is_dormant"),
        ("ltv_drop", text("old_clv"), text("clv"), "seen AND old_clv > 0 AND clv <= old_clv * %(keep)s"),
    ]
    selects = " UNION ALL ".join(
        f"SELECT account_id, %(run)s, %(as_of)s, '{kind}', {old}, {new} FROM {READY} WHERE {where}"
        for kind, old, new, where in kinds
    )
    cursor.execute(
        f"INSERT INTO {changes} (account_id, run_id, changed_on, kind, old, new) {selects}",
        {"run": run.pk, "as_of": run.as_of, "keep": 1 - drop_percent / 100},
    )
    return cursor.rowcount


def _upsert(cursor, run: AnalyticsRun) -> None:
    """An incremental run's few accounts: insert or update their rows."""
    metrics = AccountMetrics._meta.db_table
    names = ", ".join(COLUMNS)
    updates = ", ".join(f"{c} = excluded.{c}" for c in (*COLUMNS[1:], "run_id", "as_of"))
    cursor.execute(
        f"INSERT INTO {metrics} ({names}, run_id, as_of) SELECT {names}, %(run)s, %(as_of)s FROM {READY} "
        f"WHERE TRUE ON CONFLICT (account_id) DO UPDATE SET {updates}",
        {"run": run.pk, "as_of": run.as_of},
    )


def _drop_foreign_keys(cursor, table: str) -> list[str]:
    """Drop the table's foreign keys and return the statements that make them again (same names), or [] when
    PostgreSQL refuses because the caller's transaction holds pending checks on a table they reference (a test
    or the demo writing accounts in the same transaction): then they stay, checked row by row."""
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
        [table],
    )
    keys = cursor.fetchall()
    try:
        with transaction.atomic():  # a savepoint: the refusal must not end the run's transaction
            for name, _definition in keys:
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    except OperationalError:
        quoted = ", ".join(f'"{name}"' for name, _definition in keys)
        cursor.execute(f"SET CONSTRAINTS {quoted} IMMEDIATE")
        return []
    return [f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}' for name, definition in keys]


def _replace(cursor, run: AnalyticsRun) -> None:
    """A full run's every account: the table's rows are replaced. On PostgreSQL the secondary indexes and the
    foreign keys are dropped and made again after the insert (same names, same definitions): building an index
    over the new rows and checking a key with one join is far cheaper than keeping five indexes and two keys row
    by row for a million rows. Readers wait for the transaction (seconds, once a night) and then see the new
    figures whole; they never see half."""
    metrics = AccountMetrics._meta.db_table
    names = ", ".join(COLUMNS)
    again: list[str] = []
    if connection.vendor == "postgresql":
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cursor.execute(f"LOCK TABLE {metrics} IN ACCESS EXCLUSIVE MODE")
        keys = _drop_foreign_keys(cursor, metrics)
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN ("
            "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
            [metrics, metrics],
        )
        for name, definition in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
            again.append(definition)
        again += keys
        cursor.execute(f"TRUNCATE {metrics}")
    else:
        cursor.execute(f"DELETE FROM {metrics}")
    cursor.execute(
        f"INSERT INTO {metrics} ({names}, run_id, as_of) SELECT {names}, %(run)s, %(as_of)s FROM {READY} "
        "ORDER BY account_id",
        {"run": run.pk, "as_of": run.as_of},
    )
    for statement in again:
        cursor.execute(statement)


# --- Runs -------------------------------------------------------------------------------------------------------


def settings_snapshot(current: AnalyticsSettings) -> dict:
    return {
        name: str(value) if isinstance(value, Decimal) else value
        for name, value in ((name, getattr(current, name)) for name in SETTING_FIELDS)
    }


def _progress(run: AnalyticsRun, step: str) -> None:
    run.steps_done = STEPS.index(step)
    run.step = step
    run.heartbeat_at = timezone.now()
    AnalyticsRun.objects.filter(pk=run.pk).update(
        steps_done=run.steps_done, step=step, heartbeat_at=run.heartbeat_at
    )


def request_run(*, by=None, kind: str = RunKind.FULL, as_of: dt.date | None = None) -> AnalyticsRun:
    """Queue a run for the worker; while one is queued or running, that one is returned (one at a time)."""
    from orbit.analytics.tasks import run_analytics

    fail_if_stale()
    try:
        with transaction.atomic():
            run = AnalyticsRun.objects.create(
                kind=kind, as_of=as_of or timezone.localdate(), requested_by=by, steps_total=len(STEPS)
            )
    except IntegrityError:
        return AnalyticsRun.objects.filter(status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).first()
    transaction.on_commit(lambda: run_analytics.enqueue(run.pk))
    return run


def fail_if_stale() -> None:
    limit = timezone.now() - dt.timedelta(minutes=STALE_MINUTES)
    AnalyticsRun.objects.filter(status=RunStatus.RUNNING, heartbeat_at__lt=limit).update(
        status=RunStatus.FAILED, error="the worker stopped answering", finished_at=timezone.now()
    )


def run_now(
    *, kind: str = RunKind.FULL, as_of: dt.date | None = None, by=None, moment=None, notify: bool = True
) -> AnalyticsRun:
    """Create a run and execute it at once (commands, tests, the benchmark, the demo — which tells its story
    at its own `moment` and sends no digest)."""
    run = AnalyticsRun.objects.create(
        kind=kind, as_of=as_of or timezone.localdate(), requested_by=by, steps_total=len(STEPS)
    )
    return execute(run, moment=moment, notify=notify)


def execute(run: AnalyticsRun, *, moment=None, notify: bool = True) -> AnalyticsRun:
    """Do the run; on an error, the run is marked failed with it and nothing of it is written."""
    run.status, run.started_at = RunStatus.RUNNING, moment or timezone.now()
    run.steps_total = len(STEPS)
    run.save(update_fields=["status", "started_at", "steps_total"])
    try:
        _execute(run, moment=moment, notify=notify)
    except Exception as error:
        log.exception("analytics run %s failed", run.pk)
        run.status, run.error, run.finished_at = (
            RunStatus.FAILED,
            f"{type(error).__name__}: {error}",
            timezone.now(),
        )
        run.save(update_fields=["status", "error", "finished_at"])
        raise
    return run


def _watermarks() -> tuple[int, int]:
    last_invoice = Invoice.objects.order_by("-id").values_list("id", flat=True).first() or 0
    last_payment = Payment.objects.order_by("-id").values_list("id", flat=True).first() or 0
    return last_invoice, last_payment


def _execute(run: AnalyticsRun, *, moment, notify: bool) -> None:
    base = latest_full_run() if run.kind == RunKind.INCREMENTAL else None
    if run.kind == RunKind.INCREMENTAL and base is None:
        run.kind = RunKind.FULL  # nothing to be incremental on
    previous = latest_run() if base is not None else None  # its watermark, and the summary an increment keeps
    params = dict(base.params) if base else {"settings": settings_snapshot(AnalyticsSettings.current())}
    window = Window.of(run.as_of, int(params["settings"]["window_months"]))
    params["window"] = {
        "start": window.start.isoformat(),
        "end": window.end.isoformat(),
        "rfm_after": window.rfm_start.isoformat(),
    }
    run.last_invoice_id, run.last_payment_id = _watermarks()
    _progress(run, "read")
    with connection.cursor() as cursor:
        changed = None
        if base is not None:
            cursor.execute("DROP TABLE IF EXISTS analytics_changed")
            cursor.execute("CREATE TEMPORARY TABLE analytics_changed (account_id BIGINT PRIMARY KEY)")
            cursor.execute(
                f"INSERT INTO analytics_changed SELECT DISTINCT account_id FROM {Invoice._meta.db_table} "
                "WHERE id > %s AND id <= %s",
                [previous.last_invoice_id, run.last_invoice_id],
            )
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE analytics_changed")
            changed = "analytics_changed"
        rows, f = read(window, changed)
        _progress(run, "classes")
        results, cuts = classify(f, window, params, params.get("cuts") if base else None)
        if base is None:
            params["cuts"] = cuts
        _progress(run, "ltv")
        fitted = predict(f, results, window, params, params.get("ltv") if base else None)
        params["ltv"] = fitted
        _progress(run, "stage")
        try:
            _create_stage(cursor)
            _load_stage(cursor, stage_columns(f, results))
            _progress(run, "write")
            with transaction.atomic():
                run.changes = _write_changes(
                    cursor, run, Decimal(str(params["settings"]["ltv_drop_percent"]))
                )
                (_replace if base is None else _upsert)(cursor, run)
                dormancy.apply(
                    run, now=moment
                )  # the queue and the statuses move with the figures, or not at all
        finally:
            _drop_scratch(cursor)
    # The managers' digest follows the committed figures; a failure to tell them does not undo the run.
    _progress(run, "notify")
    try:
        if notify:
            digest.notify(run)
    except Exception:
        log.exception("analytics run %s: the managers' digest failed", run.pk)
    _progress(run, "summary")
    run.summary = department_summary(f, results, params) if base is None else dict(previous.summary)
    if base is None:
        # The department's months (cohorts, shares) for the head's pages; an incremental run keeps the last
        # full run's, which say the day they are of.
        _progress(run, "history")
        account, month, net = department_months.monthly(rows)
        run.summary["retention"] = department_months.retention_summary(account, month, net, run.as_of)
        keys = key_accounts()
        run.summary["share_history"] = department_months.share_history(account, month, net, keys, run.as_of)
    run.params = params
    run.accounts = len(f.ids)
    run.status, run.finished_at = RunStatus.DONE, timezone.now()
    run.steps_done = len(STEPS)
    run.save()


def key_accounts() -> np.ndarray:
    return np.asarray(
        Account.objects.filter(tier=Tier.KEY).order_by("pk").values_list("pk", flat=True), dtype=np.int64
    )


def department_summary(f: Figures, r: Results, params: dict) -> dict:
    """The department's figures (every account) from the run's arrays: what the head's pages read."""
    keys = key_accounts()
    scope = figures.Scope.of(
        basis_totals(f, params["settings"]["basis"]), r.abc, r.xyz, r.segment, np.isin(f.ids, keys)
    )
    summary = figures.summarise(scope)
    scored = r.recency > 0
    pairs, counts = np.unique(np.stack([r.recency[scored], r.frequency[scored]]), axis=1, return_counts=True)
    summary["rfm_grid"] = [[int(a), int(b), int(n)] for (a, b), n in zip(pairs.T, counts, strict=True)]
    summary["basis"] = params["settings"]["basis"]
    summary["window"] = params["window"]
    return summary
