"""The department's retention and shares from the run's arrays equal the SQL over the monthly rows
(retention.compute, shares.compute), on a demo with its credit notes, pauses, reactivations and key accounts,
as of an ordinary day and as of the first of a month."""

import datetime as dt

import numpy as np
import pytest

from orbit.accounts.models import Account, Tier
from orbit.analytics import department_months, retention, shares
from orbit.analytics.compute import _fetch_invoices, _invoices_sql
from orbit.demo.generator import seed

TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def demo(db):
    seed(accounts=60, seed=7, today=TODAY)


@pytest.mark.parametrize("as_of", [TODAY, dt.date(2026, 11, 1)])
def test_the_arrays_give_the_sql_figures(demo, as_of):
    rows = _fetch_invoices(_invoices_sql(None), {"as_of": as_of})
    account, month, net = department_months.monthly(rows)
    keys = np.array(
        sorted(Account.objects.filter(tier=Tier.KEY).values_list("pk", flat=True)), dtype=np.int64
    )
    assert department_months.retention_summary(account, month, net, as_of) == retention.department_summary(
        as_of
    )
    expected = shares.department_history(as_of)
    assert department_months.share_history(account, month, net, keys, as_of) == expected
    assert any(m["key_accounts"] for m in expected["months"]) and any(
        m["accounts"] for m in expected["months"]
    )


def test_no_invoices_no_figures(db):
    empty = {name: np.zeros(0, dtype=np.int64) for name in ("account", "day", "bought", "net", "margin")}
    account, month, net = department_months.monthly(empty)
    assert department_months.retention_summary(account, month, net, TODAY) == retention.department_summary(
        TODAY
    )
    assert department_months.share_history(
        account, month, net, np.zeros(0), TODAY
    ) == shares.department_history(TODAY)
