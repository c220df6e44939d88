"""Payments: partial and multiple, allocated explicitly or oldest first within the currency; an overpayment is
kept as the client's credit and applied later; a wrong allocation is a clear error and saves nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from orbit.revenue import balances, payments, totals
from orbit.revenue.models import Payment, PaymentAllocation
from tests.revenue.conftest import client_since_2024
from tests.revenue.ledger import credit, issue, manual, pay, routers, row_counts

D = Decimal
MARCH = dt.date(2026, 3, 2)


def state(invoice) -> tuple[Decimal, Decimal]:
    invoice.refresh_from_db()
    return invoice.paid_total, invoice.open_amount


def test_partial_and_multiple_payments(shop):
    invoice = issue(shop, MARCH, routers(shop, 2))  # 2000.00 + 22 % = 2440.00
    first = pay(shop, dt.date(2026, 3, 5), "1000.00")
    assert state(invoice) == (D("1000.00"), D("1440.00"))  # 2440 − 1000
    second = pay(shop, dt.date(2026, 3, 9), "1440.00")
    assert state(invoice) == (D("2440.00"), D("0.00"))
    assert [first.allocated_amount, second.allocated_amount] == [D("1000.00"), D("1440.00")]
    assert totals.ledger_problems(shop.account) == []


def test_oldest_first_across_three_invoices(shop):
    # each 1 router: 1000.00 + 220.00 = 1220.00
    later_due = issue(shop, dt.date(2026, 3, 1), routers(shop), due_on=dt.date(2026, 3, 31))
    first_due = issue(shop, dt.date(2026, 3, 2), routers(shop), due_on=dt.date(2026, 3, 16))
    same_due_later = issue(shop, dt.date(2026, 3, 3), routers(shop), due_on=dt.date(2026, 3, 16))
    payment = pay(shop, dt.date(2026, 3, 20), "2000.00")
    # by due date, then issue date: first_due 1220.00, same_due_later 2000 − 1220 = 780.00, later_due nothing
    assert state(first_due) == (D("1220.00"), D("0.00"))
    assert state(same_due_later) == (D("780.00"), D("440.00"))
    assert state(later_due) == (D("0.00"), D("1220.00"))
    assert payment.allocated_amount == D("2000.00")
    assert totals.ledger_problems(shop.account) == []


def test_oldest_first_stays_within_the_payments_currency(shop):
    usd = issue(shop, dt.date(2026, 3, 2), routers(shop), currency="USD", due_on=dt.date(2026, 3, 2))
    rub = issue(shop, dt.date(2026, 3, 3), routers(shop))
    pay(shop, dt.date(2026, 3, 5), "100.00")
    assert state(usd) == (D("0.00"), D("15.25"))  # 12.50 + 22 % = 15.25 USD, untouched
    assert state(rub) == (D("100.00"), D("1120.00"))


def test_an_overpayment_is_kept_as_credit_and_applied_later(shop):
    first = issue(shop, MARCH, routers(shop))  # 1220.00
    payment = pay(shop, dt.date(2026, 3, 5), "1500.00")
    assert state(first) == (D("1220.00"), D("0.00"))
    payment.refresh_from_db()
    assert payment.allocated_amount == D("1220.00")  # 1500 − 1220 = 280.00 stays credit
    assert balances.account_balance([shop.account.pk], today=dt.date(2026, 3, 6)).credit_base == D("280.00")
    second = issue(shop, dt.date(2026, 4, 1), routers(shop))  # 1220.00: credit is not applied by itself
    assert state(second) == (D("0.00"), D("1220.00"))
    allocation = payments.payment_allocate(by=shop.org.am_a, payment=payment, invoice=second)
    assert allocation.amount == D("280.00")
    assert state(second) == (D("280.00"), D("940.00"))  # 1220 − 280
    payment.refresh_from_db()
    assert payment.allocated_amount == D("1500.00")
    assert balances.account_balance([shop.account.pk], today=dt.date(2026, 4, 2)).credit_base == D("0.00")
    assert totals.ledger_problems(shop.account) == []


def test_an_empty_allocation_leaves_everything_as_credit(shop):
    invoice = issue(shop, MARCH, routers(shop))
    payment = pay(shop, dt.date(2026, 3, 5), "500.00", allocate=[])
    assert payment.allocated_amount == D(0) and state(invoice) == (D("0.00"), D("1220.00"))
    partial = payments.payment_allocate(
        by=shop.org.am_a, payment=payment, invoice=invoice, amount=D("200.00")
    )
    assert partial.amount == D("200.00")
    again = payments.payment_allocate(by=shop.org.am_a, payment=payment, invoice=invoice, amount=D("100.00"))
    assert again.pk == partial.pk and again.amount == D("300.00")  # one allocation per pair, added up
    assert state(invoice) == (D("300.00"), D("920.00"))
    assert totals.ledger_problems(shop.account) == []


def test_an_explicit_allocation_goes_where_it_is_told(shop):
    a = issue(shop, MARCH, routers(shop))
    b = issue(shop, dt.date(2026, 3, 3), routers(shop))
    payment = pay(shop, dt.date(2026, 3, 5), "1000.00", allocate=[(b, D("700.00")), (a, D("200.00"))])
    assert state(b) == (D("700.00"), D("520.00"))
    assert state(a) == (D("200.00"), D("1020.00"))
    assert payment.allocated_amount == D("900.00")  # 100.00 stays credit
    assert totals.ledger_problems(shop.account) == []


def allocation_refused(shop, amount, allocate, **kwargs) -> dict[str, list[str]]:
    before = row_counts()
    with pytest.raises(ValidationError) as error:
        pay(shop, dt.date(2026, 3, 5), amount, allocate=allocate, **kwargs)
    assert row_counts() == before
    return error.value.message_dict


def test_an_allocation_larger_than_the_invoices_open_amount_is_refused(shop):
    invoice = issue(shop, MARCH, routers(shop))
    errors = allocation_refused(shop, "2000.00", [(invoice, D("1220.01"))])
    assert "more than invoice" in errors["allocate"][0]


def test_an_allocation_larger_than_the_payment_is_refused(shop):
    a = issue(shop, MARCH, routers(shop))
    b = issue(shop, MARCH, routers(shop))
    errors = allocation_refused(shop, "1500.00", [(a, D("1000.00")), (b, D("500.01"))])
    assert "more than the payment has left" in errors["allocate"][0]


def test_an_allocation_to_another_accounts_invoice_is_refused(shop):
    other = client_since_2024(shop.org.head, shop.org.am_a)
    theirs = issue(shop, MARCH, routers(shop), account=other)
    errors = allocation_refused(shop, "100.00", [(theirs, D("100.00"))])
    assert "another account" in errors["allocate"][0]


def test_an_allocation_in_another_currency_is_refused(shop):
    usd = issue(shop, MARCH, routers(shop), currency="USD")
    errors = allocation_refused(shop, "10.00", [(usd, D("10.00"))])
    assert "USD" in errors["allocate"][0]


def test_a_credit_note_takes_no_payment(shop):
    invoice = issue(shop, MARCH, routers(shop))
    note = credit(shop, invoice, MARCH, routers(shop, "-1"))
    errors = allocation_refused(shop, "10.00", [(note, D("10.00"))])
    assert "credit note" in errors["allocate"][0]


@pytest.mark.parametrize("amount", ["0", "-5.00", "1.001"])
def test_a_payment_must_be_a_positive_amount_in_kopecks(shop, amount):
    before = row_counts()
    with pytest.raises(ValidationError) as error:
        pay(shop, MARCH, amount)
    assert list(error.value.message_dict) == ["amount"]
    assert row_counts() == before


def test_a_payment_in_a_currency_with_no_rate_is_refused(shop):
    before = row_counts()
    with pytest.raises(ValidationError) as error:
        pay(shop, MARCH, "10.00", currency="EUR")
    assert list(error.value.message_dict) == ["currency"]
    assert row_counts() == before


def test_a_foreign_payment_is_converted_at_its_own_days_rate(shop):
    payment = pay(shop, dt.date(2026, 3, 4), "15.25", currency="USD")
    # 15.25 × 80.123456 = 1221.882704 → 1221.88
    assert (payment.rate, payment.amount_base) == (D("80.123456"), D("1221.88"))


def test_applying_more_credit_than_is_left_is_refused(shop):
    invoice = issue(shop, MARCH, routers(shop))
    payment = pay(shop, MARCH, "100.00", allocate=[])
    with pytest.raises(ValidationError) as error:
        payments.payment_allocate(by=shop.org.am_a, payment=payment, invoice=invoice, amount=D("100.01"))
    assert list(error.value.message_dict) == ["amount"]
    payments.payment_allocate(by=shop.org.am_a, payment=payment, invoice=invoice)
    with pytest.raises(ValidationError) as error:
        payments.payment_allocate(by=shop.org.am_a, payment=payment, invoice=invoice)
    assert list(error.value.message_dict) == ["payment"]
    assert PaymentAllocation.objects.get().amount == D("100.00")


def test_applying_credit_to_a_settled_invoice_is_refused(shop):
    settled = issue(shop, MARCH, manual("50.00"))
    pay(shop, MARCH, "50.00")
    payment = pay(shop, MARCH, "30.00", allocate=[])
    with pytest.raises(ValidationError) as error:
        payments.payment_allocate(by=shop.org.am_a, payment=payment, invoice=settled)
    assert list(error.value.message_dict) == ["invoice"]


def test_who_may_not_bill_may_not_record_a_payment(shop):
    with pytest.raises(PermissionDenied):
        pay(shop, MARCH, "10.00", by=shop.org.auditor)
    assert not Payment.objects.exists()


def test_a_payment_reference_longer_than_its_column_is_refused(shop):
    before = row_counts()
    with pytest.raises(ValidationError) as error:
        pay(shop, MARCH, "10.00", reference="r" * 101)
    assert list(error.value.message_dict) == ["reference"]
    assert row_counts() == before


def test_credit_cannot_be_applied_to_another_accounts_invoice(shop):
    other = client_since_2024(shop.org.head, shop.org.am_a)
    theirs = issue(shop, MARCH, routers(shop), account=other)
    payment = pay(shop, MARCH, "100.00", allocate=[])
    with pytest.raises(ValidationError) as error:
        payments.payment_allocate(by=shop.org.am_a, payment=payment, invoice=theirs)
    assert list(error.value.message_dict) == ["invoice"]
    assert not PaymentAllocation.objects.exists()


def test_who_may_not_bill_may_not_apply_credit(shop):
    invoice = issue(shop, MARCH, routers(shop))
    payment = pay(shop, MARCH, "100.00", allocate=[])
    with pytest.raises(PermissionDenied):
        payments.payment_allocate(by=shop.org.auditor, payment=payment, invoice=invoice)
    assert not PaymentAllocation.objects.exists()
