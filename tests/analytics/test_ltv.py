"""The LTV models: the published CDNOW estimates reproduced (through the `orbit ltv fit` command, on the file
the lifetimes package ships), the summary of transactions, the likelihood and its gradient against direct
formulas, and the predictions' limiting cases."""

import csv
import datetime as dt
import importlib.util
import json
import math
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest
from scipy.optimize import check_grad

from orbit.analytics import ltv

# Fader, Hardie & Lee (2005) and Fader & Hardie (2013), the 2,357-customer CDNOW sample, 39 weeks.
PUBLISHED = {
    "r": 0.2426,
    "alpha": 4.4135,
    "a": 0.7929,
    "b": 2.4258,
    "bgnbd_log_likelihood": -9582.43,
    "p": 6.2496,
    "q": 3.7442,
    "v": 15.4435,
    "gamma_gamma_log_likelihood": -4055.92,
}


@pytest.fixture(scope="module")
def cdnow_csv(tmp_path_factory):
    """The sample as lifetimes ships it (whitespace columns: master id, sample id, yyyymmdd, CDs, dollars),
    written as the CSV a user would give the command."""
    package = pathlib.Path(
        importlib.util.find_spec("lifetimes").origin
    ).parent  # found, not imported (pandas)
    text = (package / "datasets" / "CDNOW_sample.txt").read_text()
    path = tmp_path_factory.mktemp("cdnow") / "cdnow.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["customer", "day", "cds", "amount"])
        for line in text.splitlines():
            if line.strip():
                _master, customer, day, cds, amount = line.split()
                writer.writerow([customer, day, cds, amount])
    return path


def test_the_command_reproduces_the_published_cdnow_estimates(cdnow_csv):
    command = [sys.executable, "-m", "orbit.cli", "ltv", "fit", "--transactions", str(cdnow_csv)]
    command += [
        "--customer",
        "customer",
        "--date",
        "day",
        "--amount",
        "amount",
        "--calibration-end",
        "1997-09-30",
    ]
    done = subprocess.run(
        command, capture_output=True, text=True, check=True, env=os.environ | {"DEBUG": "true"}
    )
    fitted = json.loads(done.stdout)
    assert fitted["customers"] == 2357 and fitted["repeat_customers"] == 946 and fitted["period"] == "week"
    for key, value in PUBLISHED.items():
        assert fitted[key] == pytest.approx(value, rel=0.001), key  # the issue asks 1 %; it holds to 0.1 %


def test_the_summary_merges_a_day_drops_what_is_after_the_end_and_uses_the_period():
    D = np.datetime64
    customers = np.array([7, 7, 7, 7, 9, 5])
    days = np.array(
        [D("2024-01-01"), D("2024-01-01"), D("2024-01-15"), D("2024-03-01"), D("2024-02-01"), D("2024-02-29")]
    )
    amounts = np.array([10.0, 5.0, 30.0, 99.0, 20.0, 8.0])
    s = ltv.summarise(customers, days, amounts, calibration_end=dt.date(2024, 2, 29), period="day")
    by_id = {int(c): i for i, c in enumerate(s.customers)}
    seven, nine, five = by_id[7], by_id[9], by_id[5]
    # 7: two purchases on 1 Jan are one (15), 15 Jan is the repeat (30), 1 March is after the end.
    assert (s.x[seven], s.t_x[seven], s.T[seven], s.m[seven]) == (1, 14, 59, 30)  # 31 + 28 days to 29 Feb
    assert (s.x[nine], s.t_x[nine], s.T[nine], s.m[nine]) == (0, 0, 28, 0)
    assert (s.x[five], s.T[five]) == (0, 0)  # first bought on the last day of the calibration
    weeks = ltv.summarise(customers, days, amounts, calibration_end=dt.date(2024, 2, 29), period="week")
    assert weeks.T[by_id[7]] == pytest.approx(59 / 7)
    later = ltv.summarise(customers, days, amounts, calibration_end=dt.date(2024, 1, 31))
    assert sorted(int(c) for c in later.customers) == [7]  # 9 and 5 first bought after the end


def _ll_direct(r, alpha, a, b, x, t_x, T):
    """FHL 2005 eq. 6 for one client, written with math.lgamma, term by term as in the paper."""
    first = math.lgamma(r + x) - math.lgamma(r) + r * math.log(alpha)
    second = math.lgamma(a + b) + math.lgamma(b + x) - math.lgamma(b) - math.lgamma(a + b + x)
    inner = (alpha + T) ** -(r + x)
    if x > 0:
        inner += a / (b + x - 1) * (alpha + t_x) ** -(r + x)
    return first + second + math.log(inner)


