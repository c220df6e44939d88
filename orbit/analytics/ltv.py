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


def _unique(*columns: np.ndarray) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """The distinct rows of the columns, how many times each occurs, and for each input row the index of its
    distinct row (a sort and a comparison of neighbours: np.unique(axis=0) is several times slower)."""
    order = np.lexsort(columns[::-1])
    ordered = [c[order] for c in columns]
    new_row = np.ones(len(order), dtype=bool)
    for c in ordered:
        new_row[1:] |= c[1:] != c[:-1]
    starts = np.flatnonzero(new_row)
    counts = np.diff(np.append(starts, len(order))).astype(float)
    inverse = np.empty(len(order), dtype=np.intp)
    inverse[order] = np.cumsum(new_row) - 1
    return [c[starts] for c in ordered], counts, inverse


@dataclass(frozen=True)
class Rows:
    """The data a likelihood is evaluated on: distinct rows with their weights (shares of all clients, so the
    optimiser's tolerances are per client: on a total over a million, rounding noise in the gradient keeps it
    searching long after the optimum), and the distinct repeat counts — gammaln and digamma of terms in x are
    computed once per distinct x (a few hundred values), not once per row."""

    x: np.ndarray
    t_x: np.ndarray
    T: np.ndarray
    m: np.ndarray
    weights: np.ndarray
    xs: np.ndarray  # the distinct values of x
    x_at: np.ndarray  # for each row, the index of its x in xs

    @classmethod
    def of(cls, x, t_x=None, T=None, m=None, weights=None) -> "Rows":
        x = np.asarray(x, dtype=float)
        zeros = np.zeros(len(x))
        weights = np.ones(len(x)) if weights is None else np.asarray(weights, dtype=float)
        xs, x_at = np.unique(x, return_inverse=True)
        return cls(
            x=x,
            t_x=zeros if t_x is None else np.asarray(t_x, dtype=float),
            T=zeros if T is None else np.asarray(T, dtype=float),
            m=zeros if m is None else np.asarray(m, dtype=float),
            weights=weights / weights.sum(),
            xs=xs,
            x_at=x_at,
        )

    def per_x(self, values: np.ndarray) -> np.ndarray:
        return values[self.x_at]


def _minimize(negative_ll, start: np.ndarray, rows: Rows):
    return minimize(
        negative_ll, start, args=(rows,), jac=True, method="L-BFGS-B", options={"ftol": 1e-13, "gtol": 1e-9}
    )


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
            self.a
            / np.where(x > 0, self.b + x - 1, 1.0)
            * ((self.alpha + T) / (self.alpha + t_x)) ** (self.r + x),
            0.0,
        )
        return 1.0 / (1.0 + ratio)

    def if_alive(self, t, x, T):
        """E[purchases in the next t periods | x, T, alive at T]: FHL 2005 eq. 10 without its P(alive) factor,
        which alone depends on t_x."""
        x, T = np.asarray(x, dtype=float), np.asarray(T, dtype=float)
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        z = t / (alpha + T + t)
        head = (a + b + x - 1) / (a - 1)
        return head * (
            1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(r + x, b + x, a + b + x - 1, z)
        )

    def expected_purchases(self, t, x, t_x, T):
        """E[purchases in the next t periods | x, t_x, T] (FHL 2005, eq. 10)."""
        return self.if_alive(t, x, T) * self.p_alive(x, t_x, T)


def _bgnbd_negative_ll(log_params: np.ndarray, rows: Rows) -> tuple[float, np.ndarray]:
    """Minus the mean log-likelihood (FHL 2005, eq. 6) and its gradient in the log parameters."""
    params = np.exp(log_params)
    r, alpha, a, b = params
    x, t_x, T, xs = rows.x, rows.t_x, rows.T, rows.xs
    repeat = x > 0
    log_at_T, log_at_tx = np.log(alpha + T), np.log(alpha + t_x)
    A1 = rows.per_x(gammaln(r + xs)) - gammaln(r) + r * np.log(alpha)
    A2 = gammaln(a + b) + rows.per_x(gammaln(b + xs) - gammaln(a + b + xs)) - gammaln(b)
    A3 = -(r + x) * log_at_T
    after_last = np.where(repeat, b + x - 1, 1.0)
    A4 = np.where(repeat, np.log(a) - np.log(after_last) - (r + x) * log_at_tx, -np.inf)
    top = np.maximum(A3, A4)
    e3, e4 = np.exp(A3 - top), np.exp(A4 - top)
    ll = A1 + A2 + top + np.log(e3 + e4)
    w3, w4 = e3 / (e3 + e4), e4 / (e3 + e4)  # the shares of the two terms inside the last logarithm
    d_r = rows.per_x(digamma(r + xs)) - digamma(r) + np.log(alpha) - w3 * log_at_T - w4 * log_at_tx
    d_alpha = r / alpha - (r + x) * (w3 / (alpha + T) + w4 / (alpha + t_x))
    d_ab = digamma(a + b) - rows.per_x(digamma(a + b + xs))  # shared by a and b
    d_a = d_ab + w4 / a
    d_b = d_ab + rows.per_x(digamma(b + xs)) - digamma(b) - w4 / after_last
    weights = rows.weights
    gradient = np.array([weights @ d for d in (d_r, d_alpha, d_a, d_b)]) * params
    return -float(weights @ ll), -gradient


