"""The department's retention and key-account share by month, from the full run's arrays.

The same figures as `retention.compute` and `shares.compute` (same rules, same stored form: see those modules
and docs/analytics-retention.md), computed on the invoices the run has already read into numpy instead of by
SQL over every account's monthly rows: at a million accounts the SQL's dense accounts × months series took
minutes, the arrays take seconds. A test holds the two to the same answer on the demo.

An invoice header's base amount is the sum of its lines' (revenue/invoicing.py), so an account's month here is
exactly its `AccountRevenueMonth` rows summed.
"""

import datetime as dt

import numpy as np

from orbit.analytics import retention, shares
from orbit.analytics.retention import STORED_MONTHS, last_complete_month, money, month_of

EPOCH_MONTH = 1970 * 12  # the month index of 1970-01 (retention's indexes are year × 12 + month − 1)
CHUNK = 100_000  # accounts per dense block (accounts × months of int64)


def monthly(rows: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(account, month index, net kopecks) per account and month, sorted by account then month."""
    month = rows["day"].astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) + EPOCH_MONTH
    order = np.lexsort((month, rows["account"]))
    account, month, net = rows["account"][order], month[order], rows["net"][order]
    if not len(account):
        return account, month, net
    change = np.ones(len(account), dtype=bool)
    change[1:] = (account[1:] != account[:-1]) | (month[1:] != month[:-1])
    starts = np.flatnonzero(change)
    return account[starts], month[starts], np.add.reduceat(net, starts)


def _trailing(account, month, net, start: int, end: int):
    """Per block of accounts with rows in start … end: the block's account ids and their twelve-month trailing
    sums at every month start … end (columns), as a dense matrix."""
    keep = (month >= start) & (month <= end)
    account, month, net = account[keep], month[keep], net[keep]
    ids = np.unique(account)
    width = end - start + 1
    for block in range(0, len(ids), CHUNK):
        chosen = ids[block : block + CHUNK]
        mine = (account >= chosen[0]) & (account <= chosen[-1])
        dense = np.zeros((len(chosen), width + 1), dtype=np.int64)
        dense[np.searchsorted(chosen, account[mine]), month[mine] - start + 1] = net[mine]
        running = np.cumsum(dense, axis=1)
        lagged = np.concatenate([np.zeros((len(chosen), 12), dtype=np.int64), running[:, :-12]], axis=1)
        yield chosen, (running - lagged)[:, 1:]


def retention_summary(account, month, net, as_of: dt.date, months: int = STORED_MONTHS) -> dict:
    last = last_complete_month(as_of)
    first = last - months + 1
    upto = month <= last
    account, month, net = account[upto], month[upto], net[upto]
    # Cohorts: each account's first month with a positive net (rows are sorted by account, then month)
    bought = net > 0
    if len(account):
        heads = np.flatnonzero(np.r_[True, account[1:] != account[:-1]])
        never = np.iinfo(np.int64).max
        first_bought = np.minimum.reduceat(np.where(bought, month, never), heads)
        cohort = np.repeat(first_bought, np.diff(np.append(heads, len(account))))
    else:
        never, cohort = 0, np.zeros(0, dtype=np.int64)
    member = cohort != never
    chosen = member & (cohort >= first) & (month >= cohort)
    c, k = cohort[chosen] - first, month[chosen] - first
    size = months * months
    retained = np.bincount(c * months + k, weights=bought[chosen], minlength=size).astype(np.int64)
    revenue = np.zeros(size, dtype=np.int64)
    np.add.at(revenue, c * months + k, net[chosen])
    cohorts = []
    for i, start in enumerate(range(first, last + 1)):
        cells = [
            [j, int(retained[i * months + i + j]), money(int(revenue[i * months + i + j]))]
            for j in range(last - start + 1)
        ]
        cohorts.append(
            {"month": month_of(start).isoformat(), "accounts": int(retained[i * months + i]), "cells": cells}
        )
    # By calendar month: the trailing twelve months now and a year before
    base = np.zeros(months, dtype=np.int64)
    kept = np.zeros(months, dtype=np.int64)
    before_sum = np.zeros(months, dtype=np.int64)
    after_sum = np.zeros(months, dtype=np.int64)
    start = first - 2 * retention.TRAILING + 1
    for _ids, t12 in _trailing(account, month, net, start, last):
        before, after = t12[:, first - 12 - start : last - 12 - start + 1], t12[:, first - start :]
        was = before > 0
        base += was.sum(axis=0)
        kept += (was & (after > 0)).sum(axis=0)
        before_sum += np.where(was, before, 0).sum(axis=0)
        after_sum += np.where(was, after, 0).sum(axis=0)
    calendar = [
        {
            "month": month_of(first + i).isoformat(),
            "accounts": int(base[i]),
            "retained": int(kept[i]),
            "base": money(int(before_sum[i])),
            "revenue": money(int(after_sum[i])),
        }
        for i in range(months)
    ]
    return {
        "as_of": as_of.isoformat(),
        "last_month": month_of(last).isoformat(),
        "cohorts": cohorts,
        "months": calendar,
    }


def share_history(
    account, month, net, key_ids: np.ndarray, as_of: dt.date, months: int = shares.MONTHS
) -> dict:
    last = last_complete_month(as_of)
    first = last - months + 1
    blocks = list(_trailing(account, month, net, first - shares.TRAILING + 1, last))
    # Every account's trailing sums side by side (accounts × the 24 months), and which accounts are key ones.
    sums = (
        np.concatenate([t12[:, shares.TRAILING - 1 :] for _ids, t12 in blocks])
        if blocks
        else np.zeros((0, months))
    )
    key = np.isin(np.concatenate([ids for ids, _t12 in blocks]), key_ids) if blocks else np.zeros(0, bool)
    result = []
    for i in range(months):
        figures = sums[:, i].astype(np.int64)
        positive = figures > 0
        values = figures[positive]
        n = len(values)
        top = -(-shares.TOP_PERCENT * n // 100)
        top_sum = int(np.partition(values, n - top)[n - top :].sum()) if top else 0
        result.append(
            {
                "month": month_of(first + i).isoformat(),
                "accounts": n,
                "total": money(int(values.sum())),
                "top_accounts": top,
                "top": money(top_sum),
                "key_accounts": int((positive & key).sum()),
                "key": money(int(figures[positive & key].sum())),
            }
        )
    return {"as_of": as_of.isoformat(), "last_month": month_of(last).isoformat(), "months": result}