def test_the_bgnbd_likelihood_and_its_gradient_match_the_formula():
    x, t_x, T = np.array([0.0, 1, 4, 4]), np.array([0.0, 2.5, 10, 10]), np.array([12.0, 20, 30, 30])
    weights = np.array([1.0, 1, 2, 1])  # the last two rows are one row seen three times
    params = (0.5, 3.0, 0.9, 2.2)
    grouped = ltv.Rows.of(x[:3], t_x[:3], T[:3], weights=np.array([1.0, 1, 3]))
    value, _grad = ltv._bgnbd_negative_ll(np.log(params), grouped)
    # The mean over the five clients the weights stand for.
    expected = -sum(_ll_direct(*params, x[i], t_x[i], T[i]) * weights[i] for i in range(4)) / 5
    assert value == pytest.approx(expected, rel=1e-12)
    rows = ltv.Rows.of(x, t_x, T, weights=weights)
    error = check_grad(
        lambda p: ltv._bgnbd_negative_ll(p, rows)[0],
        lambda p: ltv._bgnbd_negative_ll(p, rows)[1],
        np.log(params),
    )
    assert error < 1e-5


def test_the_gamma_gamma_gradient_matches_finite_differences():
    x, m, weights = np.array([1.0, 2, 5]), np.array([10.0, 35.5, 20]), np.array([3.0, 1, 2])
    rows = ltv.Rows.of(x, m=m, weights=weights)
    error = check_grad(
        lambda p: ltv._gg_negative_ll(p, rows)[0],
        lambda p: ltv._gg_negative_ll(p, rows)[1],
        np.log([6.0, 3.7, 15.0]),
    )
    assert error < 1e-5


def test_predictions_in_their_limiting_cases():
    model = ltv.BgNbd(r=0.2426, alpha=4.4135, a=0.7929, b=2.4258, log_likelihood=0)
    # Never bought again: he cannot have "died" after a repeat purchase, so P(alive) = 1.
    assert model.p_alive(0, 0, 38.86) == 1.0
    # x = 2, t_x = 30.43, T = 38.86: 1 / (1 + a/(b+1) · ((α+T)/(α+t_x))^(r+2))
    expected = 1 / (1 + 0.7929 / 3.4258 * ((4.4135 + 38.86) / (4.4135 + 30.43)) ** 2.2426)
    assert model.p_alive(2, 30.43, 38.86) == pytest.approx(expected)
    assert model.expected_purchases(0.0, 2, 30.43, 38.86) == pytest.approx(0.0)
    horizon = model.expected_purchases(np.array([13.0, 26.0, 52.0]), 2, 30.43, 38.86)
    assert np.all(np.diff(horizon) > 0)  # more time, more purchases
    spend = ltv.GammaGamma(p=6.2496, q=3.7442, v=15.4435, log_likelihood=0)
    # No repeat purchase: the population mean p·v/(q−1) = 6.2496 × 15.4435 / 2.7442 = 35.17
    assert spend.expected_spend(0, 0) == pytest.approx(6.2496 * 15.4435 / 2.7442)
    # Many purchases: close to his own mean.
    assert spend.expected_spend(500, 40.0) == pytest.approx(40.0, rel=0.01)


def test_clv_is_the_discounted_sum_of_monthly_purchases_times_spend():
    purchases = ltv.BgNbd(r=0.2426, alpha=4.4135, a=0.7929, b=2.4258, log_likelihood=0)
    spend = ltv.GammaGamma(p=6.2496, q=3.7442, v=15.4435, log_likelihood=0)
    s = ltv.Summary(
        customers=np.array([1]),
        x=np.array([2.0]),
        t_x=np.array([30.43]),
        T=np.array([38.86]),
        m=np.array([22.35]),
    )
    month = (365.25 / 12) / 7
    cumulative = [0.0] + [float(purchases.expected_purchases(i * month, 2, 30.43, 38.86)) for i in (1, 2, 3)]
    each = float(spend.expected_spend(2, 22.35))
    expected = sum((cumulative[i] - cumulative[i - 1]) * each / 1.01**i for i in (1, 2, 3))
    assert ltv.clv(purchases, spend, s, months=3, monthly_discount=0.01)[0] == pytest.approx(expected)
    undiscounted = ltv.clv(purchases, spend, s, months=3, monthly_discount=0.0)[0]
    assert undiscounted == pytest.approx(cumulative[3] * each)


def test_bad_files_are_clear_errors(tmp_path):
    from django.core.management import CommandError, call_command

    path = tmp_path / "t.csv"
    path.write_text("client,day,sum\n1,2024-01-01,10\n")
    with pytest.raises(CommandError, match="no column customer"):
        call_command(
            "ltv",
            "fit",
            "--transactions",
            str(path),
            "--customer",
            "customer",
            "--date",
            "day",
            "--amount",
            "sum",
            "--calibration-end",
            "2024-12-31",
        )
    path.write_text("customer,day,sum\n1,2024-13-01,10\n")
    with pytest.raises(CommandError, match="line 2"):
        call_command(
            "ltv",
            "fit",
            "--transactions",
            str(path),
            "--customer",
            "customer",
            "--date",
            "day",
            "--amount",
            "sum",
            "--calibration-end",
            "2024-12-31",
        )
