"""Invoices and payments record the account's responsible manager on their own date (the ownership ledger),
not today's owner: a payment that arrives after the account changed hands goes to the new manager, while the
invoice it pays stays with the one who issued it."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from orbit.accounts import ownership
from orbit.accounts.models import ChangeReason
from tests.revenue.ledger import issue, pay, routers

D = Decimal


def test_a_payment_after_a_handoff_goes_to_the_new_manager(shop):
    invoice = issue(shop, dt.date(2026, 3, 2), routers(shop))
    ownership.transfer(
        account=shop.account,
        manager=shop.org.am_a1,
        by=shop.org.head,
        reason=ChangeReason.REASSIGNMENT,
        at=dt.datetime(2026, 3, 10, 12, 0, tzinfo=timezone.get_current_timezone()),
    )
    payment = pay(shop, dt.date(2026, 3, 15), "1220.00", by=shop.org.head)
    invoice.refresh_from_db()
    assert invoice.manager == shop.org.am_a  # issued while am_a was responsible
    assert payment.manager == shop.org.am_a1  # paid after the account changed hands
    assert invoice.paid_total == D("1220.00")


def test_a_document_dated_on_the_day_of_a_handoff_goes_to_whoever_holds_the_account_that_evening(shop):
    ownership.transfer(
        account=shop.account,
        manager=shop.org.am_a1,
        by=shop.org.head,
        reason=ChangeReason.REASSIGNMENT,
        at=dt.datetime(2026, 3, 10, 9, 0, tzinfo=timezone.get_current_timezone()),
    )
    assert issue(shop, dt.date(2026, 3, 10), routers(shop), by=shop.org.head).manager == shop.org.am_a1
    assert issue(shop, dt.date(2026, 3, 9), routers(shop), by=shop.org.head).manager == shop.org.am_a


def test_a_backdated_invoice_goes_to_the_manager_of_its_date_not_todays(shop):
    ownership.transfer(
        account=shop.account,
        manager=shop.org.am_a1,
        by=shop.org.head,
        reason=ChangeReason.REASSIGNMENT,
        at=dt.datetime(2026, 3, 10, 9, 0, tzinfo=timezone.get_current_timezone()),
    )
    invoice = issue(shop, dt.date(2026, 2, 1), routers(shop), by=shop.org.am_a1)
    assert invoice.manager == shop.org.am_a
