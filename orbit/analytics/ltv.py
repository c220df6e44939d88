"""Predicted lifetime value: the BG/NBD model of how often a client buys and whether he is still "alive"
(Fader, Hardie & Lee 2005, "Counting your customers the easy way") and the Gamma-Gamma model of how much he
spends a purchase (Fader & Hardie 2013, "The Gamma-Gamma model of monetary value").

Both are fitted by maximum likelihood with analytic gradients over the *unique* rows of the data with their
counts — a million clients have far fewer distinct (x, t_x, T) or (x, m) rows — so a fit is a few vectorised
numpy passes per iteration, not a Python loop per client. Parameters are optimised on the log scale (they are
all positive).

Notation (per client, in periods of the caller's choice — days, weeks or months):
    x    repeat purchases: distinct purchase days after the first, up to the end of the calibration
    t_x  time from the first to the last purchase
    T    time from the first purchase to the end of the calibration
    m    mean value of the repeat purchases (the first is left out, as in the papers)
"""

import datetime as dt
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import digamma, gammaln, hyp2f1

PERIOD_DAYS = {"day": 1.0, "week": 7.0, "month": 365.25 / 12}  # a month is the mean Gregorian month


@dataclass(frozen=True)
class Summary:
    """Per-client frequency, recency, age and mean repeat value, as arrays of equal length."""

    customers: np.ndarray
    x: np.ndarray
    t_x: np.ndarray
    T: np.ndarray
    m: np.ndarray  # 0 for a client without repeat purchases


def summarise(
    customers: np.ndarray,
    days: np.ndarray,
    amounts: np.ndarray,
    *,
    calibration_end: dt.date,
    period: str = "week",
) -> Summary:
    """Transactions (customer id, date as numpy datetime64[D], amount) to the per-client summary.

    One purchase per client per day: the day's amounts are added up. Transactions after `calibration_end`
    (inclusive end) are left out, and so are clients whose first purchase is after it."""
    length = PERIOD_DAYS[period]
    end = np.datetime64(calibration_end, "D")
    keep = days <= end
    customers, days, amounts = customers[keep], days[keep], amounts[keep].astype(float)
    # One row per (client, day), amounts summed: sort by both, then reduce runs of equal pairs.
    order = np.lexsort((days, customers))
    customers, days, amounts = customers[order], days[order], amounts[order]
    new_pair = np.ones(len(customers), dtype=bool)
    new_pair[1:] = (customers[1:] != customers[:-1]) | (days[1:] != days[:-1])
    starts = np.flatnonzero(new_pair)
    customers, days = customers[starts], days[starts]
    amounts = np.add.reduceat(amounts, starts) if len(starts) else amounts[:0]
    # Per client: the first and last day, the number of days and the value of the days after the first.
    first_of_client = np.ones(len(customers), dtype=bool)
    first_of_client[1:] = customers[1:] != customers[:-1]
    heads = np.flatnonzero(first_of_client)
    tails = np.append(heads[1:], len(customers)) - 1
    counts = tails - heads + 1
    total = np.add.reduceat(amounts, heads) if len(heads) else amounts[:0]
    first_day, last_day = days[heads], days[tails]
    x = counts - 1
    repeat_value = total - amounts[heads]
    m = np.divide(repeat_value, x, out=np.zeros(len(x)), where=x > 0)
    day = np.timedelta64(1, "D")
    return Summary(
        customers=customers[heads],
        x=x.astype(float),
        t_x=(last_day - first_day) / day / length,
        T=(end - first_day) / day / length,
        m=m,
    )


def _unique(*columns: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """The distinct rows of the columns and how many times each occurs."""
    stacked = np.column_stack(columns)
    rows, counts = np.unique(stacked, axis=0, return_counts=True)
    return [rows[:, i] for i in range(rows.shape[1])], counts.astype(float)


# --- BG/NBD ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BgNbd:
    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float

    def p_alive(self, x, t_x, T):
        """P(the client is still active at T | x, t_x, T) (FHL 2005, eq. 13)."""
        x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
        ratio = np.where(
            x > 0,
            self.a / (self.b + x - 1) * ((self.alpha + T) / (self.alpha + t_x)) ** (self.r + x),
            0.0,
        )
        return 1.0 / (1.0 + ratio)

    def expected_purchases(self, t, x, t_x, T):
        """E[purchases in the next t periods | x, t_x, T] (FHL 2005, eq. 10)."""
        x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        z = t / (alpha + T + t)
        head = (a + b + x - 1) / (a - 1)
        body = 1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z)
        return head * body * self.p_alive(x, t_x, T)


def _bgnbd_terms(params: np.ndarray, x, t_x, T):
    r, alpha, a, b = params
    A1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    A2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    A3 = -(r + x) * np.log(alpha + T)
    repeat = x > 0
    A4 = np.where(
        repeat, np.log(a) - np.log(np.where(repeat, b + x - 1, 1.0)) - (r + x) * np.log(alpha + t_x), -np.inf
    )
    top = np.maximum(A3, A4)
    e3, e4 = np.exp(A3 - top), np.exp(A4 - top)
    return A1, A2, A3, A4, top, e3, e4


