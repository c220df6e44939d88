"""The computation end to end on a hand-computed world: invoices and credit notes through the ledger services,
one full run, then an incremental one after a new purchase.

as_of 2026-12-05: the window is Dec 2025 – Nov 2026 (12 whole months before December); RFM counts purchases
after 2025-12-05. Manual lines, VAT exempt, no cost: margin = revenue.

  account  purchases (net)                                   window   ABC (before it / 20,000)
  steady   1,000 on the 15th of every month Dec 2025–Nov 2026 12,000   A (0 %)
  twice    3,000 on 2026-06-15 and on 2026-11-20              6,000   A (60 % < 80 %)
  early    750 on 2026-03-01 and 2026-03-11                   1,500   B (90 %)
  once     500 on 2026-01-10                                    500   C (97.5 %)
  gone     1,000 on 2025-10-01, credited in full 2026-02-10  −1,000   D (nothing net in the window)
"""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from orbit.analytics import compute
from orbit.analytics.models import AccountMetrics, AnalyticsRun, RunKind, SegmentChange
from tests.revenue.conftest import build_shop, client_since_2024
from tests.revenue.ledger import credit, issue, manual

AS_OF = dt.date(2026, 12, 5)
D = Decimal


@pytest.fixture
def world(org):
    shop = build_shop(org)
    accounts = {
        name: client_since_2024(org.head, org.am_a) for name in ("steady", "twice", "early", "once", "gone")
    }

    def buy(name, day, amount):
        return issue(shop, day, manual(amount), account=accounts[name])

    for month in range(12):
        day = dt.date(2025, 12, 15) if month == 0 else dt.date(2026, month, 15)
        buy("steady", day, "1000")
    buy("twice", dt.date(2026, 6, 15), "3000")
    buy("twice", dt.date(2026, 11, 20), "3000")
    buy("early", dt.date(2026, 3, 1), "750")
    buy("early", dt.date(2026, 3, 11), "750")
    buy("once", dt.date(2026, 1, 10), "500")
    sold = buy("gone", dt.date(2025, 10, 1), "1000")
    credit(shop, sold, dt.date(2026, 2, 10), manual("1000", quantity="-1"))
    shop.accounts = accounts
    shop.buy = buy
    return shop


def figures_of(world) -> dict[str, AccountMetrics]:
    rows = {m.account_id: m for m in AccountMetrics.objects.all()}
    return {name: rows[account.pk] for name, account in world.accounts.items()}


def test_a_full_run_classes_every_account_as_computed_by_hand(world):
    run = compute.run_now(as_of=AS_OF)
    assert run.status == "done" and run.accounts == 5 and run.changes == 3  # three became dormant, see below
    got = figures_of(world)
    assert {n: m.abc for n, m in got.items()} == {
        "steady": "A",
        "twice": "A",
        "early": "B",
        "once": "C",
        "gone": "D",
    }
    assert got["steady"].window_revenue == D("12000.00") and got["gone"].window_revenue == D("-1000.00")
    assert got["gone"].revenue_to_date == D("0.00")  # 1,000 sold, 1,000 credited
    # XYZ from the first purchase month: steady 12 equal months → CV 0 → X; twice Jun–Nov [3000,0,0,0,0,3000]:
    # mean 1000, variance 18e6/6 − 1e6 = 2e6, CV √2e6/1000 = 141.42 % → Z; gone: mean −83.33 ≤ 0 → Z.
    assert {n: m.xyz for n, m in got.items()} == {
        "steady": "X",
        "twice": "Z",
        "early": "Z",
        "once": "Z",
        "gone": "Z",
    }
    assert got["steady"].cv_percent == D("0.00") and got["twice"].cv_percent == D("141.42")
    # Rhythm: steady (2026-11-15 − 2025-12-15) / 11 = 335 / 11 = 30.45; twice 158; early 10.
    assert got["steady"].typical_interval_days == D("30.5") and got["twice"].typical_interval_days == D(
        "158.0"
    )
    # Thresholds: steady ⌈3 × 30.45⌉ = 92; twice 3 × 158 = 474 → cap 365; early 3 × 10 = 30 → floor 45;
    # once (one purchase) the median interval 30.45 → 92; silences 20, 15, 269, 329, 430 days.
    assert {n: m.dormant_after_days for n, m in got.items()} == {
        "steady": 92,
        "twice": 365,
        "early": 45,
        "once": 92,
        "gone": 92,
    }
    assert {n for n, m in got.items() if m.is_dormant} == {"early", "once", "gone"}
    # RFM over the four that bought after 2025-12-05 (n = 4, score = 1 + ⌊5 × worse / 4⌋):
    # R (days 20, 15, 269, 329): 3, 4, 2, 1; F (12, 2, 2, 1): 4, 2, 2, 1; M (12000, 6000, 1500, 500): 4, 3, 2, 1.
    assert {n: (m.recency, m.frequency, m.monetary, m.rfm_segment) for n, m in got.items()} == {
        "steady": (3, 4, 4, "loyal"),
        "twice": (4, 2, 3, "potential"),
        "early": (2, 2, 2, "hibernating"),
        "once": (1, 1, 1, "lost"),
        "gone": (None, None, None, ""),
    }
    # Five clients, none with enough repeat buyers to fit a model: no prediction, and the run says why.
    assert got["steady"].clv is None and run.params["ltv"] == {
        "skipped": "too_few",
        "repeaters": 3,
        "needed": 20,
    }
    # The first run compares with nothing, except that becoming dormant is news for the queue.
    assert sorted(SegmentChange.objects.values_list("kind", flat=True)) == ["dormant"] * 3
    summary = run.summary
    assert summary["pareto"]["accounts"] == 4 and summary["pareto"]["total"] == "20000"
    assert summary["cells"]["AX"] == {"accounts": 1, "total": "12000", "share": "60.00"}
    assert summary["cells"]["D"]["accounts"] == 1
    assert sorted(summary["rfm_grid"]) == [[1, 1, 1], [2, 2, 1], [3, 4, 1], [4, 2, 1]]


