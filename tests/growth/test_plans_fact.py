"""Plan vs fact against hand-computed examples: invoiced and paid revenue, margin, per person and team.

The story (am_a's account from the revenue tests' shop: router 1000/600 RUB, 12.50/7.00 USD; cable 10/4;
support 5000/1000; VAT 22 % in 2026; USD 80.123456 from 2026-03-02):
- 2026-02-10 invoice F: 1 support: net 5000, VAT 1100, total 6100, cost 1000 (am_a)
- 2026-03-02 invoice M: 2 routers: net 2000, VAT 440, total 2440, cost 1200 (am_a)
- 2026-03-02 invoice U in USD: 1 router: net 12.50, VAT 2.75, total 15.25;
  net base = round(12.50 × 80.123456) = round(1001.5432) = 1001.54; cost base = round(7 × 80.123456) = 560.86
- 2026-03-05 payment P0, 15.25 USD → U: paid net = round(15.25 × 1001.54 / 15.25) = 1001.54 (am_a)
- 2026-03-10 12:00 the account moves to am_a1 (mid-month: the fact splits)
- 2026-03-12 invoice C: 10 cables: net 100, VAT 22, total 122, cost 40 (am_a1)
- 2026-03-20 payment P1, 4000 RUB → F 3000 (February's) and M 1000 (March's), am_a1:
  round(3000 × 5000 / 6100) = round(2459.016…) = 2459.02; round(1000 × 2000 / 2440) = round(819.672…) = 819.67
- 2026-03-31 payment P2, 500 RUB → C 122, 378 left as credit (not revenue): round(122 × 100 / 122) = 100.00
- 2026-04-01 payment P3, 100 RUB → M: round(100 × 2000 / 2440) = round(81.967…) = 81.97 (April, am_a1)
- 2026-04-03 credit note on M: −1 router: net −1000, cost −600, in April, for am_a1 (responsible on its day)
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from orbit.accounts import ownership
from orbit.accounts.models import ChangeReason
from orbit.growth import plan_fact, plans
from tests.revenue.conftest import build_shop
from tests.revenue.ledger import credit, issue, manual, pay, routers

D = Decimal
MARCH, APRIL, FEBRUARY = dt.date(2026, 3, 1), dt.date(2026, 4, 1), dt.date(2026, 2, 1)
LATER = dt.date(2026, 6, 15)  # "today" for past months: no pace


@pytest.fixture
def story(org):
    from orbit.revenue.invoicing import LineInput

    shop = build_shop(org)
    head = org.head
    f = issue(shop, dt.date(2026, 2, 10), LineInput(product=shop.support), by=head)
    m = issue(shop, dt.date(2026, 3, 2), routers(shop, 2), by=head)
    u = issue(shop, dt.date(2026, 3, 2), routers(shop), currency="USD", by=head)
    pay(shop, dt.date(2026, 3, 5), "15.25", currency="USD", by=head)
    ownership.transfer(
        account=shop.account,
        manager=org.am_a1,
        by=head,
        reason=ChangeReason.REASSIGNMENT,
        at=dt.datetime(2026, 3, 10, 12, 0, tzinfo=timezone.get_current_timezone()),
    )
    c = issue(shop, dt.date(2026, 3, 12), LineInput(product=shop.cable, quantity=D(10)), by=head)
    pay(shop, dt.date(2026, 3, 20), "4000", allocate=[(f, D("3000")), (m, D("1000"))], by=head)
    pay(shop, dt.date(2026, 3, 31), "500", allocate=[(c, D("122"))], by=head)
    pay(shop, dt.date(2026, 4, 1), "100", allocate=[(m, D("100"))], by=head)
    credit(shop, m, dt.date(2026, 4, 3), routers(shop, -1), by=head)
    return shop, {"f": f, "m": m, "u": u, "c": c}


def _rows(figures):
    return {row.name: row for row in figures.people}


def test_the_documents_are_what_the_story_says(story):
    shop, docs = story
    assert (docs["u"].net_total_base, docs["u"].cost_total_base, docs["u"].total) == (
        D("1001.54"),
        D("560.86"),
        D("15.25"),
    )
    assert docs["m"].total == D("2440.00") and docs["c"].manager == shop.org.am_a1


def test_invoiced_paid_and_margin_of_march_split_between_the_two_managers(story):
    shop, _docs = story
    org = shop.org
    rows = _rows(plan_fact.plan_fact(org.head, MARCH, today=LATER))
    am_a, am_a1 = rows["Am_A"], rows["Am_A1"]
    # am_a: M 2000 + U 1001.54; cost 1200 + 560.86; margin 3001.54 − 1760.86 = 1240.68; paid P0 1001.54
    assert (am_a.invoiced, am_a.cost, am_a.margin, am_a.paid) == (
        D("3001.54"),
        D("1760.86"),
        D("1240.68"),
        D("1001.54"),
    )
    # am_a1: C 100, cost 40; paid P1 2459.02 + 819.67 + P2 100.00 = 3378.69 (the 378 of credit is not revenue)
    assert (am_a1.invoiced, am_a1.cost, am_a1.margin, am_a1.paid) == (
        D("100.00"),
        D("40.00"),
        D("60.00"),
        D("3378.69"),
    )
    # Paid margin, each allocation's share of its invoice's net − cost:
    # am_a: round(15.25 × (1001.54 − 560.86) / 15.25) = 440.68
    # am_a1: round(3000 × 4000 / 6100) = round(1967.213…) = 1967.21; round(1000 × 800 / 2440) = round(327.868…)
    #        = 327.87; round(122 × 60 / 122) = 60.00 → 2355.08
    assert (am_a.paid_margin, am_a1.paid_margin) == (D("440.68"), D("2355.08"))


def test_april_has_the_credit_note_and_the_payment_after_midnight_of_the_31st(story):
    shop, _docs = story
    rows = _rows(plan_fact.plan_fact(shop.org.head, APRIL, today=LATER))
    # The credit note −1000 (cost −600) in its own month, for am_a1; P3 (April 1st) 81.97.
    assert (rows["Am_A1"].invoiced, rows["Am_A1"].margin, rows["Am_A1"].paid) == (
        D("-1000.00"),
        D("-400.00"),
        D("81.97"),
    )
    assert (rows["Am_A"].invoiced, rows["Am_A"].paid) == (D("0.00"), D("0.00"))
    february = _rows(plan_fact.plan_fact(shop.org.head, FEBRUARY, today=LATER))
    assert (february["Am_A"].invoiced, february["Am_A"].paid) == (D("5000.00"), D("0.00"))


def test_plans_percent_and_gap_for_people_and_teams(story):
    shop, _docs = story
    org = shop.org
    plans.plan_set(by=org.head, month=MARCH, user=org.am_a, revenue=D("4000"), margin=D("1500"))
    plans.plan_set(by=org.head, month=MARCH, user=org.am_a1, revenue=D("3000"), margin=D("1000"))
    plans.plan_set(by=org.head, month=MARCH, team=org.team_a, revenue=D("8000"), margin=D("3000"))
    figures = plan_fact.plan_fact(org.head, MARCH, today=LATER)
    am_a = _rows(figures)["Am_A"]
    # invoiced 3001.54 / 4000 = 75.0385 % → 75.0; gap −998.46; paid 1001.54 / 4000 = 25.0385 % → 25.0
    assert (am_a.on_invoiced.percent, am_a.on_invoiced.gap) == (D("75.0"), D("-998.46"))
    assert (am_a.on_paid.percent, am_a.on_paid.gap) == (D("25.0"), D("-2998.46"))
    # margin 1240.68 / 1500 = 82.712 % → 82.7
    assert am_a.on_margin.percent == D("82.7")
    am_a1 = _rows(figures)["Am_A1"]
    assert (am_a1.on_paid.percent, am_a1.on_paid.gap) == (D("112.6"), D("378.69"))  # 3378.69 / 3000
    teams = {row.name: row for row in figures.teams}
    # Team A: its own plan 8000; fact of its tree (am_a, am_a1, lead_a): 3001.54 + 100 = 3101.54
    assert (teams["Team A"].plan_revenue, teams["Team A"].plan_source, teams["Team A"].invoiced) == (
        D("8000"),
        "own",
        D("3101.54"),
    )
    # Team A1 has no plan of its own: the sum of its people's (am_a1: 3000)
    assert (teams["Team A1"].plan_revenue, teams["Team A1"].plan_source, teams["Team A1"].paid) == (
        D("3000"),
        "people",
        D("3378.69"),
    )
    assert teams["Team B"].plan_source == "none" and teams["Team B"].invoiced == 0
    # The total: plans 4000 + 3000 = 7000; invoiced 3101.54; paid 1001.54 + 3378.69 = 4380.23
    assert (figures.total.plan_revenue, figures.total.invoiced, figures.total.paid) == (
        D("7000"),
        D("3101.54"),
        D("4380.23"),
    )


def test_each_sees_only_whom_he_may(story):
    shop, _docs = story
    org = shop.org
    names = {
        who: sorted(_rows(plan_fact.plan_fact(getattr(org, who), MARCH, today=LATER)))
        for who in ("am_a", "am_a1", "lead_a", "lead_b", "outsider")
    }
    assert names["am_a"] == ["Am_A"] and names["am_a1"] == ["Am_A1"]
    assert names["lead_a"] == ["Am_A", "Am_A1", "Lead_A"]
    assert names["lead_b"] == ["Am_B", "Lead_B", "Sales"]
    assert names["outsider"] == []
    # am_a no longer sees the account, but his March figures stay his (documents recorded on him).
    am_a = _rows(plan_fact.plan_fact(org.am_a, MARCH, today=LATER))["Am_A"]
    assert (am_a.invoiced, am_a.paid) == (D("3001.54"), D("1001.54"))
    assert [t.name for t in plan_fact.plan_fact(org.lead_a, MARCH, today=LATER).teams] == [
        "Team A",
        "Team A1",
    ]
    assert plan_fact.plan_fact(org.am_a, MARCH, today=LATER).teams == []
    # A team he does not lead: nothing, as a filter that matches nothing.
    assert plan_fact.plan_fact(org.lead_a, MARCH, today=LATER, team=org.team_b.pk).people == []
    # The card: am_a1 may not see am_a's plan; the lead and the head may.
    assert plan_fact.manager_plan_fact(org.am_a1, org.am_a, MARCH) is None
    assert plan_fact.manager_plan_fact(org.lead_a, org.am_a, MARCH, today=LATER).invoiced == D("3001.54")
    assert plan_fact.manager_plan_fact(org.head, None, MARCH) is None


def test_a_team_filter_narrows_people_to_the_tree(story):
    shop, _docs = story
    figures = plan_fact.plan_fact(shop.org.head, MARCH, today=LATER, team=shop.org.team_a1.pk)
    assert [r.name for r in figures.people] == ["Am_A1"] and [t.name for t in figures.teams] == ["Team A1"]


def test_the_page_costs_the_same_queries_for_many_people(org, django_assert_max_num_queries):
    from orbit.org.models import Role
    from tests.factories import make_account, make_user

    build_shop(org)
    for i in range(15):
        person = make_user(f"extra{i}", Role.ACCOUNT_MANAGER, team=org.team_b)
        plans.plan_set(by=org.head, month=MARCH, user=person, revenue=D("100"), margin=D("10"))
        account = make_account(org.head, person)
        issue(None, dt.date(2026, 3, 2), manual("100"), by=org.head, account=account)
    head = type(org.head).objects.get(pk=org.head.pk)
    # access context, teams, invoiced, paid, plans, people (+ the base currency read from settings)
    with django_assert_max_num_queries(7):
        figures = plan_fact.plan_fact(head, MARCH, today=LATER)
    assert len(figures.people) >= 15


def test_pace_of_the_current_month_on_working_days(db):
    # March 2026 in the Russian calendar: 21 working days of 8 h (8 March, a Sunday, moves to Monday the 9th:
    # 22 weekdays − 1) = 168 h. By the end of the 16th: 2–6 (40 h), 10–13 (32 h), 16 (8 h) = 80 h
    # → 80 / 168 = 0.47619… → 0.4762 (calendar days would give 16 / 31 = 0.5161)
    share, basis = plan_fact.month_pace(MARCH, dt.date(2026, 3, 16))
    assert (share, basis) == (D("0.4762"), "working")
    # April 2026: 30 April is a short day (7 h): 22 days, 175 h; by the end of the 30th all of it.
    assert plan_fact.month_pace(APRIL, dt.date(2026, 4, 30)) == (D("1.0000"), "working")
    assert plan_fact.month_pace(MARCH, dt.date(2026, 4, 1)) == (None, "")


def test_expected_by_now_is_plan_times_pace(story):
    shop, _docs = story
    org = shop.org
    plans.plan_set(by=org.head, month=MARCH, user=org.am_a, revenue=D("4000"), margin=D("1500"))
    figures = plan_fact.plan_fact(org.head, MARCH, today=dt.date(2026, 3, 16))
    assert _rows(figures)["Am_A"].expected == (D("4000") * figures.pace).quantize(D("0.01"))
