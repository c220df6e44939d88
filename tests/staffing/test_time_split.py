"""The hybrid's time split on a hand-worked example (N = 3 months of new business, Orbit's default).

Hybrid h, months January–March 2026, logged minutes:
- P, a prospect never invoiced: January 60 → hunting (a prospect).
- N, first invoice in February 2026: January 30 (before the first invoice: winning it) and March 90 (March <
  February + 3 = May) → hunting.
- OLD, first invoice January 2024, a new-business opportunity opened 2026-02-20 and closed 2026-02-28: January
  120 → serving; February 60 → hunting (open during February); March 30 → serving (closed before March 1).
- S, first invoice June 2025: February 180, March 150 → serving (June + 3 = September 2025 < 2026).

January: hunting 60 + 30 = 90, serving 120 → 90 / 210 = 42.857… → 42.9 %
February: hunting 60, serving 180 → 60 / 240 = 25.0 %
March: hunting 90, serving 30 + 150 = 180 → 90 / 270 = 33.33… → 33.3 %
Drift (least squares over x = 0, 1, 2): mean y = (42.9 + 25.0 + 33.3) / 3 = 33.7333;
slope = ((−1)(42.9 − 33.7333) + (1)(33.3 − 33.7333)) / 2 = (−9.1667 − 0.4333) / 2 = −4.8 pp a month.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from orbit.activities.models import Touch, TouchStatus
from orbit.growth.defaults import ensure_defaults
from orbit.growth.models import Opportunity, OpportunityKind, Pipeline, StageOutcome
from orbit.org.models import Role
from orbit.staffing import time_split
from orbit.staffing.time_split import AccountFacts, MonthSplit, drift, is_hunting, split_rows
from orbit.worktime.logged import TOUCH, Logged
from tests.factories import make_account, make_user

D = Decimal
JAN, FEB, MAR = dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)
P, N, OLD, S = 1, 2, 3, 4
FACTS = AccountFacts(
    never_invoiced_prospects={P},
    first_invoice={N: FEB, OLD: dt.date(2024, 1, 1), S: dt.date(2025, 6, 1)},
    new_business_open={OLD: [(dt.date(2026, 2, 20), dt.date(2026, 2, 28))]},
)


class Person:
    pk = 7

    def __str__(self):
        return "h"


def _rows():
    minutes = [(P, JAN, 60), (N, JAN, 30), (N, MAR, 90), (OLD, JAN, 120), (OLD, FEB, 60), (OLD, MAR, 30)]
    minutes += [(S, FEB, 180), (S, MAR, 150)]
    return [Logged(7, account, month, TOUCH, m) for account, month, m in minutes]


def test_the_hand_worked_split():
    split = split_rows(_rows(), [Person()], [JAN, FEB, MAR], FACTS, 3)
    months = split.people[0].months
    assert [(m.hunting_minutes, m.serving_minutes) for m in months] == [(90, 120), (60, 180), (90, 180)]
    assert [m.share for m in months] == [D("42.9"), D("25.0"), D("33.3")]
    assert split.people[0].drift == D("-4.8")
    assert split.hunting_minutes == 240 and split.serving_minutes == 480
    assert split.hunting_hours == D("4.00") and split.serving_hours == D("8.00")
    assert split.months_with_hours == 3


def test_month_boundaries_of_the_rules():
    # N's first invoice in February: hunting through April (Feb + 3 = May), serving from May.
    assert is_hunting(FACTS, N, dt.date(2026, 4, 1), 3)
    assert not is_hunting(FACTS, N, dt.date(2026, 5, 1), 3)
    # OLD's opportunity was open 20–28 February only.
    assert (
        not is_hunting(FACTS, OLD, JAN, 3)
        and is_hunting(FACTS, OLD, FEB, 3)
        and not is_hunting(FACTS, OLD, MAR, 3)
    )
    # An account with an open opportunity that has no end: hunting from the month it was opened on.
    facts = AccountFacts(set(), {}, {S: [(dt.date(2026, 3, 31), None)]})
    assert not is_hunting(facts, S, FEB, 3) and is_hunting(facts, S, MAR, 3)


def test_drift_needs_two_months_and_skips_months_without_hours():
    assert drift([None, D("40"), None]) is None
    assert drift([D("50"), None, D("30")]) == D("-10.0")  # x = 0 and 2: (30 − 50) / 2
    assert MonthSplit(JAN).share is None


@pytest.mark.django_db
def test_from_the_database_people_scoped(org):
    """Only hybrids are split (sales manager + account manager); a lead sees his own, a plain manager none.
    The window is the 12 complete months before today: today 2026-04-15 → April 2025 – March 2026."""
    ensure_defaults()
    zone = timezone.get_current_timezone()
    hybrid = make_user("hybrid", Role.SALES_MANAGER, Role.ACCOUNT_MANAGER, team=org.team_a)
    make_user("seller", Role.SALES_MANAGER, team=org.team_a)  # not a hybrid
    prospect = make_account(org.head, hybrid, status="prospect")
    client = make_account(org.head, hybrid)
    opp = Opportunity.objects.create(
        account=client,
        kind=OpportunityKind.NEW_BUSINESS,
        title="t",
        pipeline=Pipeline.objects.first(),
        stage=Pipeline.objects.first().stages.first(),
        owner=hybrid,
        amount=0,
        probability=10,
        expected_close_on=dt.date(2026, 5, 1),
        stage_changed_at=dt.datetime(2026, 3, 1, tzinfo=zone),
    )
    Opportunity.objects.filter(pk=opp.pk).update(created_at=dt.datetime(2026, 3, 10, 12, tzinfo=zone))
    assert opp.status == StageOutcome.OPEN
    for account, at, minutes in [
        (prospect, dt.datetime(2026, 2, 28, 23, 30, tzinfo=zone), 45),  # February, local
        (client, dt.datetime(2026, 2, 10, 10, tzinfo=zone), 60),  # no invoice, no open opportunity: serving
        (client, dt.datetime(2026, 3, 12, 10, tzinfo=zone), 30),  # the opportunity is open in March
        (client, dt.datetime(2026, 4, 2, 10, tzinfo=zone), 99),  # April: outside the window
    ]:
        Touch.objects.create(
            account=account, owner=hybrid, status=TouchStatus.DONE, happened_at=at, duration_minutes=minutes
        )
    split = time_split.time_split(org.head, today=dt.date(2026, 4, 15))
    assert [p.person for p in split.people] == [hybrid]
    assert split.months[0] == dt.date(2025, 4, 1) and split.months[-1] == MAR
    feb, mar = split.everyone[-2], split.everyone[-1]
    assert (feb.hunting_minutes, feb.serving_minutes) == (45, 60)
    assert (mar.hunting_minutes, mar.serving_minutes) == (30, 0)
    assert [p.person for p in time_split.time_split(org.lead_a, today=dt.date(2026, 4, 15)).people] == [
        hybrid
    ]
    assert time_split.time_split(org.am_a, today=dt.date(2026, 4, 15)).people == []
    assert [p.person for p in time_split.time_split(hybrid, today=dt.date(2026, 4, 15)).people] == [hybrid]
