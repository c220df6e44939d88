"""Short calls of the ledger services for the tests: issue, credit, pay as am_a on the shop's account."""

import datetime as dt
from decimal import Decimal

from orbit.revenue import invoicing, payments
from orbit.revenue.invoicing import LineInput
from orbit.revenue.models import (
    AccountRevenueMonth,
    DocumentCounter,
    Invoice,
    InvoiceLine,
    Payment,
    PaymentAllocation,
)


def issue(shop, day: dt.date, *lines: LineInput, by=None, account=None, **kwargs):
    return invoicing.invoice_issue(
        by=by or shop.org.am_a,
        account=account or shop.account,
        issued_on=day,
        currency=kwargs.pop("currency", "RUB"),
        lines=list(lines),
        **kwargs,
    )


def routers(shop, quantity: int | str = 1) -> LineInput:
    return LineInput(product=shop.router, quantity=Decimal(quantity))


def manual(price: str, *, quantity: str = "1", vat: str = "exempt", **kwargs) -> LineInput:
    kwargs.setdefault("description", "Work")
    return LineInput(quantity=Decimal(quantity), unit_price=Decimal(price), vat_category=vat, **kwargs)


def credit(shop, invoice, day: dt.date, *lines: LineInput, by=None, **kwargs):
    return invoicing.credit_note_issue(
        by=by or shop.org.am_a, invoice=invoice, issued_on=day, lines=list(lines), **kwargs
    )


def pay(shop, day: dt.date, amount: str, *, by=None, account=None, **kwargs):
    return payments.payment_record(
        by=by or shop.org.am_a,
        account=account or shop.account,
        received_on=day,
        amount=Decimal(amount),
        currency=kwargs.pop("currency", "RUB"),
        **kwargs,
    )


def row_counts() -> dict[str, int]:
    """Rows of every table the money services write: a refusal must leave them all unchanged."""
    models = (Invoice, InvoiceLine, Payment, PaymentAllocation, AccountRevenueMonth, DocumentCounter)
    return {m.__name__: m.objects.count() for m in models}
