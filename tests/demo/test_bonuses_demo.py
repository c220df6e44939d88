"""The demo's bonuses: a rule version in force, last month closed with its statements stored, this month
provisional with money lines."""

import datetime as dt

import pytest

from orbit.bonuses import statements
from orbit.bonuses.models import ClosedStatement, MonthClose, RuleVersion
from orbit.demo.generator import SIZES, reset_database, seed

TODAY = dt.date(2026, 1, 15)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        yield seed(accounts=SIZES["small"], seed=7, today=TODAY)
        reset_database()


def test_demo_has_rules_a_closed_month_and_a_provisional_one(demo, db):
    assert RuleVersion.objects.count() == 1
    assert list(MonthClose.objects.values_list("month", flat=True)) == [dt.date(2025, 12, 1)]
    closed = ClosedStatement.objects.filter(month=dt.date(2025, 12, 1))
    assert closed.exists() and any(s.variable for s in closed)
    december = statements.month_statements(dt.date(2025, 12, 1), None)
    assert all(s.closed for s in december)
    january = statements.month_statements(dt.date(2026, 1, 1), None)
    assert january and not any(s.closed for s in january)
