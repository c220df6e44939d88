"""The account card's growth panel (growth:account_panel): every part on one request — open opportunities, the
product lines bought and not bought, projects, the responsible manager's plan vs fact — in a bounded number of
queries, and nothing for those who may not see the account."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
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


def _queries(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_the_panel_shows_every_part_in_a_fixed_number_of_queries(client, org, card):
    client.force_login(org.am_a)
    url = reverse("growth:account_panel", args=[card.pk])
    client.get(url)  # warm: what a process caches once (content types, the working calendar) is not counted
    few, page = _queries(client, url)
    assert "Training for the new shift" in page  # the open opportunity
    assert "Line commissioning" in page  # the project
    assert "Service" in page and "Training" in page  # bought, and the gap
    assert "plan vs fact" in page  # the manager's month
    today = timezone.localdate()
    for n in range(4):  # more of every part: the same queries
        opportunity_create(
            by=org.am_a,
            account=card,
            kind="upsell",
            title=f"Upsell {n}",
            amount=Decimal(1000 + n),
            expected_close_on=today + dt.timedelta(days=5 + n),
        )
        project_start(
            by=org.am_a,
            account=card,
            name=f"Project {n}",
            project_manager=org.am_a,
            starts_on=today,
            ends_on=today + dt.timedelta(days=10),
        )
        line = ProductLine.objects.create(code=f"line-{n}", name_ru=f"Линия {n}", name_en=f"Line {n}")
        AccountRevenueMonth.objects.create(
            account=card, month=today.replace(day=1), product_line=line, net_base=Decimal(10 + n), cost_base=0
        )
    many, page = _queries(client, url)
    assert "Upsell 3" in page and "Project 3" in page and "Line 3" in page
    # Session and access context, the account, each part's fixed handful (opportunities 2, lines 3, projects 4,
    # plan vs fact 6): about 21.
    assert many == few <= 24


def test_the_card_loads_it_and_strangers_get_nothing(client, org, card):
    client.force_login(org.am_a)
    assert (
        reverse("growth:account_panel", args=[card.pk])
        in client.get(reverse("accounts:detail", args=[card.pk])).content.decode()
    )
    client.force_login(org.am_b)
    assert client.get(reverse("growth:account_panel", args=[card.pk])).status_code == 404
