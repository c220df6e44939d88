"""The what-if's arithmetic on hand-worked figures.

Two hybrids, hours in 3 months: hunting 9,000 min = 150 h, serving 18,000 min = 300 h; new-business revenue
300,000. Inputs: hunter 150,000, farmer 90,000 a month, a farmer's capacity 40 h.
- serving a month S = 300 / 3 = 100 h = hunting hours freed; hunting a month = 150 / 3 = 50 h
- farmers = ⌈100 / 40⌉ = ⌈2.5⌉ = 3
- revenue per hunting hour R = 300,000 / 150 = 2,000; expected = 100 × 2,000 = 200,000 a month
- payroll now = 2 × 150,000 = 300,000; added = 3 × 90,000 = 270,000; split = 570,000
- balance = 200,000 − 270,000 = −70,000
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from orbit.org.models import Role
from orbit.revenue.models import Invoice
from orbit.staffing import time_split, what_if
from orbit.staffing.what_if import Inputs, Observed, compute
from tests.factories import make_user
from tests.revenue.conftest import build_shop, client_since_2024
from tests.revenue.ledger import credit, issue, manual

D = Decimal
INPUTS = Inputs(hunter_salary=D("150000"), farmer_salary=D("90000"), farmer_capacity=40)


def test_the_hand_worked_what_if():
    result = compute(Observed(2, 3, 9000, 18000, D("300000.00")), INPUTS)
    assert result.serving_per_month == D("100.00") and result.hours_freed == D("100.00")
    assert result.hunting_per_month == D("50.00")
    assert result.farmers == 3
    assert result.revenue_per_hunting_hour == D("2000.00")
    assert result.expected_revenue == D("200000.00")
    assert result.payroll_now == D("300000.00") and result.added_payroll == D("270000.00")
    assert result.payroll_split == D("570000.00")
    assert result.balance == D("-70000.00")
    assert result.hunting_hours == D("150.00") and result.serving_hours == D("300.00")


def test_farmers_are_rounded_up_only_above_a_whole_load():
    # 12,000 min = 200 h over 2 months = 100 h a month: exactly one farmer of 100 h, two at 99 h.
    exact = Inputs(D("1"), D("1"), 100)
    assert compute(Observed(1, 2, 0, 12000, D("0")), exact).farmers == 1
    assert compute(Observed(1, 2, 0, 12000, D("0")), Inputs(D("1"), D("1"), 99)).farmers == 2
    # 1 minute of serving still needs a farmer: ⌈(1/60) / 140⌉ = 1.
    assert compute(Observed(1, 1, 0, 1, D("0")), Inputs(D("1"), D("1"), 140)).farmers == 1


def test_zero_hours_gives_no_estimate_but_the_payroll_now():
    result = compute(Observed(2, 0, 0, 0, D("0")), INPUTS)
    assert result.farmers is None and result.hours_freed is None and result.expected_revenue is None
    assert result.payroll_now == D("300000.00")


def test_no_hunting_hours_means_no_revenue_per_hour():
    result = compute(Observed(1, 1, 0, 600, D("5000")), INPUTS)  # 10 h serving: ⌈10 / 40⌉ = 1 farmer
    assert result.farmers == 1 and result.revenue_per_hunting_hour is None and result.balance is None


def test_zero_capacity_and_negative_salaries_are_refused():
    with pytest.raises(ValidationError) as refused:
        compute(Observed(1, 1, 60, 60, D("0")), Inputs(D("-1"), D("1"), 0))
    assert set(refused.value.error_dict) == {"hunter_salary", "farmer_capacity"}


@pytest.mark.django_db
def test_new_business_revenue_is_the_first_months_of_each_client(org):
    """Hybrid's clients: A first invoiced 2026-01-20 (1,000), again 2026-03-31 (2,000: March < April, in) and
    2026-04-01 (4,000: April = January + 3, out); a credit note of −300 on the first in February (in).
    B (an old client, first invoice 2025-01-10 by the hybrid) invoiced 2026-02-10 (500, out).
    Today 2026-05-15: the window is May 2025 – April 2026. New business = 1,000 + 2,000 − 300 = 2,700."""
    shop = build_shop(org)
    hybrid = make_user("hybrid", Role.SALES_MANAGER, Role.ACCOUNT_MANAGER, team=org.team_a)
    a = client_since_2024(org.head, hybrid)
    b = client_since_2024(org.head, hybrid)
    first = issue(shop, dt.date(2026, 1, 20), manual("1000"), by=org.head, account=a)
    issue(shop, dt.date(2026, 3, 31), manual("2000"), by=org.head, account=a)
    issue(shop, dt.date(2026, 4, 1), manual("4000"), by=org.head, account=a)
    credit(shop, first, dt.date(2026, 2, 5), manual("300", quantity="-1"), by=org.head)
    issue(shop, dt.date(2025, 1, 10), manual("800"), by=org.head, account=b)
    issue(shop, dt.date(2026, 2, 10), manual("500"), by=org.head, account=b)
    assert Invoice.objects.filter(manager=hybrid).count() == 6
    split = time_split.time_split(org.head, today=dt.date(2026, 5, 15))
    assert what_if.new_business_revenue(org.head, split) == D("2700.00")
    assert what_if.new_business_revenue(
        org.lead_a, time_split.time_split(org.lead_a, today=dt.date(2026, 5, 15))
    ) == D("2700.00")
    # A manager who is not a hybrid has no hybrid to see: nothing.
    assert (
        what_if.new_business_revenue(org.am_a, time_split.time_split(org.am_a, today=dt.date(2026, 5, 15)))
        == 0
    )
