"""The offered price: the price list by date, then the most specific live agreement, else the best loyalty
discount; never both."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from orbit.revenue.invoicing import LineInput
from orbit.revenue.models import LoyaltyDiscount, PriceAgreement, PriceSource, ProductPrice
from orbit.revenue.pricing import Quote, quote
from tests.revenue.conftest import client_since_2024
from tests.revenue.ledger import issue

D = Decimal
DAY = dt.date(2026, 5, 31)


def offer(shop, product, day=DAY, currency="RUB") -> Quote:
    return quote(account=shop.account, product=product, day=day, currency=currency)


def agree(shop, **fields) -> PriceAgreement:
    fields.setdefault("valid_from", dt.date(2026, 1, 1))
    return PriceAgreement.objects.create(account=shop.account, created_by=shop.org.am_a, **fields)


def test_the_list_price_is_the_latest_on_or_before_the_day(shop):
    ProductPrice.objects.create(
        product=shop.router, valid_from=dt.date(2026, 2, 1), price=D("1100.00"), cost=D("650.00")
    )
    assert offer(shop, shop.router, dt.date(2026, 1, 31)) == Quote(
        D("1000.00"), D(0), PriceSource.LIST, D("600.00")
    )
    assert offer(shop, shop.router, dt.date(2026, 2, 1)) == Quote(
        D("1100.00"), D(0), PriceSource.LIST, D("650.00")
    )


def test_no_price_on_the_day_is_an_error_at_product(shop):
    with pytest.raises(ValidationError) as error:
        offer(shop, shop.router, dt.date(2024, 12, 31))
    assert list(error.value.message_dict) == ["product"]
    with pytest.raises(ValidationError):
        offer(shop, shop.cable, currency="USD")  # the cable has no USD price


def test_the_most_specific_agreement_wins(shop):
    agree(shop, discount_percent=D(5))  # the whole catalog
    agree(shop, product_line=shop.equipment, discount_percent=D(10))
    agree(shop, product=shop.router, fixed_price=D("900.00"))
    # the router: its own fixed price (no discount on top), cost from the price list
    assert offer(shop, shop.router) == Quote(D("900.00"), D(0), PriceSource.AGREEMENT, D("600.00"))
    # the cable: its line's 10 % on the list price
    assert offer(shop, shop.cable) == Quote(D("10.00"), D(10), PriceSource.AGREEMENT, D("4.00"))
    # support (another line): the catalog's 5 %
    assert offer(shop, shop.support) == Quote(D("5000.00"), D(5), PriceSource.AGREEMENT, D("1000.00"))


def test_an_expired_or_future_agreement_is_ignored(shop):
    agree(shop, product_line=shop.equipment, discount_percent=D(10))
    agree(shop, product=shop.router, fixed_price=D("900.00"), valid_to=dt.date(2026, 5, 30))
    agree(shop, product=shop.router, fixed_price=D("800.00"), valid_from=dt.date(2026, 6, 1))
    assert offer(shop, shop.router) == Quote(D("1000.00"), D(10), PriceSource.AGREEMENT, D("600.00"))


def test_an_agreement_ending_on_the_day_still_applies(shop):
    agree(shop, product=shop.router, fixed_price=D("900.00"), valid_to=DAY)
    assert offer(shop, shop.router).unit_price == D("900.00")


def test_a_fixed_price_in_another_currency_does_not_apply(shop):
    agree(shop, product=shop.router, fixed_price=D("900.00"))  # RUB
    agree(shop, product_line=shop.equipment, discount_percent=D(10))
    assert offer(shop, shop.router, currency="USD") == Quote(
        D("12.50"), D(10), PriceSource.AGREEMENT, D("7.00")
    )


def test_among_agreements_of_one_level_the_latest_started_wins(shop):
    agree(shop, product_line=shop.equipment, discount_percent=D(10), valid_from=dt.date(2026, 1, 1))
    agree(shop, product_line=shop.equipment, discount_percent=D(12), valid_from=dt.date(2026, 3, 1))
    assert offer(shop, shop.cable).discount_percent == D(12)


def test_another_accounts_agreement_does_not_apply(shop):
    other = client_since_2024(shop.org.head, shop.org.am_b)
    PriceAgreement.objects.create(account=other, product=shop.router, fixed_price=D("1.00"), valid_from=DAY)
    assert offer(shop, shop.router).source == PriceSource.LIST


def loyalty(percent, *, tier="", min_volume="0", **fields) -> LoyaltyDiscount:
    fields.setdefault("valid_from", dt.date(2025, 1, 1))
    return LoyaltyDiscount.objects.create(
        tier=tier, min_volume=D(min_volume), discount_percent=D(percent), **fields
    )


def test_loyalty_by_tier_takes_the_best_that_fits(shop):
    loyalty(3)  # any tier
    loyalty(7, tier="A")
    loyalty(9, tier="key")
    assert offer(shop, shop.cable) == Quote(D("10.00"), D(3), PriceSource.LOYALTY, D("4.00"))  # tier C
    shop.account.tier = "A"
    assert offer(shop, shop.cable).discount_percent == D(7)


def test_loyalty_by_volume_counts_the_12_months_before_the_day(shop):
    loyalty(3)
    loyalty(10, min_volume="100000.00")
    # 2025-06-01: support 20 × 5000.00 = 100000.00 net (base; the 3 % waived by hand)
    issue(shop, dt.date(2025, 6, 1), LineInput(product=shop.support, quantity=D(20), discount_percent=D(0)))
    # on 2026-05-31 the window starts 2025-05-31: 100000.00 >= 100000.00 → 10 %
    assert offer(shop, shop.cable, dt.date(2026, 5, 31)).discount_percent == D(10)
    # on 2026-06-02 it starts 2025-06-02: volume 0 → only the 3 % for everyone
    assert offer(shop, shop.cable, dt.date(2026, 6, 2)).discount_percent == D(3)


def test_an_expired_loyalty_discount_is_ignored(shop):
    loyalty(3, valid_to=dt.date(2026, 5, 30))
    assert offer(shop, shop.cable).source == PriceSource.LIST


def test_an_agreement_and_a_loyalty_discount_never_stack(shop):
    loyalty(7)
    agree(shop, discount_percent=D(5))
    # the agreement (5 %) wins even though the loyalty discount is larger: never 5 % + 7 %
    assert offer(shop, shop.cable) == Quote(D("10.00"), D(5), PriceSource.AGREEMENT, D("4.00"))


def test_an_invoice_line_without_a_price_takes_the_quote(shop):
    agree(shop, product_line=shop.equipment, discount_percent=D("12.5"))
    invoice = issue(shop, DAY, LineInput(product=shop.cable, quantity=D(7)))
    line = invoice.lines.get()
    # 7 × 10.00 × (1 − 0.125) = 61.25; cost 7 × 4.00 = 28.00
    assert (line.unit_price, line.discount_percent, line.price_source) == (
        D("10.00"),
        D("12.50"),
        "agreement",
    )
    assert (line.net_amount, line.cost_amount) == (D("61.25"), D("28.00"))


def test_a_price_typed_by_hand_is_kept_and_marked_manual(shop):
    agree(shop, product_line=shop.equipment, discount_percent=D(10))
    invoice = issue(shop, DAY, LineInput(product=shop.cable, quantity=D(2), unit_price=D("9.00")))
    line = invoice.lines.get()
    # 2 × 9.00 = 18.00 (no discount: the price was typed), cost from the price list 2 × 4.00 = 8.00
    assert (line.net_amount, line.discount_percent, line.price_source, line.cost_amount) == (
        D("18.00"),
        D("0.00"),
        "manual",
        D("8.00"),
    )
