"""KPI figures against hand-worked examples (docs/managers-kpi.md). Moments are Moscow local time."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orbit.accounts import ownership
from orbit.accounts.models import AccountStatus, ChangeReason, Tier
from orbit.activities import cadence
from orbit.activities.models import TouchStatus
from orbit.analytics.models import ReactivationCase, ReactivationStatus
from orbit.growth import plans
from orbit.kpi import periods
from orbit.kpi.portfolio import kpi_page
from orbit.org.models import Role
from tests.factories import make_account, make_user
from tests.kpi.rows import (
    D,
    at,
    comment,
    invoice,
    payment,
    request,
    revenue_month,
    since,
    touch,
)

MARCH = periods.parse("2026-03")
LATER = dt.date(2026, 6, 15)


def _people(page):
    return {row.name: row for row in page.people}


@pytest.fixture
def handoff(org):
    """Account X: am_a's from 2025, handed to am_a1 on 2026-03-10 at 12:00."""
    x = make_account(org.head, org.am_a)
    since(x, at(2025, 1, 1))
    ownership.transfer(
        account=x, manager=org.am_a1, by=org.head, reason=ChangeReason.REASSIGNMENT, at=at(2026, 3, 10, 12, 0)
    )
    return x


def test_margin_per_hour_across_a_handoff(org, handoff):
    x = handoff
    # Hours on X, given to whoever was responsible when they were logged:
    touch(x, org.am_a, at(2026, 3, 5, 10), 120)  # am_a's
    touch(x, org.lead_a, at(2026, 3, 10, 11, 59), 30)  # anyone's work, before the handoff: am_a's
    touch(x, org.am_a1, at(2026, 3, 10, 12, 0), 60)  # at the handoff's moment: am_a1's
    comment(request(x, org.am_a1), org.am_b, at(2026, 3, 20, 15), 90)  # a request comment: am_a1's
    touch(x, org.am_a1, at(2026, 3, 31, 23, 59), 15)  # the last minute of March (local): am_a1's
    touch(x, org.am_a, at(2026, 2, 28, 23, 30), 45)  # February: not in the period
    touch(x, org.am_a1, at(2026, 4, 1, 0, 0), 40)  # April's first minute: not in the period
    touch(x, org.am_a1, None, 25, status=TouchStatus.PLANNED)  # planned: no work yet
    # Invoices recorded on the manager of their date:
    invoice(x, org.am_a, dt.date(2026, 3, 2), 3000, 1800)  # margin 1200
    first = invoice(x, org.am_a1, dt.date(2026, 3, 15), 1000, 400)  # margin 600
    invoice(x, org.am_a1, dt.date(2026, 3, 25), -200, -100, corrects=first)  # margin −100
    rows = _people(kpi_page(org.head, MARCH, today=LATER))
    am_a, am_a1 = rows["Am_A"], rows["Am_A1"]
    # am_a: 120 + 30 = 150 min = 2.5 h; margin 3000 − 1800 = 1200; 1200 / 2.5 = 480.00
    assert (am_a.minutes, am_a.hours, am_a.margin, am_a.margin_per_hour) == (
        150,
        D("2.50"),
        D("1200"),
        D("480.00"),
    )
    # am_a1: 60 + 90 + 15 = 165 min = 2.75 h; margin 600 − 100 = 500; 500 / 2.75 = 181.8181… → 181.82
    assert (am_a1.minutes, am_a1.hours, am_a1.margin, am_a1.margin_per_hour) == (
        165,
        D("2.75"),
        D("500"),
        D("181.82"),
    )
    # am_b: no hours → no figure (not infinity), even with margin
    assert rows["Am_B"].minutes == 0 and rows["Am_B"].margin_per_hour is None
    # Kinds of sale: the account's first invoice is 2026-03-02, so March is new business (credit note included).
    assert am_a.by_kind == {"new": D("3000.00")} and am_a1.by_kind == {"new": D("800.00")}


def test_zero_hours_with_margin_is_no_figure_and_team_pools(org, handoff):
    invoice(handoff, org.am_a1, dt.date(2026, 3, 15), 1000, 400)
    page = kpi_page(org.head, MARCH, today=LATER)
    assert _people(page)["Am_A1"].margin_per_hour is None
    team_a = next(t for t in page.teams if t.name == "Team A")
    # Team A counts Team A1: margin 600, no hours.
    assert (team_a.margin, team_a.margin_per_hour) == (D("600"), None)


def test_plans_percent_and_paid_revenue_over_a_quarter(org, handoff):
    for month in (dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)):
        plans.plan_set(by=org.head, month=month, user=org.am_a1, revenue=D("1000"), margin=D("300"))
    bill = invoice(handoff, org.am_a1, dt.date(2026, 3, 15), 1000, 400)  # total 1220
    payment(handoff, org.am_a1, dt.date(2026, 3, 20), "610", bill)  # round(610 × 1000 / 1220) = 500.00
    row = _people(kpi_page(org.head, periods.parse("2026-Q1"), today=LATER))["Am_A1"]
    # plan 3 × 1000 = 3000; paid 500 → 16.7 %; invoiced 1000 → 33.3 %
    assert (row.plan_revenue, row.paid, row.on_paid.percent, row.on_invoiced.percent) == (
        D("3000.00"),
        D("500.00"),
        D("16.7"),
        D("33.3"),
    )
    # paid margin: round(610 × 600 / 1220) = 300.00
    assert row.paid_margin == D("300.00")


