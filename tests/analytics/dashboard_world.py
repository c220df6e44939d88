"""A small world for the dashboard's tests: five accounts with window revenues 500 / 300 / 100 / 60 / 40 (total
1000), classed as the run would (A while the accounts before hold < 80 %: 500 (0 %), 300 (50 %) → A; 100 (80 %), 60 (90 %) → B; 40 (96 %) → C):
    am_a (team A):    500 (AX, key, champion), 40 (CZ, lost)
    am_b (team B):    300 (AY, loyal), 100 (B too new, new)
    am_a1 (team A1, under A): 60 (BZ, at_risk)
Predicted LTV: big 9000, b2 7000, b1 5000, the others none yet; "small" is dormant; "big" moved B → A.
"""

import datetime as dt
from decimal import Decimal

import pytest

from orbit.accounts.models import Tier
from orbit.analytics import figures
from orbit.analytics.models import SegmentChange
from tests.analytics.rows import done_run, metrics
from tests.factories import make_account


def curve_values(found) -> dict[int, str]:
    return dict(found.figures["pareto"]["curve"])


@pytest.fixture
def world(org):
    run = done_run(
        params={"settings": {"basis": "revenue", "window_months": 12, "abc_a": "80", "abc_b": "95"}}
    )
    day = run.as_of
    rows = [
        ("big", org.am_a, "500", "AX", "champion", Tier.KEY, "9000", 5, 5),
        ("small", org.am_a, "40", "CZ", "lost", Tier.C, None, 1, 1),
        ("b1", org.am_b, "300", "AY", "loyal", Tier.A, "5000", 3, 5),
        ("b2", org.am_b, "100", "B", "new", Tier.B, "7000", 5, 1),
        ("a1", org.am_a1, "60", "BZ", "at_risk", Tier.B, None, 2, 3),
    ]
    accounts = {}
    for key, manager, revenue, cell, segment, tier, clv, r, f in rows:
        account = make_account(org.head, manager, short_name=key, legal_name=f"ООО «{key}»", tier=tier)
        metrics(
            account,
            run,
            window_revenue=Decimal(revenue),
            window_margin=Decimal(revenue) / 10,
            abc=cell[0],
            xyz=cell[1:],
            rfm_segment=segment,
            recency=r,
            frequency=f,
            monetary=3,
            clv=Decimal(clv) if clv else None,
            p_alive=Decimal("0.9") if clv else None,
            last_purchase_on=day - dt.timedelta(days=10 * (6 - r)),  # R5 bought most recently
            is_dormant=key == "small",
        )
        accounts[key] = account
    SegmentChange.objects.create(
        account=accounts["big"], run=run, on=day - dt.timedelta(days=31), kind="abc", old="B", new="A"
    )
    SegmentChange.objects.create(
        account=accounts["big"], run=run, on=day, kind="rfm", old="loyal", new="champion"
    )
    # The department's figures, as the computation stores them.
    run.summary = figures.summarise(
        figures.Scope.of(
            [50000, 4000, 30000, 10000, 6000],
            ["A", "C", "A", "B", "B"],
            ["X", "Z", "Y", "", "Z"],
            ["champion", "lost", "loyal", "new", "at_risk"],
            [True, False, False, False, False],
        )
    )
    run.save()
    return run, accounts
