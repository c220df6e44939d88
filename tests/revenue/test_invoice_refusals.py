"""Every refused invoice is a field error (RU and EN) and leaves no rows behind."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from orbit.accounts.models import AccountStatus
from orbit.revenue.invoicing import LineInput
from tests.factories import make_account
from tests.revenue.ledger import issue, manual, routers, row_counts

D = Decimal
MARCH = dt.date(2026, 3, 2)


def refused(shop, *lines, **kwargs) -> dict[str, list[str]]:
    before = row_counts()
    with pytest.raises(ValidationError) as error:
        issue(shop, kwargs.pop("day", MARCH), *lines, **kwargs)
    assert row_counts() == before
    return error.value.message_dict


def test_an_archived_account_is_refused(shop):
    shop.account.archived_at = timezone.now()
    shop.account.save(update_fields=["archived_at"])
    errors = refused(shop, routers(shop), by=shop.org.head)
    assert "archived" in errors["account"][0]


def test_a_prospect_is_refused_in_russian_too(shop):
    prospect = make_account(shop.org.am_a, None, status=AccountStatus.PROSPECT)
    errors = refused(shop, routers(shop), account=prospect)
    assert "prospect" in errors["account"][0]
    with translation.override("ru"):
        errors = refused(shop, routers(shop), account=prospect)
    assert "потенциальный" in errors["account"][0]


def test_a_due_date_before_the_invoice_date_is_refused(shop):
    errors = refused(shop, routers(shop), due_on=MARCH - dt.timedelta(days=1))
    assert list(errors) == ["due_on"]


def test_an_invoice_without_lines_is_refused(shop):
    assert list(refused(shop)) == ["lines"]


@pytest.mark.parametrize("quantity", ["0", "-1"])
def test_a_zero_or_negative_quantity_on_an_invoice_is_refused(shop, quantity):
    errors = refused(shop, routers(shop), routers(shop, quantity))
    assert errors["lines"][0].startswith("Line 2: ")
    assert "credit note" in errors["lines"][0]


def test_a_negative_price_is_refused(shop):
    errors = refused(shop, manual("-1.00"))
    assert errors["lines"] == ["Line 1: the price cannot be negative."]


@pytest.mark.parametrize("discount", ["-0.01", "100.01"])
def test_a_discount_outside_0_to_100_is_refused(shop, discount):
    errors = refused(shop, LineInput(product=shop.router, discount_percent=D(discount)))
    assert errors["lines"] == ["Line 1: the discount must be between 0 and 100 %."]


def test_a_line_without_product_needs_price_description_and_vat(shop):
    errors = refused(shop, LineInput(quantity=D(1)))
    assert len(errors["lines"]) == 3 and all(m.startswith("Line 1: ") for m in errors["lines"])


def test_a_product_without_a_price_in_the_currency_is_a_line_error(shop):
    # the price list starts on 2025-01-01
    errors = refused(shop, LineInput(product=shop.cable), day=dt.date(2024, 12, 31))
    assert errors["lines"][0].startswith("Line 1: ") and "price list" in errors["lines"][0]


def test_all_errors_are_reported_at_once(shop):
    errors = refused(shop, manual("-1.00"), due_on=MARCH - dt.timedelta(days=1), currency="EUR")
    assert set(errors) == {"due_on", "currency", "lines"}


def test_a_taken_number_is_refused(shop):
    issue(shop, MARCH, routers(shop), number="A-1")
    assert list(refused(shop, routers(shop), number="A-1")) == ["number"]


def test_who_may_not_bill_is_refused_before_anything_is_read(shop):
    before = row_counts()
    for user in (shop.org.am_b, shop.org.auditor, shop.org.outsider):
        with pytest.raises(PermissionDenied):
            issue(shop, MARCH, routers(shop), by=user)
    assert row_counts() == before


def test_text_longer_than_its_column_is_refused_not_cut(shop):
    errors = refused(shop, manual("1.00", description="x" * 301), external_id="e" * 101, note="n" * 501)
    assert set(errors) == {"external_id", "note", "lines"}
    assert errors["note"] == ["At most 500 characters (now 501)."]
    assert errors["lines"] == ["Line 1: the description is longer than 300 characters."]


def test_a_quantity_beyond_the_column_is_refused(shop):
    errors = refused(shop, manual("0.00", quantity="10000000000000"))
    assert errors["lines"] == ["Line 1: the quantity is too large."]
