"""The price a client is offered for a product on a day: the price list, then his agreement or the loyalty
scheme. Never stacked: an agreement (the most specific one) excludes the loyalty discount."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from orbit.accounts.models import Account
from orbit.revenue.models import (
    InvoiceLine,
    LoyaltyDiscount,
    PriceAgreement,
    PriceSource,
    Product,
    ProductPrice,
)

ZERO = Decimal(0)


@dataclass(frozen=True)
class Quote:
    unit_price: Decimal
    discount_percent: Decimal
    source: PriceSource
    unit_cost: Decimal


def list_price(product: Product, currency: str, day: dt.date) -> ProductPrice:
    """The price-list row in force on `day`: the latest with valid_from <= day. None is an error at "product"."""
    row = (
        ProductPrice.objects.filter(product=product, currency=currency, valid_from__lte=day)
        .order_by("-valid_from")
        .first()
    )
    if row is None:
        raise ValidationError(
            {
                "product": _("%(product)s has no %(currency)s price on %(day)s in the price list.")
                % {"product": product.name, "currency": currency, "day": day.strftime("%d.%m.%Y")}
            },
            code="no_price",
        )
    return row


def _live(day: dt.date) -> Q:
    return Q(valid_from__lte=day) & (Q(valid_to__isnull=True) | Q(valid_to__gte=day))


def agreement_for(account: Account, product: Product, currency: str, day: dt.date) -> PriceAgreement | None:
    """The account's most specific live agreement covering the product: the product's own (a fixed price in
    this currency or a discount), else the product line's discount, else a catalog-wide discount. Among equally
    specific ones the latest started wins."""
    candidates = list(
        PriceAgreement.objects.filter(_live(day), account=account)
        .filter(
            Q(product=product, fixed_price__isnull=False, currency=currency)
            | Q(product=product, fixed_price__isnull=True)
            | Q(product__isnull=True, product_line_id=product.product_line_id)
            | Q(product__isnull=True, product_line__isnull=True)
        )
        .order_by("-valid_from", "-id")
    )

    def specificity(agreement: PriceAgreement) -> int:
        if agreement.product_id is not None:
            return 2
        return 1 if agreement.product_line_id is not None else 0

    # sorted() is stable: among equal specificity the list's order (latest first) is kept.
    return sorted(candidates, key=specificity, reverse=True)[0] if candidates else None


def _year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def volume_12_months(account: Account, day: dt.date) -> Decimal:
    """Net invoiced revenue in the base currency over the 12 months before `day` (credit notes subtract)."""
    total = InvoiceLine.objects.filter(
        account=account, issued_on__gte=_year_before(day), issued_on__lt=day
    ).aggregate(s=Sum("net_amount_base"))["s"]
    return total or ZERO


def loyalty_for(account: Account, day: dt.date) -> LoyaltyDiscount | None:
    """The best live loyalty discount for the account's tier (or any tier) whose volume threshold he reaches."""
    offers = list(
        LoyaltyDiscount.objects.filter(_live(day))
        .filter(Q(tier="") | Q(tier=account.tier))
        .order_by("-discount_percent", "-valid_from", "-id")
    )
    if not offers:
        return None
    if any(o.min_volume > 0 for o in offers):
        volume = volume_12_months(account, day)
        offers = [o for o in offers if o.min_volume <= volume]
    return offers[0] if offers else None


def quote(
    *,
    account: Account,
    product: Product,
    day: dt.date,
    currency: str,
    quantity: Decimal = Decimal(1),
) -> Quote:
    """The unit price, discount and unit cost for `product` on `day`. `quantity` is part of the agreed
    signature: Orbit's scheme prices by volume over 12 months, not by the quantity of one line, so it does not
    change the quote."""
    listed = list_price(product, currency, day)
    agreement = agreement_for(account, product, currency, day)
    if agreement is not None:
        if agreement.fixed_price is not None:
            return Quote(agreement.fixed_price, ZERO, PriceSource.AGREEMENT, listed.cost)
        assert agreement.discount_percent is not None  # the check constraint: a price or a discount
        return Quote(listed.price, agreement.discount_percent, PriceSource.AGREEMENT, listed.cost)
    loyalty = loyalty_for(account, day)
    if loyalty is not None:
        return Quote(listed.price, loyalty.discount_percent, PriceSource.LOYALTY, listed.cost)
    return Quote(listed.price, ZERO, PriceSource.LIST, listed.cost)
