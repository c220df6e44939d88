"""The computation's array steps against plain Python: the vectorised group-by of the invoices, the RFM cuts an
incremental run scores with, the ABC cuts, and the prediction wired to the LTV models."""

import datetime as dt
from collections import defaultdict

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from orbit.analytics import classes, compute, ltv, rfm

AS_OF = dt.date(2026, 12, 5)
WINDOW = compute.Window.of(AS_OF, 12)
DAY0 = compute._day_number_of(dt.date(2024, 1, 1))
invoice = st.tuples(
    st.integers(1, 6),  # account
    st.integers(0, (AS_OF - dt.date(2024, 1, 1)).days),  # day offset
    st.booleans(),  # a purchase (else a credit note)
    st.integers(1, 10**9),  # kopecks
    st.integers(-(10**8), 10**8),  # margin kopecks
)


def by_hand(rows) -> dict[int, dict]:
    """The per-account figures, the slow obvious way."""
    found: dict[int, dict] = {}
    days: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    for account, offset, bought, amount, margin in rows:
        net = amount if bought else -amount
        days[account][DAY0 + offset].append((bought, net, margin))
    rfm_start = compute._day_number_of(WINDOW.rfm_start)
    first_month = (WINDOW.start.year, WINDOW.start.month)
    last_month = (WINDOW.end.year, WINDOW.end.month)
    for account, per_day in days.items():
        purchase_days = sorted(d for d, items in per_day.items() if any(b for b, _, _ in items))
        months: dict = defaultdict(int)
        for d, items in per_day.items():
            day = compute.EPOCH + dt.timedelta(days=d)
            if first_month <= (day.year, day.month) <= last_month:
                months[(day.year, day.month)] += sum(n for _, n, _ in items)
        spend = {d: sum(n for b, n, _ in items if b) for d, items in per_day.items()}
        found[account] = {
            "revenue_to_date": sum(n for items in per_day.values() for _, n, _ in items),
            "margin_to_date": sum(m for items in per_day.values() for _, _, m in items),
            "first": purchase_days[0] if purchase_days else -1,
            "last": purchase_days[-1] if purchase_days else -1,
            "purchase_days": len(purchase_days),
            "window_days": sum(1 for d in purchase_days if d > rfm_start),
            "rfm_money": sum(n for d, items in per_day.items() if d > rfm_start for _, n, _ in items),
            "spend": sum(spend.values()),
            "first_spend": spend[purchase_days[0]] if purchase_days else 0,
            "window_revenue": sum(months.values()),
            "squares": sum((v / 100) ** 2 for v in months.values()),
        }
    return found


@settings(max_examples=150, deadline=None)
@given(st.lists(invoice, max_size=40))
def test_the_vectorised_group_by_equals_the_obvious_loop(rows):
    arrays = {
        "account": np.array([r[0] for r in rows], dtype=np.int64),
        "day": np.array([DAY0 + r[1] for r in rows], dtype=np.int64),
        "bought": np.array([int(r[2]) for r in rows], dtype=np.int64),
        "net": np.array([r[3] if r[2] else -r[3] for r in rows], dtype=np.int64),
        "margin": np.array([r[4] for r in rows], dtype=np.int64),
    }
    f = compute.group(arrays, WINDOW)
    expected = by_hand(rows)
    assert f.ids.tolist() == sorted(expected)
    for i, account in enumerate(f.ids.tolist()):
        want = expected[account]
        assert np.isclose(f.squares[i], want.pop("squares"), rtol=1e-12), account  # floats, another order
        got = {name: getattr(f, name)[i].item() for name in want}
        assert got == want, account


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 30), min_size=1, max_size=60), st.booleans())
def test_the_rfm_cuts_score_the_population_as_the_ranking_does(values, higher_is_better):
    values = np.array(values, dtype=float)
    cuts = rfm.quintile_cuts(values, higher_is_better=higher_is_better)
    by_cuts = rfm.scores_by_cuts(values, cuts, higher_is_better=higher_is_better)
    assert by_cuts.tolist() == rfm.quintile_scores(values, higher_is_better=higher_is_better).tolist()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-5, 50), min_size=1, max_size=60))
def test_the_abc_cuts_class_the_population_as_the_ranking_does(totals):
    totals = np.array(totals, dtype=np.int64)
    ranked = classes.abc_classes(totals, np.arange(len(totals)))
    cuts = classes.abc_cuts(totals, ranked)
    assert classes.abc_by_cuts(totals, cuts).tolist() == ranked.tolist()


