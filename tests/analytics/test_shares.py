"""Key-account and top-20 % shares by month, against hand-computed figures (the arithmetic in the comments).

Each month's figures are over the accounts' trailing-twelve-month net revenue (m − 11 … m)."""

import datetime as dt

import pytest

from orbit.accounts.models import Tier
from orbit.analytics import compute, retention, shares
from tests.analytics.retention_rows import lines, revenue
from tests.analytics.rows import done_run
from tests.factories import make_account
from tests.revenue.conftest import build_shop, client_since_2024
from tests.revenue.ledger import credit, issue, manual

AS_OF = dt.date(2026, 6, 15)  # last complete month: May 2026; 24 months Jun 2024 … May 2026


def _month(figures: dict, month: str) -> dict:
    return next(m for m in figures["months"] if m["month"] == month)


@pytest.fixture
def book(org):
    equipment, service = lines()
    a, b, c, d, e, f, g, h = (make_account(org.head, org.am_a) for _ in range(8))
    for key in (a, f):
        key.tier = Tier.KEY
        key.save(update_fields=["tier"])
    revenue(a, "2025-06", "200", equipment)
    revenue(a, "2026-05", "300", equipment)
    revenue(b, "2026-01", "300", equipment)
    revenue(c, "2025-09", "300", equipment)
    revenue(d, "2026-05", "300", equipment)
    revenue(e, "2025-12", "100", equipment)
    revenue(f, "2026-03", "150", equipment)
    revenue(f, "2026-04", "-50", service)  # a credit note: f's year nets 100
    revenue(g, "2026-02", "-50", equipment)  # only a credit note: not positive, not in the base
    revenue(h, "2025-05", "1000", equipment)  # in April 2026's twelve months, not in May's
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "g": g, "h": h}


def test_shares_with_a_tie_at_the_top_20_percent_edge(book):
    figures = shares.present(shares.compute(retention.department_rows(), AS_OF))
    may = _month(figures, "2026-05-01")
    # Jun 2025 … May 2026: a 500 (key), b 300, c 300, d 300, e 100, f 100 (key); g −50 left out, h's May 2025
    # is outside. n = 6, total 1600. Top 20 % = ceil(0.2 × 6) = 2 accounts: a 500 and one of the three equal
    # 300s (the lowest id, b) → 800 / 1600 = 50 %. Key: a + f = 600 / 1600 = 37.5 %.
    assert (may["accounts"], may["total"], may["top_accounts"], may["top"]) == (6, "1600.00", 2, "800.00")
    assert (may["key_accounts"], may["key"]) == (2, "600.00")
    assert (may["top_share"], may["key_share"]) == ("50.00", "37.50")
    assert figures["latest"] == may
    april = _month(figures, "2026-04-01")
    # May 2025 … Apr 2026: a 200, b 300, c 300, e 100, f 100, h 1000 (d's May 2026 not yet) → n = 6, 2000.
    # Top 2: h 1000 + b 300 = 1300 → 65 %. Key: a 200 + f 100 = 300 → 15 %.
    assert (april["accounts"], april["total"], april["top"], april["key"]) == (
        6,
        "2000.00",
        "1300.00",
        "300.00",
    )
    assert (april["top_share"], april["key_share"]) == ("65.00", "15.00")
    # June 2024: nothing in Jul 2023 … Jun 2024 → no figures.
    june = _month(figures, "2024-06-01")
    assert (june["accounts"], june["top_share"], june["key_share"]) == (0, None, None)
    assert len(figures["months"]) == 24


def test_exactly_20_percent_takes_one_of_five(org):
    equipment, _ = lines()
    for amount in ("100", "200", "300", "400", "500"):
        revenue(make_account(org.head, org.am_a), "2026-05", amount, equipment)
    may = shares.present(shares.compute(retention.department_rows(), AS_OF))["latest"]
    # ceil(0.2 × 5) = 1: the largest alone, 500 / 1500 = 33.33 %; no key accounts → 0 %.
    assert (may["top_accounts"], may["top_share"], may["key_share"]) == (1, "33.33", "0.00")


