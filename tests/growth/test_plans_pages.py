"""The plans pages: plan vs fact (rows, chart, empty state, query count), the entry grid (all or nothing,
per-field errors, conflicts, copy), and the account card's partial."""

import datetime as dt
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from orbit.growth import plan_fact, plans
from orbit.growth.models import SalesPlan
from orbit.org.models import Role
from tests.factories import make_user
from tests.revenue.conftest import build_shop
from tests.revenue.ledger import issue, routers

D = Decimal
MARCH = dt.date(2026, 3, 1)


def _client(user, language="en"):
    user.language = language
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


def test_plan_vs_fact_page_shows_rows_chart_and_pace(org):
    shop = build_shop(org)
    issue(shop, dt.date(2026, 3, 2), routers(shop, 2), by=org.head)
    plans.plan_set(by=org.head, month=MARCH, user=org.am_a, revenue=D("4000"), margin=D("1000"))
    response = _client(org.head, "ru").get(reverse("growth:plans"), {"month": "2026-03"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "План-факт" in html
    assert "Am_A" in html and "50,0&nbsp;%" in html  # 2000 of 4000, in Russian (the user's language)
    assert 'data-chart="chart-' in html and "Team A1" in html
    assert response.context["figures"].pace is None  # March 2026 is past


def test_a_manager_sees_only_his_row_and_no_entry_button(org):
    plans.plan_set(by=org.head, month=MARCH, user=org.am_b, revenue=D("10"), margin=D("1"))
    response = _client(org.am_a).get(reverse("growth:plans"), {"month": "2026-03"})
    names = [row.name for row in response.context["people"]]
    assert names == ["Am_A"] and "Am_B" not in response.content.decode()
    assert not response.context["may_enter"]


def test_empty_month_explains_what_to_do(org):
    response = _client(org.outsider).get(reverse("growth:plans"), {"month": "2026-03"})
    assert response.status_code == 200
    assert "No plans and no revenue in this month" in response.content.decode()


def test_a_bad_month_is_said_at_the_field_and_this_month_shown(org):
    response = _client(org.head).get(reverse("growth:plans"), {"month": "2026-13"})
    assert response.status_code == 200
    assert response.context["form"].errors["month"]


def test_the_page_costs_the_same_queries_for_many_people(org, django_assert_max_num_queries):
    for i in range(20):
        person = make_user(f"pp{i}", Role.ACCOUNT_MANAGER, team=org.team_b)
        plans.plan_set(by=org.head, month=MARCH, user=person, revenue=D("100"), margin=D("10"))
    client = _client(org.head)
    client.get(reverse("growth:plans"), {"month": "2026-03"})  # warm the session
    # session, user, roles and access context, team choices, the selector's handful
    with django_assert_max_num_queries(14):
        response = client.get(reverse("growth:plans"), {"month": "2026-03"})
    assert len(response.context["people"]) >= 20


def _post(client, month="2026-03", **fields):
    return client.post(reverse("growth:plans_entry"), {"month": month, "action": "save", **fields})


def test_the_grid_offers_whom_he_leads(org):
    response = _client(org.lead_a).get(reverse("growth:plans_entry"), {"month": "2026-03"})
    keys = [g["key"] for g in response.context["grid"]]
    assert keys == [
        f"u{org.am_a.pk}",
        f"u{org.am_a1.pk}",
        f"u{org.lead_a.pk}",
        f"t{org.team_a.pk}",
        f"t{org.team_a1.pk}",
    ]
    assert _client(org.am_a).get(reverse("growth:plans_entry")).status_code == 403


def test_the_grid_saves_all_at_once(org):
    client = _client(org.lead_a)
    response = _post(
        client,
        **{
            f"u{org.am_a.pk}-revenue": "1 000,50",
            f"u{org.am_a.pk}-margin": "100",
            f"t{org.team_a.pk}-revenue": "5000",
            f"t{org.team_a.pk}-margin": "900",
        },
    )
    assert response.status_code == 302
    assert SalesPlan.objects.get(user=org.am_a).revenue == D("1000.50")
    assert SalesPlan.objects.get(team=org.team_a).margin == D("900")


def test_one_bad_field_saves_nothing_and_says_where(org):
    client = _client(org.head)
    response = _post(
        client,
        **{
            f"u{org.am_a.pk}-revenue": "100",
            f"u{org.am_a.pk}-margin": "10",
            f"u{org.am_b.pk}-revenue": "-5",
            f"u{org.am_b.pk}-margin": "0",
        },
    )
    assert response.status_code == 400
    row = next(g for g in response.context["grid"] if g["key"] == f"u{org.am_b.pk}")
    assert row["revenue_errors"] == ["The revenue plan cannot be negative."]
    assert row["revenue"] == "-5"  # what he typed stays
    assert not SalesPlan.objects.exists()


def test_a_plan_changed_meanwhile_is_a_409_and_nothing_is_saved(org):
    plans.plan_set(by=org.head, month=MARCH, user=org.am_a, revenue=D("100"), margin=D("10"))
    client = _client(org.head)
    page = client.get(reverse("growth:plans_entry"), {"month": "2026-03"})
    version = next(g for g in page.context["grid"] if g["key"] == f"u{org.am_a.pk}")["version"]
    plans.plan_set(by=org.lead_a, month=MARCH, user=org.am_a, revenue=D("200"), margin=D("10"), version=1)
    response = _post(
        client,
        **{
            f"u{org.am_a.pk}-revenue": "300",
            f"u{org.am_a.pk}-margin": "10",
            f"u{org.am_a.pk}-version": str(version),
            f"u{org.am_b.pk}-revenue": "50",
            f"u{org.am_b.pk}-margin": "5",
        },
    )
    assert response.status_code == 409
    assert "Am_A" in response.context["conflict"]
    assert SalesPlan.objects.get(user=org.am_a).revenue == D("200")
    assert not SalesPlan.objects.filter(user=org.am_b).exists()


def test_copy_last_month_fills_the_empty_rows(org):
    plans.plan_set(by=org.head, month=dt.date(2026, 2, 1), user=org.am_a, revenue=D("70"), margin=D("7"))
    client = _client(org.head)
    response = client.post(reverse("growth:plans_entry"), {"month": "2026-03", "action": "copy"})
    assert response.status_code == 302
    assert SalesPlan.objects.get(user=org.am_a, month=MARCH).revenue == D("70")
    again = client.post(reverse("growth:plans_entry"), {"month": "2026-03", "action": "copy"})
    assert again.status_code == 400  # nothing left to copy: said, not a silent success


def test_the_card_partial_shows_the_manager_s_plan_to_those_who_may_see_it(org):
    shop = build_shop(org)
    issue(shop, dt.date(2026, 3, 2), routers(shop, 2), by=org.head)
    plans.plan_set(by=org.head, month=MARCH, user=org.am_a, revenue=D("4000"), margin=D("1000"))
    today = dt.date(2026, 3, 16)
    context = plan_fact.card_plan(org.lead_a, shop.account, today=today)
    assert context["plan_row"].on_invoiced.percent == D("50.0")
    html = render_to_string("growth/plans/_card_plan.html", context)
    assert "Am_A" in html and "50.0&nbsp;%" in html
    assert plan_fact.card_plan(org.am_b, shop.account, today=today)["plan_row"] is None
    assert (
        render_to_string("growth/plans/_card_plan.html", plan_fact.card_plan(org.am_b, shop.account)).strip()
        == ""
    )


def test_at_half_past_midnight_on_the_1st_the_page_shows_the_new_month(org):
    from zoneinfo import ZoneInfo

    import time_machine

    plans.plan_set(by=org.head, month=dt.date(2026, 4, 1), user=org.am_a, revenue=D("1000"), margin=D("100"))
    client = _client(org.head)
    # 00:30 in Moscow on 1 April is still 31 March in UTC: the person's month is April.
    with time_machine.travel(dt.datetime(2026, 4, 1, 0, 30, tzinfo=ZoneInfo("Europe/Moscow")), tick=False):
        response = client.get(reverse("growth:plans"))
    figures = response.context["figures"]
    assert figures.month == dt.date(2026, 4, 1)
    # The 1st of April 2026 is a Wednesday: 8 working hours of April's 175 (22 days, the 30th short) = 0.0457
    assert (figures.pace, figures.pace_basis) == (D("0.0457"), "working")
    am_a = next(row for row in response.context["people"] if row.name == "Am_A")
    assert am_a.expected == D("45.70")  # 1000 × 0.0457


@pytest.mark.clock
def test_the_default_month_is_the_local_one_at_any_hour(org, at_clock):
    response = _client(org.head).get(reverse("growth:plans"))
    assert response.context["figures"].month == at_clock.today.replace(day=1)


def test_a_double_submit_of_the_grid_saves_once(org):
    client = _client(org.head)
    fields = {
        f"u{org.am_a.pk}-revenue": "500",
        f"u{org.am_a.pk}-margin": "50",
        f"u{org.am_a.pk}-version": "0",
    }
    assert _post(client, **fields).status_code == 302
    assert _post(client, **fields).status_code == 302  # the same figures again: no conflict, nothing new
    plan = SalesPlan.objects.get(user=org.am_a)
    assert (plan.revenue, plan.version) == (D("500"), 1)