def test_a_single_dominant_account_is_a_and_a_new_small_one_is_c_by_the_cuts():
    totals = np.array([9000, 500, 300, 200, 0])
    ranked = classes.abc_classes(totals, np.arange(5))
    assert ranked.tolist() == ["A", "B", "C", "C", "D"]  # before: 0, 90 % (< 95 % → B), 95 %, 98 %
    assert classes.abc_by_cuts(
        np.array([9001, 501, 499, 1, -3]), classes.abc_cuts(totals, ranked)
    ).tolist() == ["A", "B", "C", "C", "D"]


def test_xyz_from_sums_equals_xyz_from_the_months():
    rng = np.random.default_rng(7)
    monthly = rng.integers(0, 5, size=(200, 12)) * rng.integers(0, 3000, size=(200, 1))
    history = rng.integers(0, 15, size=200)
    counted = np.minimum(history, 12)
    mine = np.arange(12)[None, :] >= (12 - counted)[:, None]
    from_months, cv_months = classes.xyz_classes(monthly, history)
    kept = np.where(mine, monthly, 0)
    from_sums, cv_sums = classes.xyz_from_sums(
        kept.sum(axis=1), (kept.astype(float) ** 2).sum(axis=1), history, months=12
    )
    assert from_sums.tolist() == from_months.tolist()
    assert np.allclose(cv_sums, cv_months, equal_nan=True)


def test_the_prediction_is_the_ltv_models_on_the_accounts_summary():
    """Accounts in weeks from their days: the run's CLV equals ltv.clv on the same (x, t_x, T, m)."""
    rng = np.random.default_rng(3)
    n = 400
    first = compute._day_number_of(AS_OF) - rng.integers(30, 700, n)
    purchase_days = rng.integers(1, 12, n)
    last = np.minimum(first + (purchase_days - 1) * rng.integers(5, 60, n), compute._day_number_of(AS_OF))
    spend = purchase_days * rng.integers(10_000, 500_000, n)
    first_spend = spend // purchase_days
    zeros = np.zeros(n, dtype=np.int64)
    f = compute.Figures(
        np.arange(n),
        spend,
        spend // 4,
        first,
        last,
        purchase_days,
        zeros,
        zeros,
        spend,
        first_spend,
        zeros,
        zeros,
        np.zeros(n),
    )
    nan = np.full(n, np.nan)
    r = compute.Results(*[np.zeros(n)] * 10, nan.copy(), nan.copy(), nan.copy(), nan.copy(), nan.copy())
    params = {"settings": {"ltv_horizon_months": 12, "ltv_discount_percent": "15"}}
    fitted = compute.predict(f, r, WINDOW, params, None)
    assert set(fitted) == {"bgnbd", "gamma_gamma"}
    x = (purchase_days - 1).astype(float)
    t_x, T = (last - first) / 7, (compute._day_number_of(AS_OF) - first) / 7
    m = np.divide((spend - first_spend) / 100, x, out=np.zeros(n), where=x > 0)
    purchases, money = ltv.BgNbd(**fitted["bgnbd"]), ltv.GammaGamma(**fitted["gamma_gamma"])
    expected = ltv.clv(
        purchases,
        money,
        ltv.Summary(np.arange(n), x, t_x, T, m),
        months=12,
        monthly_discount=1.15 ** (1 / 12) - 1,
    )
    assert np.allclose(r.clv, expected)
    assert np.allclose(r.clv_margin, expected * (spend // 4) / spend)  # times the margin rate to date
    assert np.all((r.p_alive > 0) & (r.p_alive <= 1))


def test_windows_at_month_ends_and_leap_days():
    assert compute._months_before(dt.date(2024, 3, 31), 1) == dt.date(2024, 2, 29)  # a leap year's February
    assert compute._months_before(dt.date(2025, 3, 31), 1) == dt.date(2025, 2, 28)
    assert compute._months_before(dt.date(2024, 2, 29), 12) == dt.date(2023, 2, 28)
    assert compute._months_before(dt.date(2026, 1, 15), 13) == dt.date(2024, 12, 15)
    # On 29 February 2024 the window is the twelve months February 2023 – January 2024; RFM counts purchases
    # after 28 February 2023 (no 29th that year).
    window = compute.Window.of(dt.date(2024, 2, 29), 12)
    assert (window.start, window.end, window.rfm_start) == (
        dt.date(2023, 2, 1),
        dt.date(2024, 1, 1),
        dt.date(2023, 2, 28),
    )