def test_share_of_wallet_with_a_missing_budget(org):
    rich = make_account(org.head, org.am_b, agreed_budget=D("1200000"))
    bare = make_account(org.head, org.am_b)  # no budget
    dollars = make_account(org.head, org.am_b, agreed_budget=D("5000"), budget_currency="USD")
    for account in (rich, bare, dollars):
        since(account, at(2025, 1, 1))
    a = invoice(rich, org.am_b, dt.date(2026, 2, 1), 100000, 50000)  # total 122,000
    payment(rich, org.am_b, dt.date(2026, 2, 10), "122000", a)  # round(122000 × 100000 / 122000) = 100,000
    b = invoice(bare, org.am_b, dt.date(2026, 2, 1), 50000, 1)
    payment(bare, org.am_b, dt.date(2026, 2, 10), "61000", b)  # 50,000 paid, but no budget: left out
    page = kpi_page(org.head, periods.parse("2026-Q1"), today=LATER)
    row = _people(page)["Am_B"]
    # Budget 1,200,000 a year × 3 / 12 = 300,000; paid on budgeted accounts 100,000 → 33.3 %
    assert (row.wallet_budget, row.wallet_paid, row.wallet_percent) == (
        D("300000.00"),
        D("100000.00"),
        D("33.3"),
    )
    assert (row.accounts, row.budget_accounts, row.accounts_without_budget) == (3, 1, 2)
    assert row.paid == D("150000.00")  # the paid revenue itself counts every account
    # Nobody with a budget: no figure
    assert _people(page)["Am_A"].wallet_percent is None


def test_sla_compliance(org):
    account = make_account(org.head, org.am_b)
    due = {"first_response_due": at(2026, 3, 2, 12), "resolution_due": at(2026, 3, 5, 12)}
    # In time on both.
    request(account, org.am_b, first_responded_at=at(2026, 3, 2, 11), resolved_at=at(2026, 3, 5, 12), **due)
    # First response in time, resolved late (a minute after).
    request(
        account, org.am_b, first_responded_at=at(2026, 3, 2, 12), resolved_at=at(2026, 3, 5, 12, 1), **due
    )
    # First response late, not resolved yet.
    request(account, org.am_b, first_responded_at=at(2026, 3, 2, 13), **due)
    # Resolved in April: not March's.
    request(account, org.am_b, first_responded_at=at(2026, 2, 27), resolved_at=at(2026, 4, 1, 0, 0), **due)
    # No SLA policy (no due times): not counted.
    request(account, org.am_b, first_responded_at=at(2026, 3, 3), resolved_at=at(2026, 3, 4))
    # Another manager's: not his.
    request(account, org.am_a, first_responded_at=at(2026, 3, 3), resolved_at=at(2026, 3, 30), **due)
    row = _people(kpi_page(org.head, MARCH, today=LATER))["Am_B"]
    # resolution: 1 of 2 resolved in March by the due time = 50.0 %; first response: 2 of 3 = 66.7 %
    assert (row.sla_resolution.part, row.sla_resolution.base, row.sla_resolution.percent) == (1, 2, D("50.0"))
    assert (row.sla_first_response.part, row.sla_first_response.base, row.sla_first_response.percent) == (
        2,
        3,
        D("66.7"),
    )


def test_cadence_compliance(org):
    cadence.ensure_defaults()  # key 14, A 30, B 60, C 90 days
    end = at(2026, 4, 1)  # March is judged at its end
    kept = make_account(org.head, org.am_b, tier=Tier.C)
    touch(kept, org.am_b, end - dt.timedelta(days=80), 30)  # within 90 days
    late = make_account(org.head, org.am_b, tier=Tier.C)
    touch(late, org.am_b, end - dt.timedelta(days=100), 30)  # beyond 90 days
    touch(late, org.am_b, end + dt.timedelta(days=1), 30)  # after the period: does not count
    never = make_account(org.head, org.am_b, tier=Tier.B)  # never touched
    make_account(org.head, org.am_b, tier=Tier.C, status=AccountStatus.CHURNED)  # not worked by a cadence
    make_account(org.head, org.sales, status=AccountStatus.PROSPECT)  # a prospect: not a portfolio account
    row = _people(kpi_page(org.head, MARCH, today=LATER))["Am_B"]
    # kept of {kept, late, never}: 1 / 3 = 33.3 %
    assert (row.cadence.part, row.cadence.base, row.cadence.percent) == (1, 3, D("33.3"))
    assert row.accounts == 4  # the churned one is his account too; the prospect is not
    from orbit.kpi.drilldown import cadence as overdue

    assert {a.pk for a in overdue(org.am_b.pk, MARCH)} == {late.pk, never.pk}