def fit_bgnbd(x, t_x, T) -> BgNbd:
    (ux, ut, uT), counts, _ = _unique(np.asarray(x, float), np.asarray(t_x, float), np.asarray(T, float))
    start = np.log([1.0, max(float(np.mean(T)), 1e-3), 1.0, 1.0])
    result = _minimize(_bgnbd_negative_ll, start, Rows.of(ux, ut, uT, weights=counts))
    r, alpha, a, b = np.exp(result.x)
    return BgNbd(r=r, alpha=alpha, a=a, b=b, log_likelihood=-float(result.fun) * counts.sum())


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


def _gg_negative_ll(log_params: np.ndarray, rows: Rows) -> tuple[float, np.ndarray]:
    """Minus the mean log-likelihood (FH 2013, eq. 3) and its gradient in the log parameters."""
    params = np.exp(log_params)
    p, q, v = params
    x, m, xs = rows.x, rows.m, rows.xs
    px = p * x
    log_m, log_x, log_vmx = np.log(m), np.log(x), np.log(v + m * x)
    ll = (
        rows.per_x(gammaln(p * xs + q) - gammaln(p * xs))
        - gammaln(q)
        + q * np.log(v)
        + (px - 1) * log_m
        + px * log_x
        - (px + q) * log_vmx
    )
    shared = rows.per_x(digamma(p * xs + q)) - log_vmx
    d_p = x * (shared - rows.per_x(digamma(p * xs)) + log_m + log_x)
    d_q = shared - digamma(q) + np.log(v)
    d_v = q / v - (px + q) / (v + m * x)
    weights = rows.weights
    gradient = np.array([weights @ d for d in (d_p, d_q, d_v)]) * params
    return -float(weights @ ll), -gradient


def fit_gamma_gamma(x, m) -> GammaGamma:
    """Fitted on the clients with at least one repeat purchase and a positive mean value. The mean values are
    continuous, so there are about as many distinct (x, m) rows as clients: no grouping of rows here. The
    start puts the population mean p·γ/(q − 1) at the observed mean."""
    x, m = np.asarray(x, dtype=float), np.asarray(m, dtype=float)
    keep = (x > 0) & (m > 0)
    rows = Rows.of(x[keep], m=m[keep])
    start = np.log([1.0, 2.0, max(float(np.mean(m[keep])), 1e-3)])
    result = _minimize(_gg_negative_ll, start, rows)
    p, q, v = np.exp(result.x)
    return GammaGamma(p=p, q=q, v=v, log_likelihood=-float(result.fun) * int(keep.sum()))


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
    the cumulative expectation) × the expected spend, discounted at `monthly_discount` per month. The costly part
    (a hypergeometric function per month) depends on (x, T) only: it is computed once per distinct pair, then
    multiplied by each client's P(alive) and expected spend."""
    month = PERIOD_DAYS["month"] / PERIOD_DAYS[period]
    (x, T), _counts, inverse = _unique(summary.x, summary.T)
    discounted = np.zeros(len(x))
    previous = np.zeros(len(x))
    for i in range(1, months + 1):  # a loop over months, each step vectorised over the distinct pairs
        cumulative = purchases.if_alive(i * month, x, T)
        discounted += (cumulative - previous) / (1 + monthly_discount) ** i
        previous = cumulative
    alive = purchases.p_alive(summary.x, summary.t_x, summary.T)
    return discounted[inverse] * alive * spend.expected_spend(summary.x, summary.m)
