"""Real HTTP against a live server: `call(user)` is an httpx client holding a fresh API token of `user`."""

import datetime as dt
import importlib
from decimal import Decimal
from types import SimpleNamespace

import httpx
import pytest

from orbit.accounts.models import Industry, OwnershipPeriod, Region, Segment
from orbit.api.models import ApiToken
from orbit.revenue.models import CurrencyRate, Product, ProductLine, ProductPrice, VatRate
from tests.factories import PASSWORD, make_account


@pytest.fixture
def call(live_server, transactional_db):
    clients = []

    def make(user=None, *, token: str | None = None) -> httpx.Client:
        headers = {}
        if user is not None and token is None:
            _, token = ApiToken.issue(user=user, name="tests")
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        client = httpx.Client(base_url=f"{live_server.url}/api", headers=headers, timeout=30)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def browser_login(live_server, transactional_db):
    """Sign in through the real login form; the client then carries the session and CSRF cookies."""
    clients = []

    def login(user) -> httpx.Client:
        client = httpx.Client(base_url=live_server.url, timeout=30)
        clients.append(client)
        client.get("/login/")
        response = client.post(
            "/login/",
            data={
                "username": user.username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": client.cookies["csrftoken"],
            },
        )
        assert response.status_code == 302, response.text
        return client

    yield login
    for client in clients:
        client.close()


@pytest.fixture
def refs(transactional_db):
    return {
        "industry": Industry.objects.create(code="it", name_ru="Информационные технологии", name_en="IT"),
        "region": Region.objects.create(code="msk", name_ru="Москва", name_en="Moscow"),
        "segment": Segment.objects.create(code="large", name_ru="Крупный бизнес", name_en="Enterprise"),
    }


def speak(user, language: str) -> None:
    user.language = language
    user.save(update_fields=["language"])


@pytest.fixture
def ledger(org, transactional_db):
    """The revenue API's world: Russia's VAT rates (a transactional test flushes those of the migration), a
    catalog with list prices from 2026-01-01 (Router 1000.00, cost 600.00; Cable 10.00, cost 4.00; Router in USD
    12.50), a USD rate of 80.00 from 2026-03-02, an account of am_a and one of am_b."""
    seeded = importlib.import_module("orbit.revenue.migrations.0002_vat_rates_of_russia")
    for category, valid_from, percent in seeded.RATES:
        VatRate.objects.get_or_create(category=category, valid_from=valid_from, defaults={"percent": percent})
    line = ProductLine.objects.create(code="equipment", name_ru="Оборудование", name_en="Equipment")
    router = Product.objects.create(sku="R-1", name="Маршрутизатор", product_line=line)
    cable = Product.objects.create(sku="C-1", name="Кабель", product_line=line, unit="м")
    start = dt.date(2026, 1, 1)
    ProductPrice.objects.create(
        product=router, valid_from=start, price=Decimal("1000.00"), cost=Decimal("600.00")
    )
    ProductPrice.objects.create(product=cable, valid_from=start, price=Decimal("10.00"), cost=Decimal("4.00"))
    ProductPrice.objects.create(
        product=router, currency="USD", valid_from=start, price=Decimal("12.50"), cost=Decimal("7.00")
    )
    CurrencyRate.objects.create(currency="USD", day=dt.date(2026, 3, 2), rate=Decimal("80.000000"))
    alpha = make_account(org.head, org.am_a, legal_name="ООО «Альфа»")
    beta = make_account(org.head, org.am_b, legal_name="ООО «Бета»")
    # Their managers have been responsible since 2025, so documents of 2026 record them.
    since = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    OwnershipPeriod.objects.filter(account__in=[alpha, beta]).update(started_at=since)
    return SimpleNamespace(org=org, line=line, router=router, cable=cable, alpha=alpha, beta=beta)
