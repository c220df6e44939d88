"""ABC/ABCD and XYZ classes of accounts, vectorised over arrays (one account per element, no Python loop over
the base). The rules, deterministic and the same on every database:

ABC / ABCD, by each account's total over the window (revenue or margin, in kopecks):
- D: a total of zero or below — no revenue in the window, or credit notes that took back more than was sold.
- The rest by total, largest first. An account is A while the share of the accounts ranked *before* it is below
  the A threshold (80 % by default), so the account that crosses 80 % is A (a single client with 90 % of the
  money is A, not B); likewise B below the B threshold (95 %); C the rest.
- Equal totals take the same class: the better one, that of the first of them (ordering equals by id would
  split them between classes by an accident of numbering).
- Shares are compared exactly on integer kopecks (`cumulative × 100 < threshold × total`), no float rounding
  at the boundary: an account whose predecessors hold exactly 80 % is B.

XYZ, by the coefficient of variation of the monthly totals (population standard deviation / mean):
- Months count from the account's first purchase month (or the window's first month, if later) to the window's
  last; months without a purchase count as zero — they are part of its rhythm.
- Fewer than `min_months` such months (6 by default): no class yet ("" — too new to say).
- A mean of zero or below: Z (nothing steady about it). Else X up to 10 %, Y up to 25 %, Z above.

The thresholds are the common textbook defaults, Orbit's, not the seeds' (which give Pareto's 80/20 only).
"""

import numpy as np

ABC_THRESHOLDS = (80, 95)  # per cent of the total: A below the first, B below the second
XYZ_LIMITS = (10, 25)  # per cent: X up to the first, Y up to the second
XYZ_MIN_MONTHS = 6


def abc_classes(totals_kopecks: np.ndarray, ids: np.ndarray, thresholds=ABC_THRESHOLDS) -> np.ndarray:
    """The class of each account ("A", "B", "C", "D"), in the order given."""
    totals = np.asarray(totals_kopecks, dtype=np.int64)
    ids = np.asarray(ids)
    classes = np.full(len(totals), "D", dtype="<U1")
    positive = np.flatnonzero(totals > 0)
    if not len(positive):
        return classes
    order = positive[np.lexsort((ids[positive], -totals[positive]))]  # largest first, then by id
    ranked = totals[order]
    grand = int(ranked.sum())
    if grand > np.iinfo(np.int64).max // 100:
        raise OverflowError("totals beyond 9·10^14 roubles cannot be classed exactly")
    before = np.cumsum(ranked) - ranked  # what the accounts ranked before each one hold
    # Equal totals share the class of the first of them: carry its "before" over the run of equals.
    starts = np.r_[True, ranked[1:] != ranked[:-1]]
    before = before[np.maximum.accumulate(np.where(starts, np.arange(len(ranked)), 0))]
    a, b = thresholds
    ranked_classes = np.where(before * 100 < a * grand, "A", np.where(before * 100 < b * grand, "B", "C"))
    classes[order] = ranked_classes
    return classes


def xyz_classes(
    monthly: np.ndarray, history: np.ndarray, *, limits=XYZ_LIMITS, min_months: int = XYZ_MIN_MONTHS
) -> tuple[np.ndarray, np.ndarray]:
    """(class per account, coefficient of variation in per cent or NaN) from `monthly` — accounts × months of
    the window, oldest first, zero where nothing was bought — and `history`, each account's number of months
    from its first purchase month to the window's end (capped by the window by the caller or here)."""
    monthly = np.asarray(monthly, dtype=float)
    months = monthly.shape[1]
    counted = np.minimum(np.asarray(history, dtype=int), months)
    # Only the last `counted` months of each row are his: mask the months before his first purchase.
    mine = np.arange(months)[None, :] >= (months - counted)[:, None]
    n = np.maximum(counted, 1)
    mean = np.where(mine, monthly, 0).sum(axis=1) / n
    spread = np.sqrt(np.where(mine, (monthly - mean[:, None]) ** 2, 0).sum(axis=1) / n)
    with np.errstate(divide="ignore", invalid="ignore"):
        cv = np.where(mean > 0, spread / mean * 100, np.nan)
    x, y = limits
    classes = np.where(mean <= 0, "Z", np.where(cv <= x, "X", np.where(cv <= y, "Y", "Z"))).astype("<U1")
    too_new = counted < min_months
    classes[too_new] = ""
    cv[too_new | (mean <= 0)] = np.nan
    return classes, cv


def xyz_from_sums(
    total: np.ndarray,
    squares: np.ndarray,
    history: np.ndarray,
    *,
    months: int,
    limits=XYZ_LIMITS,
    min_months: int = XYZ_MIN_MONTHS,
) -> tuple[np.ndarray, np.ndarray]:
    """The same classes as `xyz_classes`, from each account's sum and sum of squares of its monthly totals over
    its months of the window (what SQL aggregates without handing over the accounts × months matrix):
    mean = Σx / n, variance = Σx² / n − mean². `history` as in `xyz_classes`, capped at `months`."""
    counted = np.minimum(np.asarray(history, dtype=int), months)
    n = np.maximum(counted, 1)
    mean = np.asarray(total, dtype=float) / n
    variance = np.maximum(np.asarray(squares, dtype=float) / n - mean**2, 0.0)  # rounding may dip below 0
    with np.errstate(divide="ignore", invalid="ignore"):
        cv = np.where(mean > 0, np.sqrt(variance) / mean * 100, np.nan)
    x, y = limits
    classes = np.where(mean <= 0, "Z", np.where(cv <= x, "X", np.where(cv <= y, "Y", "Z"))).astype("<U1")
    too_new = counted < min_months
    classes[too_new] = ""
    cv[too_new | (mean <= 0)] = np.nan
    return classes, cv


def abc_cuts(totals_kopecks: np.ndarray, classes: np.ndarray) -> dict:
    """The smallest total that is still A, and still B (kopecks), after a full classing: an incremental run
    classes a changed account by these values, as if it had been ranked with the others (equal totals share a
    class, so a value classes the same as its rank would)."""
    totals = np.asarray(totals_kopecks, dtype=np.int64)
    cuts = {}
    for name in ("A", "B"):
        chosen = totals[classes == name]
        cuts[name] = int(chosen.min()) if len(chosen) else None
    return cuts


def abc_by_cuts(totals_kopecks: np.ndarray, cuts: dict) -> np.ndarray:
    totals = np.asarray(totals_kopecks, dtype=np.int64)
    a = cuts.get("A")
    b = cuts.get("B")
    big = np.iinfo(np.int64).max
    a = big if a is None else a
    b = a if b is None else b
    return np.where(totals <= 0, "D", np.where(totals >= a, "A", np.where(totals >= b, "B", "C"))).astype(
        "<U1"
    )
