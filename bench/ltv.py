"""Predicted LTV at scale: fit BG/NBD and Gamma-Gamma and predict 12-month discounted CLV for a million clients
with Orbit's models (`orbit/analytics/ltv.py`) and with `lifetimes` (the reference implementation, unmaintained)
on the same data in the same run; report both times, their ratio and how far the parameters agree.

    .venv/bin/python -m bench.ltv --customers 1000000            # ~1.5 min, most of it lifetimes
    .venv/bin/python -m bench.ltv --customers 1000000 --out bench/results_ltv.md

The clients are drawn from the models' own generative story (FHL 2005, FH 2013) with the CDNOW parameters, born
over three years, watched to a common end, one purchase a day at most: the fit should find the parameters that
made them, which checks both implementations on data far larger than CDNOW.
"""

import argparse
import datetime as dt
import os
import platform
import time

import numpy as np

from orbit.analytics import ltv

TRUE = {"r": 0.2426, "alpha": 4.4135, "a": 0.7929, "b": 2.4258, "p": 6.2496, "q": 3.7442, "v": 15.4435}
HORIZON_WEEKS = 156  # clients are born over three years before the end of the calibration


def simulate(n: int, seed: int) -> ltv.Summary:
    """x, t_x, T in weeks (times rounded to whole days, as real purchase dates are) and the mean repeat value."""
    rng = np.random.default_rng(seed)
    rate = rng.gamma(TRUE["r"], 1 / TRUE["alpha"], n)  # purchases a week while alive
    drop = rng.beta(TRUE["a"], TRUE["b"], n)  # chance to leave after each purchase
    age_days = rng.integers(1, HORIZON_WEEKS * 7 + 1, n)
    T = age_days / 7.0
    x = np.zeros(n)
    last = np.zeros(n)  # time of the last repeat purchase, weeks
    alive = np.ones(n, dtype=bool)
    clock = np.zeros(n)
    while alive.any():  # one round per purchase index; the alive set shrinks fast
        idx = np.flatnonzero(alive)
        clock[idx] += rng.exponential(1 / rate[idx])
        bought = clock[idx] <= T[idx]
        hit = idx[bought]
        day = np.floor(clock[hit] * 7) / 7  # whole days
        new_day = day > last[hit]  # a second purchase on the same day is the same purchase
        x[hit[new_day]] += 1
        last[hit] = day
        alive[idx[~bought]] = False
        alive[hit[rng.random(len(hit)) < drop[hit]]] = False
    nu = rng.gamma(TRUE["q"], 1 / TRUE["v"], n)
    m = np.where(x > 0, rng.gamma(np.maximum(TRUE["p"] * x, 1e-9), 1 / np.maximum(nu * x, 1e-9)), 0.0)
    return ltv.Summary(customers=np.arange(n), x=x, t_x=np.where(x > 0, last, 0.0), T=T, m=m)


def ours(s: ltv.Summary) -> tuple[dict, dict, np.ndarray]:
    times = {}
    start = time.perf_counter()
    purchases = ltv.fit_bgnbd(s.x, s.t_x, s.T)
    times["bgnbd fit"] = time.perf_counter() - start
    start = time.perf_counter()
    spend = ltv.fit_gamma_gamma(s.x, s.m)
    times["gamma-gamma fit"] = time.perf_counter() - start
    start = time.perf_counter()
    value = ltv.clv(purchases, spend, s, months=12, monthly_discount=0.01)
    times["12-month CLV"] = time.perf_counter() - start
    params = {"r": purchases.r, "alpha": purchases.alpha, "a": purchases.a, "b": purchases.b}
    params |= {"p": spend.p, "q": spend.q, "v": spend.v}
    return times, params, value


def reference(s: ltv.Summary) -> tuple[dict, dict, np.ndarray]:
    import pandas as pd
    from lifetimes import BetaGeoFitter, GammaGammaFitter

    frame = pd.DataFrame({"frequency": s.x, "recency": s.t_x, "T": s.T, "monetary_value": s.m})
    times = {}
    start = time.perf_counter()
    bg = BetaGeoFitter().fit(frame["frequency"], frame["recency"], frame["T"])
    times["bgnbd fit"] = time.perf_counter() - start
    repeat = frame[(frame["frequency"] > 0) & (frame["monetary_value"] > 0)]
    start = time.perf_counter()
    gg = GammaGammaFitter().fit(repeat["frequency"], repeat["monetary_value"])
    times["gamma-gamma fit"] = time.perf_counter() - start
    start = time.perf_counter()
    # lifetimes' CLV takes the time unit in days per period ("freq") and a monthly discount rate.
    value = gg.customer_lifetime_value(
        bg,
        frame["frequency"],
        frame["recency"],
        frame["T"],
        frame["monetary_value"],
        time=12,
        discount_rate=0.01,
        freq="W",
    ).to_numpy()
    times["12-month CLV"] = time.perf_counter() - start
    params = {k: float(bg.params_[k]) for k in ("r", "alpha", "a", "b")}
    params |= {k: float(gg.params_[k]) for k in ("p", "q", "v")}
    return times, params, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--out", default="")
    parser.add_argument("--skip-lifetimes", action="store_true")
    args = parser.parse_args()
    start = time.perf_counter()
    s = simulate(args.customers, args.seed)
    made = time.perf_counter() - start
    rows = np.unique(np.column_stack([s.x, s.t_x, s.T]), axis=0).shape[0]
    t_ours, p_ours, v_ours = ours(s)
    t_ref, p_ref, v_ref = ({}, {}, None) if args.skip_lifetimes else reference(s)
    load = os.getloadavg()[0]
    lines = [
        f"## LTV fit and prediction, {args.customers:,} clients "
        f"({dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, load average {load:.1f}, {platform.python_version()})",
        "",
        f"Simulated in {made:.1f} s; {int((s.x > 0).sum()):,} with repeat purchases; {rows:,} distinct "
        "(x, t_x, T) rows — what Orbit's BG/NBD likelihood is evaluated on.",
        "",
        "| step | Orbit, s | lifetimes, s | ratio |",
        "|---|--:|--:|--:|",
    ]
    for step in t_ours:
        ref = t_ref.get(step)
        ratio = f"{ref / t_ours[step]:.0f}× faster" if ref else "—"
        lines.append(
            f"| {step} | {t_ours[step]:.2f} | {ref:.2f} | {ratio} |"
            if ref
            else f"| {step} | {t_ours[step]:.2f} | — | — |"
        )
    total_ours, total_ref = sum(t_ours.values()), sum(t_ref.values())
    if t_ref:
        lines.append(
            f"| **total** | **{total_ours:.2f}** | **{total_ref:.2f}** | **{total_ref / total_ours:.0f}× faster** |"
        )
    lines += ["", "| parameter | true | Orbit | lifetimes |", "|---|--:|--:|--:|"]
    for key, value in TRUE.items():
        ref = f"{p_ref[key]:.4f}" if p_ref else "—"
        lines.append(f"| {key} | {value} | {p_ours[key]:.4f} | {ref} |")
    if v_ref is not None:
        gap = np.abs(v_ours - v_ref) / np.maximum(np.abs(v_ref), 1e-9)
        lines += [
            "",
            f"12-month CLV, Orbit vs lifetimes per client: median relative difference {np.median(gap):.2e}, "
            f"99th percentile {np.quantile(gap, 0.99):.2e}.",
        ]
    report = "\n".join(lines) + "\n"
    print(report)
    if args.out:
        with open(args.out, "a", encoding="utf-8") as handle:
            handle.write("\n" + report)


if __name__ == "__main__":
    main()
