"""Money as people type it and as the ledger keeps it: Decimal, rounded to the kopeck half up."""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

KOPECK = Decimal("0.01")
# The largest amount a money column (numeric(18, 2)) holds, exclusive.
MONEY_LIMIT = Decimal(10) ** 16
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")  # spaces, no-break and thin spaces, apostrophes: thousands
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")


def round_money(value: Decimal) -> Decimal:
    """To the kopeck, half up (0.005 → 0.01, −0.005 → −0.01: away from zero, as accountants round)."""
    return value.quantize(KOPECK, rounding=ROUND_HALF_UP)


def decimal_places(value: Decimal) -> int:
    """Digits after the decimal point as written: 1.50 → 2, 12 → 0."""
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def parse_amount(text: str | Decimal | int, *, places: int = 2) -> Decimal:
    """ "1 234 567,89", "1234567.89", "1 234,5" with no-break spaces → Decimal. Refuses floats' cousins:
    exponents, two decimal separators ("1,234.56" is ambiguous in a Russian office), more places than `places`.
    """
    if isinstance(text, Decimal | int):
        value = Decimal(text)
    else:
        cleaned = _SPACES.sub("", str(text).strip())
        if not _NUMBER.match(cleaned):
            raise ValidationError(_("Enter an amount like 1 234 567,89."), code="invalid")
        try:
            value = Decimal(cleaned.replace(",", "."))
        except InvalidOperation as exc:  # pragma: no cover - the pattern admits only valid numbers
            raise ValidationError(_("Enter an amount like 1 234 567,89."), code="invalid") from exc
    if not value.is_finite():
        raise ValidationError(_("Enter an amount like 1 234 567,89."), code="invalid")
    if decimal_places(value) > places:
        raise ValidationError(
            _("At most %(places)s digits after the decimal point.") % {"places": places}, code="places"
        )
    return value
