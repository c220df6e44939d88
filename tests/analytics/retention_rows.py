"""Monthly revenue rows written straight to `AccountRevenueMonth` (what the invoicing services keep), for the
retention and share tests: the figures are hand-computed from these amounts."""

import datetime as dt
from decimal import Decimal

from orbit.revenue.models import AccountRevenueMonth, ProductLine


def lines() -> tuple[ProductLine, ProductLine]:
    return (
        ProductLine.objects.get_or_create(
            code="equipment", defaults={"name_ru": "Оборудование", "name_en": "Equipment"}
        )[0],
        ProductLine.objects.get_or_create(
            code="service", defaults={"name_ru": "Сервис", "name_en": "Service"}
        )[0],
    )


def revenue(account, month: str, amount: str, line: ProductLine | None = None, cost: str = "0") -> None:
    """`amount` (negative for a credit note) in `month` ("2026-02"), on `line` or unlined."""
    year, number = (int(x) for x in month.split("-"))
    AccountRevenueMonth.objects.create(
        account=account,
        month=dt.date(year, number, 1),
        product_line=line,
        net_base=Decimal(amount),
        cost_base=Decimal(cost),
        lines=1,
    )