def test_retention_and_nrr_of_a_small_portfolio(org):
    """March 2026 judged on the twelve months to March 2026 against the twelve before (Apr 2024 – Mar 2025),
    over the accounts am_b held on 2026-03-01 00:00."""
    a1, a2, a3, a4 = (make_account(org.head, org.am_b) for _ in range(4))
    for account in (a1, a2, a3, a4):
        since(account, at(2024, 1, 1))
    revenue_month(a1, dt.date(2024, 6, 1), 1000)
    revenue_month(a1, dt.date(2025, 6, 1), 1500)  # kept, grew
    revenue_month(a2, dt.date(2025, 3, 1), 500)  # lost
    revenue_month(a3, dt.date(2026, 3, 1), 800)  # new: not in the base
    revenue_month(a4, dt.date(2024, 4, 1), 300)
    revenue_month(a4, dt.date(2026, 1, 1), -50)  # only a credit note: not kept
    revenue_month(a4, dt.date(2024, 3, 1), 999)  # before the window
    moved = make_account(org.head, org.am_a)  # am_a's at the period's start, am_b's later
    since(moved, at(2024, 1, 1))
    revenue_month(moved, dt.date(2024, 6, 1), 100)
    ownership.transfer(
        account=moved, manager=org.am_b, by=org.head, reason=ChangeReason.REASSIGNMENT, at=at(2026, 3, 5)
    )
    rows = _people(kpi_page(org.head, MARCH, today=LATER))
    am_b = rows["Am_B"]
    # base {a1, a2, a4}; kept {a1}: 1 / 3 = 33.3 %; NRR (1500 + 0 − 50) / (1000 + 500 + 300) = 1450 / 1800 = 80.6 %
    assert (am_b.retention.part, am_b.retention.base, am_b.retention.percent) == (1, 3, D("33.3"))
    assert (am_b.nrr_after, am_b.nrr_before, am_b.nrr) == (D("1450.00"), D("1800.00"), D("80.6"))
    # The moved account was am_a's when March began: base 1, kept 0, NRR 0 / 100 = 0.0 %
    assert (rows["Am_A"].retention.percent, rows["Am_A"].nrr) == (D("0.0"), D("0.0"))


def test_retention_of_a_running_period_is_at_the_last_complete_month(org):
    page = kpi_page(org.head, periods.parse("2026-Q2"), today=dt.date(2026, 5, 20))
    assert page.retention_month == dt.date(2026, 4, 1)


def test_ltv_not_computed_without_a_run_and_reactivations(org):
    account = make_account(org.head, org.am_b)
    ReactivationCase.objects.create(
        account=account,
        manager=org.am_b,
        opened_on=dt.date(2026, 1, 5),
        status=ReactivationStatus.REACTIVATED,
        closed_on=dt.date(2026, 3, 31),
    )
    ReactivationCase.objects.create(
        account=make_account(org.head, org.am_b),
        manager=org.am_b,
        opened_on=dt.date(2026, 1, 5),
        status=ReactivationStatus.REACTIVATED,
        closed_on=dt.date(2026, 4, 1),  # April's
    )
    page = kpi_page(org.head, MARCH, today=LATER)
    assert page.ltv_computed is False
    assert _people(page)["Am_B"].reactivated == 1


def test_an_empty_period(org):
    page = kpi_page(org.head, periods.parse("2020-01"), today=LATER)
    assert page.is_empty
    row = _people(page)["Am_A"]
    assert (row.invoiced, row.paid, row.minutes, row.margin_per_hour, row.on_paid.percent) == (
        D("0.00"),
        D("0.00"),
        0,
        None,
        None,
    )
    assert (row.retention.percent, row.nrr, row.sla_resolution.percent, row.wallet_percent) == (None,) * 4


def test_visibility_of_the_rows(org):
    assert {r.name for r in kpi_page(org.am_a, MARCH, today=LATER).people} == {"Am_A"}
    assert {r.name for r in kpi_page(org.lead_a, MARCH, today=LATER).people} == {"Lead_A", "Am_A", "Am_A1"}
    assert kpi_page(org.am_a, MARCH, person=org.am_b.pk, today=LATER).people == []
    assert kpi_page(org.outsider, MARCH, today=LATER).people == []
    assert {t.name for t in kpi_page(org.lead_a, MARCH, today=LATER).teams} == {"Team A", "Team A1"}


def test_the_page_asks_a_fixed_number_of_queries_whatever_the_number_of_managers(org, handoff):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            kpi_page(org.head, MARCH, today=LATER)
        return len(queries.captured_queries)

    few = count()
    for n in range(12):
        person = make_user(f"extra{n}", Role.ACCOUNT_MANAGER, team=org.team_b)
        account = make_account(org.head, person)
        invoice(account, person, dt.date(2026, 3, 3), 100, 50)
        touch(account, person, at(2026, 3, 3, 10), 10)
    assert count() == few
