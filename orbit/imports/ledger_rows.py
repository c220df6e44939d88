"""What the money and ownership imports share: the account a row names by INN (+KPP), and the currency.

The account must be one the importer sees (`Account.objects.visible_to`), not archived; one he does not see
gets the same message as an INN nobody has, so the import never tells that a client exists.
"""

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from orbit.accounts.models import Account, Currency
from orbit.common.validators import validate_inn, validate_kpp
from orbit.imports.engine import Row, checked, choice_words
from orbit.imports.mapping import Field, normalise
from orbit.imports.values import ValueProblem
from orbit.org.models import User

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


class Accounts:
    """The accounts a file names, looked up once per INN."""

    def __init__(self, user: User):
        self.user = user
        self.by_inn: dict[str, Account | None] = {}

    def find(self, row: Row) -> Account | None:
        """The row's account, or None with the reason on the row."""
        inn = row.read("inn", checked(validate_inn), "")
        kpp = row.read("kpp", checked(validate_kpp), "")
        if not inn:
            if not row.failed_on("inn"):
                row.fail("inn", _("Fill in the client's INN."))
            return None
        if inn not in self.by_inn:
            self.by_inn[inn] = (
                Account.objects.visible_to(self.user).filter(inn=inn, archived_at__isnull=True).first()
            )
        account = self.by_inn[inn]
        if account is None:
            row.fail("inn", _("No client with INN %(inn)s among the accounts you see.") % {"inn": inn})
        elif kpp and account.kpp and kpp != account.kpp:
            row.fail(
                "kpp",
                _("The client with INN %(inn)s has KPP %(kpp)s, not this one.")
                % {"inn": inn, "kpp": account.kpp},
            )
            return None
        return account


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
