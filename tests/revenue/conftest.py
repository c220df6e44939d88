import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from orbit.revenue.models import CurrencyRate, Product, ProductLine, ProductPrice
from tests.factories import make_account

D = Decimal


@pytest.fixture
def shop(org):
    """Two product lines, three products with list prices from 2025-01-01, a USD rate, an account of am_a."""
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
    account = make_account(org.head, org.am_a)
    return SimpleNamespace(
        org=org,
        account=account,
        equipment=equipment,
        service=service,
        router=router,
        cable=cable,
        support=support,
    )