def _bgnbd_negative_ll(log_params: np.ndarray, x, t_x, T, weights) -> tuple[float, np.ndarray]:
    params = np.exp(log_params)
    r, alpha, a, b = params
    A1, A2, _A3, _A4, top, e3, e4 = _bgnbd_terms(params, x, t_x, T)
    ll = A1 + A2 + top + np.log(e3 + e4)
    w3, w4 = e3 / (e3 + e4), e4 / (e3 + e4)  # the shares of the two terms inside the last logarithm
    repeat = x > 0
    d_r = digamma(r + x) - digamma(r) + np.log(alpha) - w3 * np.log(alpha + T) - w4 * np.log(alpha + t_x)
    d_alpha = r / alpha - w3 * (r + x) / (alpha + T) - w4 * (r + x) / (alpha + t_x)
    d_a = digamma(a + b) - digamma(a + b + x) + w4 / a
    d_b = (
        digamma(a + b)
        + digamma(b + x)
        - digamma(b)
        - digamma(a + b + x)
        - w4 / np.where(repeat, b + x - 1, 1.0)
    )
    gradient = np.array([(weights * d).sum() for d in (d_r, d_alpha, d_a, d_b)]) * params
    return -float((weights * ll).sum()), -gradient


def fit_bgnbd(x, t_x, T) -> BgNbd:
    (ux, ut, uT), weights = _unique(np.asarray(x, float), np.asarray(t_x, float), np.asarray(T, float))
    start = np.log([1.0, max(float(np.mean(T)), 1e-3), 1.0, 1.0])
    result = minimize(_bgnbd_negative_ll, start, args=(ux, ut, uT, weights), jac=True, method="BFGS")
    r, alpha, a, b = np.exp(result.x)
    return BgNbd(r=r, alpha=alpha, a=a, b=b, log_likelihood=-float(result.fun))


# --- Gamma-Gamma -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GammaGamma:
    p: float
    q: float
    v: float  # the papers' gamma (lifetimes calls it v)
    log_likelihood: float

    def expected_spend(self, x, m):
        """E[mean purchase value | x, m] (FH 2013, eq. 5); a client without repeat purchases gets the
        population mean p·v / (q − 1)."""
        x, m = np.asarray(x, dtype=float), np.asarray(m, dtype=float)
        p, q, v = self.p, self.q, self.v
        return (p * (v + x * m)) / (p * x + q - 1)


def _gg_negative_ll(log_params: np.ndarray, x, m, weights) -> tuple[float, np.ndarray]:
    params = np.exp(log_params)
    p, q, v = params
    px = p * x
    ll = (
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + q * np.log(v)
        + (px - 1) * np.log(m)
        + px * np.log(x)
        - (px + q) * np.log(v + m * x)
    )
    shared = digamma(px + q) - np.log(v + m * x)
    d_p = x * (shared - digamma(px) + np.log(m) + np.log(x))
    d_q = shared - digamma(q) + np.log(v)
    d_v = q / v - (px + q) / (v + m * x)
    gradient = np.array([(weights * d).sum() for d in (d_p, d_q, d_v)]) * params
    return -float((weights * ll).sum()), -gradient


def fit_gamma_gamma(x, m) -> GammaGamma:
    """Fitted on the clients with at least one repeat purchase and a positive mean value."""
    x, m = np.asarray(x, dtype=float), np.asarray(m, dtype=float)
    keep = (x > 0) & (m > 0)
    (ux, um), weights = _unique(x[keep], m[keep])
    start = np.log([1.0, 2.0, max(float(np.mean(m[keep])), 1e-3)])
    result = minimize(_gg_negative_ll, start, args=(ux, um, weights), jac=True, method="BFGS")
    p, q, v = np.exp(result.x)
    return GammaGamma(p=p, q=q, v=v, log_likelihood=-float(result.fun))


# --- Customer lifetime value --------------------------------------------------------------------------------


def clv(
    purchases: BgNbd,
    spend: GammaGamma,
    summary: Summary,
    *,
    months: int,
    monthly_discount: float,
    period: str = "week",
) -> np.ndarray:
    """Discounted value of the next `months` months: the expected purchases of each month (the difference of
    the cumulative expectation) × the expected spend, discounted at `monthly_discount` per month."""
    month = PERIOD_DAYS["month"] / PERIOD_DAYS[period]
    args = (summary.x, summary.t_x, summary.T)
    value_each = spend.expected_spend(summary.x, summary.m)
    total = np.zeros(len(summary.x))
    previous = np.zeros(len(summary.x))
    for i in range(1, months + 1):  # a loop over months, each step vectorised over all clients
        cumulative = purchases.expected_purchases(i * month, *args)
        total += (cumulative - previous) * value_each / (1 + monthly_discount) ** i
        previous = cumulative
    return total