def test_no_revenue_at_all_is_empty(org):
    figures = shares.present(shares.compute(retention.department_rows(), AS_OF))
    assert figures["empty"] is True
    assert figures["latest"]["key_share"] is None


def test_a_manager_sees_his_own_accounts_shares(org, book):
    equipment, _ = lines()
    revenue(make_account(org.head, org.am_b, tier=Tier.KEY), "2026-05", "900", equipment)
    theirs = shares.present(shares.compute(retention.reader_rows(org.am_b), AS_OF))["latest"]
    mine = shares.present(shares.compute(retention.reader_rows(org.am_a), AS_OF))["latest"]
    everyone = shares.present(shares.compute(retention.department_rows(), AS_OF))["latest"]
    assert (theirs["accounts"], theirs["key_share"], theirs["top_share"]) == (1, "100.00", "100.00")
    assert (mine["accounts"], mine["total"]) == (6, "1600.00")
    # Everyone: 7 accounts, 2500; top ceil(1.4) = 2: 900 + 500 = 1400 → 56 %; key 900 + 500 + 100 = 1500 → 60 %.
    assert (everyone["accounts"], everyone["total"]) == (7, "2500.00")
    assert (everyone["top_share"], everyone["key_share"]) == ("56.00", "60.00")


def test_the_head_reads_the_runs_history(org, book):
    stored = shares.department_history(AS_OF)
    done_run(as_of=AS_OF, summary={"share_history": stored})
    assert shares.for_reader(org.head, today=AS_OF) == (stored, "run")
    assert shares.for_reader(org.head, manager=org.am_a.pk, today=AS_OF)[1] == "live"
    assert shares.for_reader(org.am_a, today=AS_OF)[1] == "live"


def test_the_history_takes_one_query(book, django_assert_num_queries):
    rows = retention.department_rows()
    with django_assert_num_queries(1):
        shares.compute(rows, AS_OF)


COMPUTE_DAY = dt.date(2026, 12, 5)


@pytest.fixture
def invoiced(org):
    """Real invoices and a credit note (the ledger keeps the monthly rows), as tests/analytics/test_compute.py."""
    shop = build_shop(org)
    accounts = {
        name: client_since_2024(org.head, org.am_a) for name in ("steady", "twice", "early", "once", "gone")
    }
    for month in range(12):
        day = dt.date(2025, 12, 15) if month == 0 else dt.date(2026, month, 15)
        issue(shop, day, manual("1000"), account=accounts["steady"])
    issue(shop, dt.date(2026, 6, 15), manual("3000"), account=accounts["twice"])
    issue(shop, dt.date(2026, 11, 20), manual("3000"), account=accounts["twice"])
    issue(shop, dt.date(2026, 3, 1), manual("750"), account=accounts["early"])
    issue(shop, dt.date(2026, 3, 11), manual("750"), account=accounts["early"])
    issue(shop, dt.date(2026, 1, 10), manual("500"), account=accounts["once"])
    sold = issue(shop, dt.date(2025, 10, 1), manual("1000"), account=accounts["gone"])
    credit(shop, sold, dt.date(2026, 2, 10), manual("1000", quantity="-1"))
    return accounts


def test_the_latest_month_equals_the_runs_dashboard_shares(invoiced):
    """With the default settings (12 months, revenue) the computation's department shares (the dashboard's) and
    the history's latest month are the same figures."""
    steady = invoiced["steady"]
    steady.tier = Tier.KEY
    steady.save(update_fields=["tier"])
    run = compute.run_now(as_of=COMPUTE_DAY)
    latest = shares.present(shares.department_history(COMPUTE_DAY))["latest"]
    # Dec 2025 … Nov 2026: steady 12 × 1000 = 12000 (key), twice 6000, early 1500, once 500; gone nets −1000
    # (its sale was in October 2025, the credit note in February 2026) and is left out. n = 4, total 20000;
    # top ceil(0.8) = 1: steady → 60 %; key: steady → 60 %.
    assert (latest["accounts"], latest["total"]) == (4, "20000.00")
    assert (latest["key_share"], latest["top_share"]) == ("60.00", "60.00")
    assert (latest["key_share"], latest["top_share"]) == (
        run.summary["shares"]["key"],
        run.summary["shares"]["top20"],
    )
