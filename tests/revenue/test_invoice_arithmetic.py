"""Invoice amounts: each line rounded to the kopeck half up, totals the sums of the rounded lines, VAT at the
rate of the document's date, margin per line and product line, conversion at the document's rate."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from orbit.revenue.invoicing import LineInput
from orbit.revenue.models import AccountRevenueMonth, CurrencyRate, InvoiceLine, PriceSource
from tests.revenue.ledger import issue, manual, routers, row_counts

D = Decimal
MARCH = dt.date(2026, 3, 2)


def test_vat_is_rounded_half_up_to_the_kopeck(shop):
    invoice = issue(shop, MARCH, manual("0.25", quantity="3", vat="standard"))
    line = invoice.lines.get()
    # net 3 × 0.25 = 0.75; VAT 22 % = 0.165 → 0.17 half up (banker's rounding would give 0.16)
    assert (line.net_amount, line.vat_percent, line.vat_amount, line.total_amount) == (
        D("0.75"),
        D("22.00"),
        D("0.17"),
        D("0.92"),
    )


def test_the_total_is_the_sum_of_the_rounded_lines_not_the_rounded_sum(shop):
    line = manual("0.25", quantity="3", vat="standard")
    invoice = issue(shop, MARCH, line, line, line)
    # each line: net 0.75, VAT 0.165 → 0.17; three lines: VAT 0.51, total 2.25 + 0.51 = 2.76
    # (rounding the sum instead: 2.25 × 22 % = 0.495 → 0.50, total 2.75: a kopeck less)
    assert (invoice.net_total, invoice.vat_total, invoice.total) == (D("2.25"), D("0.51"), D("2.76"))
    assert invoice.total_base == D("2.76")
    assert invoice.open_amount == D("2.76")


def test_a_discount_is_rounded_on_the_line(shop):
    invoice = issue(shop, MARCH, manual("99.99", discount_percent=D("33.33")))
    # 99.99 × (1 − 0.3333) = 99.99 × 0.6667 = 66.663333 → 66.66; without VAT
    assert invoice.lines.get().net_amount == D("66.66")
    assert (invoice.vat_total, invoice.total) == (D("0.00"), D("66.66"))


def test_vat_is_20_percent_on_31_december_2025(shop):
    invoice = issue(shop, dt.date(2025, 12, 31), routers(shop))
    # 1 × 1000.00; VAT 20 % = 200.00
    assert invoice.lines.get().vat_percent == D("20.00")
    assert (invoice.vat_total, invoice.total) == (D("200.00"), D("1200.00"))


def test_vat_is_22_percent_from_1_january_2026(shop):
    invoice = issue(shop, dt.date(2026, 1, 1), routers(shop))
    # 1 × 1000.00; VAT 22 % = 220.00
    assert invoice.lines.get().vat_percent == D("22.00")
    assert (invoice.vat_total, invoice.total) == (D("220.00"), D("1220.00"))


def test_zero_rate_and_without_vat_lines(shop):
    invoice = issue(shop, MARCH, manual("500.00", vat="zero"), manual("300.00", vat="exempt"))
    zero, exempt = invoice.lines.order_by("id")
    assert (zero.vat_percent, zero.vat_amount) == (D("0.00"), D("0.00"))
    assert (exempt.vat_percent, exempt.vat_amount) == (None, D("0.00"))
    assert (invoice.net_total, invoice.vat_total, invoice.total) == (D("800.00"), D(0), D("800.00"))


def test_margin_per_line_and_per_product_line(shop):
    invoice = issue(
        shop,
        MARCH,
        LineInput(product=shop.router, quantity=D(2)),
        LineInput(product=shop.cable, quantity=D(100), discount_percent=D(10)),
        LineInput(product=shop.support, quantity=D(1)),
    )
    router, cable, support = invoice.lines.order_by("id")
    # router: net 2 × 1000 = 2000.00, cost 2 × 600 = 1200.00, margin 800.00
    assert (router.net_amount, router.cost_amount) == (D("2000.00"), D("1200.00"))
    # cable: net 100 × 10 × 0.9 = 900.00, cost 100 × 4 = 400.00, margin 500.00
    assert (cable.net_amount, cable.cost_amount) == (D("900.00"), D("400.00"))
    # support: net 5000.00, cost 1000.00, margin 4000.00
    assert (support.net_amount, support.cost_amount) == (D("5000.00"), D("1000.00"))
    assert router.price_source == PriceSource.LIST and cable.product_line_id == shop.equipment.pk
    # invoice: net 7900.00, cost 2600.00; VAT 22 % of each line: 440 + 198 + 1100 = 1738.00
    assert (invoice.net_total, invoice.cost_total_base, invoice.vat_total) == (
        D("7900.00"),
        D("2600.00"),
        D("1738.00"),
    )
    months = {
        m.product_line_id: (m.net_base, m.cost_base, m.lines)
        for m in AccountRevenueMonth.objects.filter(account=shop.account, month=dt.date(2026, 3, 1))
    }
    # equipment: 2000 + 900 = 2900 net, 1200 + 400 = 1600 cost, 2 lines; service: 5000, 1000, 1
    assert months == {
        shop.equipment.pk: (D("2900.00"), D("1600.00"), 2),
        shop.service.pk: (D("5000.00"), D("1000.00"), 1),
    }


def test_lines_copy_the_account_date_and_product_line(shop):
    invoice = issue(shop, MARCH, routers(shop))
    line = InvoiceLine.objects.get(invoice=invoice)
    assert (line.account_id, line.issued_on, line.product_line_id) == (
        shop.account.pk,
        MARCH,
        shop.equipment.pk,
    )
    assert line.description == "Router"


def test_a_foreign_currency_invoice_uses_the_latest_rate_of_an_earlier_day(shop):
    # the rate of 2026-03-02 (80.123456) is the latest on 2026-03-05
    invoice = issue(shop, dt.date(2026, 3, 5), routers(shop, 3), currency="USD")
    line = invoice.lines.get()
    # net 3 × 12.50 = 37.50 USD; VAT 22 % = 8.25; total 45.75; cost 3 × 7.00 = 21.00
    assert (invoice.net_total, invoice.vat_total, invoice.total) == (D("37.50"), D("8.25"), D("45.75"))
    assert invoice.rate == D("80.123456")
    # base: 37.50 × 80.123456 = 3004.6296 → 3004.63; 21.00 × 80.123456 = 1682.592576 → 1682.59;
    # total 45.75 × 80.123456 = 3665.648112 → 3665.65
    assert (line.net_amount_base, line.cost_amount_base) == (D("3004.63"), D("1682.59"))
    assert (invoice.net_total_base, invoice.cost_total_base, invoice.total_base) == (
        D("3004.63"),
        D("1682.59"),
        D("3665.65"),
    )


def test_a_rate_at_the_age_limit_is_used(shop, settings):
    settings.ORBIT_RATE_MAX_AGE_DAYS = 10
    # 2026-03-12 − 10 days = 2026-03-02: the rate of that day is still in force
    invoice = issue(shop, dt.date(2026, 3, 12), routers(shop), currency="USD")
    assert invoice.rate == D("80.123456")


def test_a_rate_older_than_the_limit_is_refused_and_nothing_is_saved(shop, settings):
    settings.ORBIT_RATE_MAX_AGE_DAYS = 10
    before = row_counts()
    with pytest.raises(ValidationError) as refused:
        issue(shop, dt.date(2026, 3, 13), routers(shop), currency="USD")
    assert "currency" in refused.value.message_dict
    assert "USD" in refused.value.message_dict["currency"][0]
    assert row_counts() == before


def test_a_currency_with_no_rate_at_all_is_refused(shop):
    before = row_counts()
    with pytest.raises(ValidationError) as refused:
        issue(shop, MARCH, manual("10.00"), currency="EUR")
    assert list(refused.value.message_dict) == ["currency"]
    assert row_counts() == before
    assert not CurrencyRate.objects.filter(currency="EUR").exists()


def test_whole_numbers_are_taken_exactly_and_floats_never(shop):
    invoice = issue(shop, MARCH, LineInput(product=shop.router, quantity=2))  # type: ignore[arg-type]
    assert invoice.net_total == D("2000.00")  # 2 × 1000.00
    before = row_counts()
    with pytest.raises(TypeError):
        issue(shop, MARCH, LineInput(product=shop.router, quantity=0.1))  # type: ignore[arg-type]
    assert row_counts() == before