def test_an_incremental_run_recomputes_only_the_account_that_bought(world):
    full = compute.run_now(as_of=AS_OF)
    world.buy("once", AS_OF, "400")  # the dormant one buys again today
    run = compute.run_now(kind=RunKind.INCREMENTAL, as_of=AS_OF)
    assert run.kind == "incremental" and run.accounts == 1
    got = figures_of(world)
    once = got["once"]
    assert once.run_id == run.pk and got["steady"].run_id == full.pk
    assert not once.is_dormant and once.last_purchase_on == AS_OF and once.purchase_days == 2
    # December is outside the window: still C by the full run's cuts. Recency 0 beats every cut (R 5), two
    # purchase days beat the F cut 1 only (F 2): a potential loyalist now.
    assert (once.abc, once.recency, once.frequency, once.rfm_segment) == ("C", 5, 2, "potential")
    changes = {(c.kind, c.old, c.new) for c in SegmentChange.objects.filter(run=run)}
    assert changes == {("awake", "2026-01-10", "2026-12-05"), ("rfm", "lost", "potential")}
    assert run.summary == full.summary  # the department's figures move with the nightly full run


def test_an_incremental_run_with_nothing_new_writes_nothing(world):
    compute.run_now(as_of=AS_OF)
    run = compute.run_now(kind=RunKind.INCREMENTAL, as_of=AS_OF)
    assert run.accounts == 0 and run.changes == 0


def test_a_dormant_account_stays_dormant_until_it_buys(world, settings):
    compute.run_now(as_of=AS_OF)
    from orbit.analytics.models import AnalyticsSettings

    looser = AnalyticsSettings.current()
    looser.dormant_floor_days = 300
    looser.dormant_cap_days = 400
    looser.save()
    run = compute.run_now(as_of=AS_OF)
    # early's threshold is now 300 (> 269 days of silence), but it has not bought: still dormant, no "awake".
    assert figures_of(world)["early"].is_dormant
    assert not SegmentChange.objects.filter(run=run, kind="awake").exists()


def test_a_failed_run_says_why_and_writes_nothing(world, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("disk on fire")

    monkeypatch.setattr(compute, "_replace", broken)
    with pytest.raises(ValueError):
        compute.run_now(as_of=AS_OF)
    run = AnalyticsRun.objects.get()
    assert run.status == "failed" and "disk on fire" in run.error
    assert not AccountMetrics.objects.exists() and not SegmentChange.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_full_run_outside_other_writes_rebuilds_the_same_indexes_and_keys(org, monkeypatch, postgres_only):
    """The worker's case: nothing else pending in the transaction, so the keys are dropped and made again with
    one join — same names, same definitions, still enforced."""
    from django.db import IntegrityError, connection, transaction

    from tests.revenue.conftest import seed_vat_rates

    seed_vat_rates()
    account = client_since_2024(org.head, org.am_a)
    issue(SimpleNamespace(org=org, account=account), dt.date(2026, 11, 2), manual("100"))

    def schema():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = 'analytics_accountmetrics'::regclass ORDER BY 1"
            )
            keys = cursor.fetchall()
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'analytics_accountmetrics' ORDER BY 1"
            )
            return keys, cursor.fetchall()

    dropped = []
    original = compute._drop_foreign_keys
    monkeypatch.setattr(compute, "_drop_foreign_keys", lambda c, t: dropped.extend(original(c, t)) or dropped)
    before = schema()
    compute.run_now(as_of=AS_OF)
    assert len(dropped) == 2 and schema() == before  # the fast path taken, the schema as it was
    assert AccountMetrics.objects.get().window_revenue == D("100.00")
    with pytest.raises(IntegrityError), transaction.atomic():
        AccountMetrics.objects.filter(pk=account.pk).update(account_id=account.pk + 10**6)
