"""The account card's growth panel (growth:account_panel): every part on one request — open opportunities, the
product lines bought and not bought, projects, the responsible manager's plan vs fact — in a bounded number of
queries, and nothing for those who may not see the account."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from orbit.growth.models import SalesPlan
from orbit.growth.opportunities import opportunity_create
from orbit.growth.projects import project_start
from orbit.org.models import User
from orbit.revenue.models import AccountRevenueMonth, ProductLine
from tests.factories import make_account


@pytest.fixture
def card(org, stages):
    User.objects.update(language="en")
    today = timezone.localdate()
    account = make_account(org.head, org.am_a, legal_name="ООО «Ромашка»")
    service = ProductLine.objects.create(code="service", name_ru="Сервис", name_en="Service")
    ProductLine.objects.create(code="training", name_ru="Обучение", name_en="Training")
    AccountRevenueMonth.objects.create(
        account=account,
        month=today.replace(day=1),
        product_line=service,
        net_base=Decimal("1500.00"),
        cost_base=0,
    )
    opportunity_create(
        by=org.am_a,
        account=account,
        kind="cross_sell",
        title="Training for the new shift",
        amount=Decimal("90000"),
        expected_close_on=today + dt.timedelta(days=20),
    )
    project_start(
        by=org.am_a,
        account=account,
        name="Line commissioning",
        project_manager=org.am_a,
        starts_on=today,
        ends_on=today + dt.timedelta(days=30),
    )
    SalesPlan.objects.create(user=org.am_a, month=today.replace(day=1), revenue=100000, margin=30000)
    return account


def test_the_panel_shows_every_part_in_one_request(client, org, card, django_assert_max_num_queries):
    client.force_login(org.am_a)
    # Session and access context, the account, then each part's fixed handful (opportunities 2, lines 3,
    # projects 4, plan vs fact 6): 21, whatever the number of rows.
    with django_assert_max_num_queries(21):
        response = client.get(reverse("growth:account_panel", args=[card.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Training for the new shift" in page  # the open opportunity
    assert "Line commissioning" in page  # the project
    assert "Service" in page and "Training" in page  # bought, and the gap
    assert "plan vs fact" in page  # the manager's month


def test_the_card_loads_it_and_strangers_get_nothing(client, org, card):
    client.force_login(org.am_a)
    assert (
        reverse("growth:account_panel", args=[card.pk])
        in client.get(reverse("accounts:detail", args=[card.pk])).content.decode()
    )
    client.force_login(org.am_b)
    assert client.get(reverse("growth:account_panel", args=[card.pk])).status_code == 404
