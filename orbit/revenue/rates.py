"""Dated reference data: the currency rate and the VAT percent in effect on a day."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from orbit.revenue.models import CurrencyRate, VatCategory, VatRate

ONE = Decimal(1)


def base_currency() -> str:
    return settings.ORBIT_BASE_CURRENCY


def rate_on(currency: str, day: dt.date, *, field: str = "currency") -> Decimal:
    """Units of the base currency per unit of `currency` on `day`: the latest rate published on or before it,
    at most ORBIT_RATE_MAX_AGE_DAYS old. No such rate is an error at `field`, never a silent 1.0."""
    if currency == base_currency():
        return ONE
    oldest = day - dt.timedelta(days=settings.ORBIT_RATE_MAX_AGE_DAYS)
    rate = (
        CurrencyRate.objects.filter(currency=currency, day__lte=day, day__gte=oldest)
        .order_by("-day")
        .values_list("rate", flat=True)
        .first()
    )
    if rate is None:
        raise ValidationError(
            {
                field: _(
                    "There is no %(currency)s rate for %(day)s: add it to the currency rates (Administration) first."
                )
                % {"currency": currency, "day": day.strftime("%d.%m.%Y")}
            },
            code="no_rate",
        )
    return rate


def vat_on(category: str, day: dt.date, *, field: str = "vat_category") -> Decimal | None:
    """The VAT percent of `category` on `day` (None: without VAT). A category with no rate yet is an error."""
    row = VatRate.objects.filter(category=category, valid_from__lte=day).order_by("-valid_from").first()
    if row is None:
        raise ValidationError(
            {
                field: _("No VAT rate of category “%(category)s” is in force on %(day)s.")
                % {"category": VatCategory(category).label, "day": day.strftime("%d.%m.%Y")}
            },
            code="no_vat",
        )
    return row.percent
