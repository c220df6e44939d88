import datetime as dt
from decimal import Decimal

from orbit.revenue import balances, invoicing, payments, totals
from orbit.revenue.invoicing import LineInput

D = Decimal


def test_an_invoice_paid_in_full_leaves_nothing_open(shop):
    invoice = invoicing.invoice_issue(
        by=shop.org.am_a,
        account=shop.account,
        issued_on=dt.date(2026, 3, 2),
        currency="RUB",
        lines=[LineInput(product=shop.router, quantity=D(2))],
    )
    # 2 × 1000.00 = 2000.00 net; VAT 22 % = 440.00; total 2440.00
    assert (invoice.net_total, invoice.vat_total, invoice.total) == (D("2000.00"), D("440.00"), D("2440.00"))
    assert invoice.number == "СЧ-2026-000001"
    payment = payments.payment_record(
        by=shop.org.am_a,
        account=shop.account,
        received_on=dt.date(2026, 3, 5),
        amount=D("2440.00"),
        currency="RUB",
    )
    invoice.refresh_from_db()
    assert (invoice.paid_total, invoice.open_amount, payment.allocated_amount) == (
        D("2440.00"),
        D(0),
        D("2440.00"),
    )
    balance = balances.account_balance([shop.account.pk], today=dt.date(2026, 4, 1))
    assert balance.open_base == 0
    assert balance.paid_base == D("2440.00")
    assert totals.ledger_problems(shop.account) == []
