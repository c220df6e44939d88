"""The figures of a set of accounts — the whole department, a team, one manager's portfolio — from arrays of
their stored metrics: the Pareto curve, the ABC×XYZ cells, the RFM segments, the key-account and top-20 % shares.

One function for every scope: the computation stores the department's (`AnalyticsRun.summary`, read by whoever
sees every account, so the head's dashboard does not re-read a million rows), and the selectors compute a
team's or a manager's from the rows `visible_to` gives them. JSON-ready: money as decimal strings.
"""

from dataclasses import dataclass
from decimal import Decimal

import numpy as np

PARETO_POINTS = 100  # the curve is drawn through the accounts' share 1 %, 2 %, ... 100 %
TOP_SHARE = 20  # Pareto's "20 % of the clients" (the seeds)
CLASSES = ("A", "B", "C", "D")
XYZ = ("X", "Y", "Z", "")  # "" = too new to class


def money(kopecks: int) -> str:
    return str(Decimal(int(kopecks)) / 100)


def percent(part: int, whole: int) -> str:
    """part / whole in per cent, two places, exact on integers ("0.00" when the whole is not positive)."""
    if whole <= 0:
        return "0.00"
    return str((Decimal(int(part)) * 100 / Decimal(int(whole))).quantize(Decimal("0.01")))


@dataclass(frozen=True)
class Scope:
    """The accounts of a scope, one element each: the basis total of the window in kopecks (revenue or margin,
    whichever ABC ran on), the classes, the RFM segment and whether the account is a key account."""

    totals: np.ndarray  # int64 kopecks
    abc: np.ndarray
    xyz: np.ndarray
    segment: np.ndarray
    key: np.ndarray  # bool

    @classmethod
    def of(cls, totals, abc, xyz, segment, key) -> "Scope":
        return cls(
            np.asarray(totals, dtype=np.int64),
            np.asarray(abc, dtype="<U1"),
            np.asarray(xyz, dtype="<U1"),
            np.asarray(segment, dtype="<U16"),
            np.asarray(key, dtype=bool),
        )


def pareto(totals: np.ndarray, points: int = PARETO_POINTS) -> dict:
    """The cumulative share of the total held by the top k % of the accounts with a positive total, for k = 1 ..
    100, and the share of accounts in A and in A+B by their position on the curve. Accounts with nothing (D)
    are not on the curve: "20 % of the clients" means of those who bought."""
    positive = np.sort(totals[totals > 0])[::-1]
    n, grand = len(positive), int(positive.sum()) if len(positive) else 0
    if not n:
        return {"accounts": 0, "total": "0", "curve": []}
    cumulative = np.cumsum(positive)
    curve = []
    for k in range(1, points + 1):
        count = -(-k * n // points)  # ceil: the top k % holds at least one account
        curve.append([k, percent(int(cumulative[count - 1]), grand)])
    return {"accounts": n, "total": money(grand), "curve": curve}


def cells(scope: Scope) -> dict:
    """Per ABC×XYZ cell ("AX" … "CZ", "A" for A too new for XYZ, "D"): accounts and share of the total."""
    grand = int(scope.totals[scope.totals > 0].sum())
    found = {}
    for a in CLASSES:
        for x in XYZ if a != "D" else ("",):
            mask = (scope.abc == a) & (scope.xyz == x) if a != "D" else scope.abc == "D"
            count = int(mask.sum())
            if count:
                total = int(scope.totals[mask].sum())
                found[a + x] = {
                    "accounts": count,
                    "total": money(total),
                    "share": percent(max(total, 0), grand),
                }
    return found


def segments(scope: Scope) -> dict:
    grand = int(scope.totals[scope.totals > 0].sum())
    found = {}
    for code in np.unique(scope.segment[scope.segment != ""]):
        mask = scope.segment == code
        total = int(scope.totals[mask].sum())
        found[str(code)] = {
            "accounts": int(mask.sum()),
            "total": money(total),
            "share": percent(max(total, 0), grand),
        }
    return found


def shares(scope: Scope) -> dict:
    """The share of the scope's positive total held by key accounts and by the top 20 % of the accounts."""
    positive = scope.totals > 0
    grand = int(scope.totals[positive].sum())
    ranked = np.sort(scope.totals[positive])[::-1]
    top = -(-TOP_SHARE * len(ranked) // 100)
    return {
        "key": percent(int(scope.totals[positive & scope.key].sum()), grand),
        "top20": percent(int(ranked[:top].sum()), grand),
        "key_accounts": int(scope.key.sum()),
    }


def summarise(scope: Scope) -> dict:
    return {
        "accounts": len(scope.totals),
        "pareto": pareto(scope.totals),
        "cells": cells(scope),
        "segments": segments(scope),
        "shares": shares(scope),
    }
