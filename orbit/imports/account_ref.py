"""Which account a row of a contacts, touches, ownership, invoices or payments file belongs to: by INN (+KPP: a
company's branches share its INN and differ by KPP), or — amoCRM's and Bitrix24's contact exports carry no INN —
by the company's name, for the kinds that allow it.

Only accounts the importer sees are candidates (`Account.objects.visible_to`): an INN or a name of an account he
does not see gets the same answer as one nobody has, so the import never reveals that a client exists. A name is
compared by its key (`accounts/names.py`: without legal form, quotes and case); two accounts he sees with that
key are a row error, never a guess. Answers are kept per INN and per name, so a file of many rows about a few
accounts costs a few queries.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from orbit.accounts import services
from orbit.accounts.models import Account
from orbit.accounts.names import name_key
from orbit.common.validators import validate_inn, validate_kpp
from orbit.imports.engine import Row, checked
from orbit.imports.values import ValueProblem, parse_text
from orbit.org.models import User

# The fields every such kind reads the account from (their names recognised in RU and EN).
INN, KPP, COMPANY = "inn", "kpp", "company"


def visible_by_inn(visible, inn: str, kpp: str = "") -> Account | None:
    """The account among `visible` that this INN and KPP name (`services.pick_by_kpp`, the rule every lookup by
    INN follows). A ValueProblem when branches share the INN and no KPP says which one is meant, or when the
    KPP differs from the only account's."""
    candidates = list(visible.filter(inn=inn).order_by("id")[:20])  # a company and its branches: a few
    try:
        found = services.pick_by_kpp(candidates, inn, kpp)
    except ValidationError as exc:
        raise ValueProblem(exc.messages[0]) from None
    if found is None and kpp and len(candidates) == 1:
        raise ValueProblem(
            _("The account with INN %(inn)s has KPP %(kpp)s, not this one.")
            % {"inn": inn, "kpp": candidates[0].kpp}
        )
    return found


class AccountFinder:
    def __init__(self, by: User, *, by_name: bool = True):
        self.visible = Account.objects.visible_to(by, include_archived=False)
        self.allow_names = by_name
        self.by_inn: dict[tuple[str, str], Account | ValueProblem | None] = {}
        self.by_name: dict[str, list[Account]] = {}

    def for_row(self, row: Row) -> Account | None:
        """The row's account, or None with the reason on the row."""
        inn = row.read(INN, checked(validate_inn), "")
        kpp = row.read(KPP, checked(validate_kpp), "")
        name = row.read(COMPANY, lambda c: parse_text(c, max_length=300), "")
        if row.errors:
            return None
        if inn:
            found = self._by_inn(inn, kpp)
            if isinstance(found, ValueProblem):
                row.fail(KPP if kpp else INN, found.message)
                return None
            if found is None:
                row.fail(
                    INN,
                    _("No account with INN %(inn)s among the accounts you see: import the account first.")
                    % {"inn": f"{inn}/{kpp}" if kpp else inn},
                )
            return found
        if not self.allow_names:
            if not row.failed_on(INN):
                row.fail(INN, _("Fill in the client's INN."))
            return None
        if name:
            found = self._by_name(name)
            if len(found) == 1:
                return found[0]
            if not found:
                message = _(
                    "No account named “%(name)s” among the accounts you see: fix the name or add a column "
                    "with its INN."
                )
            else:
                message = _("Several accounts you see are named “%(name)s”: add a column with the INN.")
            row.fail(COMPANY, message % {"name": name})
            return None
        row.fail(INN if row.headers.get(INN) else COMPANY, _("Say which account: fill in its INN or name."))
        return None

    def _by_inn(self, inn: str, kpp: str) -> Account | ValueProblem | None:
        if (inn, kpp) not in self.by_inn:
            try:
                self.by_inn[inn, kpp] = visible_by_inn(self.visible, inn, kpp)
            except ValueProblem as problem:
                self.by_inn[inn, kpp] = problem
        return self.by_inn[inn, kpp]

    def _by_name(self, name: str) -> list[Account]:
        key = name_key(name)
        if key not in self.by_name:
            self.by_name[key] = list(self.visible.filter(name_key=key)[:2]) if key else []
        return self.by_name[key]


def has_account_column(columns: dict[int, str]) -> bool:
    return INN in columns.values() or COMPANY in columns.values()
