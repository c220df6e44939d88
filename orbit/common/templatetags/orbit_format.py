from decimal import Decimal

from django import template
from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import get_language

from orbit.common.validators import format_phone

register = template.Library()


@register.filter
def phone(value: str) -> str:
    """+74951234567 → +7 495 123-45-67."""
    return format_phone(value)


# The sign each currency is written with; the code itself for one not listed.
CURRENCY_SIGNS = {"RUB": "₽", "USD": "$", "EUR": "€", "CNY": "¥", "KZT": "₸", "BYN": "Br"}


@register.filter
def money(value, currency: str = "") -> str:
    """1234567.8 → "1 234 567,80 ₽" in Russian, "₽1,234,567.80" in English (the browser's Intl writes the charts'
    figures the same way). Empty for None: "—". `currency` defaults to the base currency."""
    if value is None or value == "":
        return "—"
    amount = Decimal(value)
    sign = CURRENCY_SIGNS.get(currency or settings.ORBIT_BASE_CURRENCY, currency)
    number = number_format(abs(amount), decimal_pos=2, use_l10n=True, force_grouping=True)
    minus = "−" if amount < 0 else ""
    if (get_language() or "ru").startswith("en"):
        return f"{minus}{sign}{number}"
    return f"{minus}{number}\u00a0{sign}"
