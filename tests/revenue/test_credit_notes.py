"""Credit notes: negative lines correcting one invoice; they reduce what is open, release payments that no
longer fit into the client's credit, and never exceed what is left to credit."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from orbit.revenue import balances, totals
from orbit.revenue.invoicing import LineInput
from orbit.revenue.models import AccountRevenueMonth, CurrencyRate, InvoiceKind, PaymentAllocation
from tests.revenue.conftest import client_since_2024
from tests.revenue.ledger import credit, issue, manual, pay, routers, row_counts

D = Decimal
MARCH = dt.date(2026, 3, 2)


def settled(invoice) -> tuple[Decimal, Decimal, Decimal]:
    invoice.refresh_from_db()
    return invoice.credited_total, invoice.paid_total, invoice.open_amount


def test_a_credit_note_on_an_unpaid_invoice_reduces_what_is_open(shop):
    invoice = issue(shop, MARCH, routers(shop, 2))  # 2000.00 + 440.00 = 2440.00
    note = credit(shop, invoice, dt.date(2026, 4, 10), routers(shop, "-1"))
    # one router back at the invoice's price: −1000.00, VAT −220.00, total −1220.00
    assert (note.kind, note.corrects_id, note.number) == (
        InvoiceKind.CREDIT_NOTE,
        invoice.pk,
        "КР-2026-000001",
    )
    assert (note.net_total, note.vat_total, note.total, note.open_amount) == (
        D("-1000.00"),
        D("-220.00"),
        D("-1220.00"),
        D(0),
    )
    assert (note.net_total_base, note.cost_total_base) == (D("-1000.00"), D("-600.00"))
    assert settled(invoice) == (D("1220.00"), D("0.00"), D("1220.00"))  # 2440 − 1220
    # the month rows: March +2000/+1200, April −1000/−600 (the credit note's own month)
    months = dict(
        AccountRevenueMonth.objects.filter(account=shop.account)
        .values_list("month", "net_base")
        .order_by("month")
    )
    assert months == {dt.date(2026, 3, 1): D("2000.00"), dt.date(2026, 4, 1): D("-1000.00")}
    assert totals.ledger_problems(shop.account) == []


def test_a_credit_note_on_a_part_paid_invoice_releases_the_excess_to_credit(shop):
    invoice = issue(shop, MARCH, routers(shop, 2))  # 2440.00
    payment = pay(shop, dt.date(2026, 3, 5), "2000.00")  # open 440.00
    credit(shop, invoice, dt.date(2026, 3, 10), routers(shop, "-1"))  # −1220.00
    # left to pay: 2440 − 1220 = 1220.00 < 2000.00 paid → 780.00 released, nothing open
    assert settled(invoice) == (D("1220.00"), D("1220.00"), D("0.00"))
    payment.refresh_from_db()
    assert payment.allocated_amount == D("1220.00")
    balance = balances.account_balance([shop.account.pk], today=dt.date(2026, 3, 11))
    assert (balance.credit_base, balance.open_base) == (D("780.00"), D("0.00"))
    assert totals.ledger_problems(shop.account) == []


def test_a_credit_note_on_a_fully_paid_invoice_releases_the_latest_payment_first(shop):
    invoice = issue(shop, MARCH, routers(shop, 2))  # 2440.00
    early = pay(shop, dt.date(2026, 3, 5), "1000.00")
    late = pay(shop, dt.date(2026, 3, 6), "1440.00")
    credit(shop, invoice, dt.date(2026, 3, 10), routers(shop, "-1"))  # −1220.00
    # 1220.00 released from the latest payment: 1440 − 1220 = 220.00 stays allocated; the early one untouched
    early.refresh_from_db()
    late.refresh_from_db()
    assert (early.allocated_amount, late.allocated_amount) == (D("1000.00"), D("220.00"))
    assert settled(invoice) == (D("1220.00"), D("1220.00"), D("0.00"))
    assert balances.account_balance([shop.account.pk], today=dt.date(2026, 3, 11)).credit_base == D("1220.00")
    assert totals.ledger_problems(shop.account) == []


def test_a_credit_note_crediting_everything_removes_the_allocations(shop):
    invoice = issue(shop, MARCH, manual("100.00"))
    payment = pay(shop, dt.date(2026, 3, 5), "100.00")
    credit(shop, invoice, dt.date(2026, 3, 10), manual("100.00", quantity="-1"))
    assert settled(invoice) == (D("100.00"), D("0.00"), D("0.00"))
    assert not PaymentAllocation.objects.filter(payment=payment).exists()
    assert totals.ledger_problems(shop.account) == []


def refused(shop, invoice, day, *lines) -> dict[str, list[str]]:
    before = row_counts()
    invoice.refresh_from_db()
    state = settled(invoice)
    with pytest.raises(ValidationError) as error:
        credit(shop, invoice, day, *lines)
    assert row_counts() == before
    assert settled(invoice) == state
    return error.value.message_dict


def test_a_credit_note_larger_than_its_invoice_is_refused(shop):
    invoice = issue(shop, MARCH, routers(shop, 2))  # 2440.00
    errors = refused(shop, invoice, MARCH, routers(shop, "-3"))  # −3660.00
    assert "larger than" in errors["lines"][0]


def test_credit_notes_together_cannot_exceed_the_invoice(shop):
    invoice = issue(shop, MARCH, routers(shop, 2))  # 2440.00
    credit(shop, invoice, MARCH, routers(shop, "-1"))  # 1220.00 left to credit
    refused(shop, invoice, MARCH, manual("1220.01", quantity="-1"))
    credit(shop, invoice, MARCH, manual("1220.00", quantity="-1"))  # exactly what is left
    assert settled(invoice) == (D("2440.00"), D("0.00"), D("0.00"))
    assert totals.ledger_problems(shop.account) == []


def test_a_positive_quantity_on_a_credit_note_is_refused(shop):
    invoice = issue(shop, MARCH, routers(shop, 2))
    errors = refused(shop, invoice, MARCH, routers(shop, "1"))
    assert errors["lines"][0].startswith("Line 1: ") and "negative" in errors["lines"][0]


def test_a_credit_note_dated_before_its_invoice_is_refused(shop):
    invoice = issue(shop, MARCH, routers(shop))
    assert list(refused(shop, invoice, MARCH - dt.timedelta(days=1), routers(shop, "-1"))) == ["issued_on"]


def test_a_credit_note_cannot_correct_a_credit_note(shop):
    invoice = issue(shop, MARCH, routers(shop, 2))
    note = credit(shop, invoice, MARCH, routers(shop, "-1"))
    assert "invoice" in refused(shop, note, MARCH, routers(shop, "-1"))


def test_a_credit_note_keeps_the_invoices_vat_rate(shop):
    invoice = issue(shop, dt.date(2025, 12, 20), routers(shop))  # 1000.00 + 20 % = 1200.00
    note = credit(shop, invoice, dt.date(2026, 1, 12), routers(shop, "-1"))
    # corrected at the invoice's 20 %, not 2026's 22 %: −1000.00 − 200.00 = −1200.00
    assert (note.vat_total, note.total) == (D("-200.00"), D("-1200.00"))
    assert settled(invoice) == (D("1200.00"), D("0.00"), D("0.00"))


def test_a_credit_note_in_foreign_currency_takes_its_own_days_rate(shop):
    invoice = issue(shop, dt.date(2026, 3, 5), routers(shop, 2), currency="USD")  # 25.00 + 5.50 = 30.50 USD
    CurrencyRate.objects.create(currency="USD", day=dt.date(2026, 3, 10), rate=D("90.000000"))
    note = credit(shop, invoice, dt.date(2026, 3, 10), routers(shop, "-1"))
    # −12.50 net × 90 = −1125.00 base; total −15.25 × 90 = −1372.50
    assert (note.currency, note.rate, note.net_total_base, note.total_base) == (
        "USD",
        D("90.000000"),
        D("-1125.00"),
        D("-1372.50"),
    )
    assert settled(invoice) == (D("15.25"), D("0.00"), D("15.25"))


def test_a_credit_line_without_a_product_needs_its_price(shop):
    invoice = issue(shop, MARCH, routers(shop))
    errors = refused(
        shop, invoice, MARCH, LineInput(quantity=D(-1), description="Возврат", vat_category="exempt")
    )
    assert errors["lines"][0].startswith("Line 1: ")


def test_a_credit_note_belongs_to_the_invoices_account(shop):
    other = client_since_2024(shop.org.head, shop.org.am_a)
    invoice = issue(shop, MARCH, routers(shop), account=other)
    note = credit(shop, invoice, MARCH, routers(shop, "-1"))
    assert note.account_id == other.pk and note.lines.get().account_id == other.pk
