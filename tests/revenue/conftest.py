import datetime as dt
import importlib
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db.models import Q
from django.utils import timezone, translation

from orbit.accounts.models import Account, OwnershipPeriod
from orbit.revenue import totals
from orbit.revenue.models import CurrencyRate, Invoice, Payment, Product, ProductLine, ProductPrice, VatRate
from tests.factories import make_account

D = Decimal


@pytest.fixture(autouse=True)
def _in_english():
    """The services' messages are asserted in English here (the suite's default language is Russian); the
    tests that check the Russian switch to it themselves."""
    with translation.override("en"):
        yield


@pytest.fixture
def corrupts_ledger():
    """Requested by a test that corrupts the ledger on purpose: `_ledger_holds` then does not check it."""


@pytest.fixture(autouse=True)
def _ledger_holds(request):
    """After every test on the shop, whatever it did or had refused: `ledger_problems` finds nothing on any
    account with documents."""
    if "shop" not in request.fixturenames or "corrupts_ledger" in request.fixturenames:
        yield
        return
    request.getfixturevalue("shop")  # set up first, so the database is still there when this one ends
    yield
    with_documents = Q(pk__in=Invoice.objects.values("account_id")) | Q(
        pk__in=Payment.objects.values("account_id")
    )
    for account in Account.objects.filter(with_documents):
        assert totals.ledger_problems(account) == [], account


def client_since_2024(by, manager, **fields):
    """An account whose responsible manager has held it since 2024-01-01 (the ledger dates back to 2025)."""
    account = make_account(by, manager, **fields)
    since = dt.datetime(2024, 1, 1, tzinfo=timezone.get_current_timezone())
    OwnershipPeriod.objects.filter(account=account).update(started_at=since)
    return account


def seed_vat_rates() -> None:
    """Migration 0002's rates again: a transactional test's flush empties the table the migration filled."""
    seeded = importlib.import_module("orbit.revenue.migrations.0002_vat_rates_of_russia")
    for category, valid_from, percent in seeded.RATES:
        VatRate.objects.get_or_create(category=category, valid_from=valid_from, defaults={"percent": percent})


def build_shop(org) -> SimpleNamespace:
    seed_vat_rates()
    equipment = ProductLine.objects.create(code="equipment", name_ru="Оборудование", name_en="Equipment")
    service = ProductLine.objects.create(code="service", name_ru="Сервис", name_en="Service")
    router = Product.objects.create(sku="R-1", name="Router", product_line=equipment)
    cable = Product.objects.create(sku="C-1", name="Cable", product_line=equipment)
    support = Product.objects.create(sku="S-1", name="Support", product_line=service, unit="мес")
    start = dt.date(2025, 1, 1)
    ProductPrice.objects.create(product=router, valid_from=start, price=D("1000.00"), cost=D("600.00"))
    ProductPrice.objects.create(product=cable, valid_from=start, price=D("10.00"), cost=D("4.00"))
    ProductPrice.objects.create(product=support, valid_from=start, price=D("5000.00"), cost=D("1000.00"))
    ProductPrice.objects.create(
        product=router, currency="USD", valid_from=start, price=D("12.50"), cost=D("7.00")
    )
    CurrencyRate.objects.create(currency="USD", day=dt.date(2026, 3, 2), rate=D("80.123456"))
    return SimpleNamespace(
        org=org,
        account=client_since_2024(org.head, org.am_a),
        equipment=equipment,
        service=service,
        router=router,
        cable=cable,
        support=support,
    )


@pytest.fixture
def shop(org):
    """Two product lines, three products with list prices from 2025-01-01 (router 1000/600, cable 10/4,
    support 5000/1000 RUB; router 12.50/7.00 USD), a USD rate of 2026-03-02 (80.123456) and am_a's account."""
    return build_shop(org)
