"""Loading a day's currency rates (the Bank of Russia's daily table, or a billing system's): the admin's job."""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from orbit.accounts.models import Currency
from orbit.org.models import Role, User
from orbit.revenue.models import CurrencyRate
from orbit.revenue.rates import base_currency

FIELD = "rates"


def may_load_rates(user: User) -> bool:
    """Rates are reference data every document's base amounts depend on: only an administrator loads them."""
    return bool(user and user.is_authenticated and user.is_active) and (
        user.is_superuser or user.has_role(Role.ADMIN)
    )


@transaction.atomic
def rates_load(
    *, by: User, day: dt.date, rates: Iterable[tuple[str, Decimal]], source: str = ""
) -> list[CurrencyRate]:
    """Sets the rates of `day`, one per currency; a currency's rate of that day is replaced. All or nothing:
    an unknown currency, the base currency, a rate that is not above zero or a currency twice refuses the whole
    table, each problem named by its currency."""
    if not may_load_rates(by):
        raise PermissionDenied(_("Only an administrator loads currency rates."))
    rates = list(rates)
    problems: list[str] = []
    seen: set[str] = set()
    if not rates:
        problems.append(_("Give at least one rate."))
    for currency, rate in rates:
        if currency not in Currency.values:
            problems.append(_("%(currency)s: not a currency Orbit knows.") % {"currency": currency})
        elif currency == base_currency():
            problems.append(
                _("%(currency)s: the base currency has no rate (it is always 1).") % {"currency": currency}
            )
        elif currency in seen:
            problems.append(_("%(currency)s: given twice.") % {"currency": currency})
        if rate <= 0:
            problems.append(_("%(currency)s: the rate must be above zero.") % {"currency": currency})
        seen.add(currency)
    if problems:
        raise ValidationError({FIELD: problems})
    loaded = []
    for currency, rate in rates:
        row, _created = CurrencyRate.objects.update_or_create(
            currency=currency, day=day, defaults={"rate": rate, "source": source.strip()}
        )
        loaded.append(row)
    return loaded
