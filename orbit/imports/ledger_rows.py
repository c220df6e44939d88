"""What the money and ownership imports share: the INN and KPP columns (the account is found by
`account_ref.AccountFinder(by, by_name=False)`: a document names its client by INN), and the currency."""

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from orbit.accounts.models import Currency
from orbit.imports.engine import choice_words
from orbit.imports.mapping import Field, normalise
from orbit.imports.values import ValueProblem

INN_FIELDS = (
    Field(
        "inn",
        _lazy("INN"),
        ("инн", "инн контрагента", "инн покупателя", "инн клиента", "inn", "customer inn", "tax id"),
        required=True,
    ),
    Field("kpp", _lazy("KPP"), ("кпп", "кпп контрагента", "кпп покупателя", "kpp", "customer kpp")),
)
CURRENCY_FIELD = Field("currency", _lazy("currency"), ("валюта", "валюта документа", "currency"))
# How 1C and banks write the rouble, besides the codes and names Orbit knows.
_CURRENCY_SYNONYMS = {"руб": "RUB", "рубль": "RUB", "rur": "RUB", "643": "RUB", "840": "USD", "978": "EUR"}


def _currency_words() -> dict[str, str]:
    return choice_words(Currency.choices, _CURRENCY_SYNONYMS)


def parse_currency(cell) -> str:
    """A currency cell as its code; blank is Orbit's base currency (RUB by default: what 1C leaves out)."""
    text = normalise(str(cell)) if cell is not None else ""
    if not text:
        return settings.ORBIT_BASE_CURRENCY
    words = _currency_words()
    if text not in words:
        raise ValueProblem(
            _("“%(value)s” is not a currency Orbit keeps: write RUB, USD, EUR, CNY, KZT or BYN.")
            % {"value": cell}
        )
    return words[text]
