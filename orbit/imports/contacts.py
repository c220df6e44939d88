"""Importing contacts: the people of the accounts, through the contact services, all or nothing (issue 15).

Rules:
- The account: by INN (+KPP) or, where the export has none (amoCRM, Bitrix24), by the company's name among the
  accounts the importer sees (`account_ref.py`). He must be allowed to change the account (the contact
  services' rule: its manager, his lead, a deputy, the head); a seat on the account team is not enough.
- The name: a "full name" column, or first name, patronymic and last name put together in that order ("Иван
  Иванович Петров", as Salesforce's "First Last").
- A duplicate is a contact of the SAME account with the same e-mail (case aside) or the same phone (as the
  contact services keep it, E.164: "8 (495) 123-45-67" and "+7 495 123 45 67" are one number); the e-mail is
  looked at first. The importer chooses update (the filled cells that differ) or skip. A second row of the
  file for the same person of the same account is a row error naming the first.
- Orbit keeps no owner of a contact: the exports' "Ответственный" is not imported.
"""

import functools
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from orbit.access import policy
from orbit.accounts import services
from orbit.accounts.models import Account, BuyingRole, Contact
from orbit.common.validators import normalize_phone
from orbit.imports import contacts_undo, records
from orbit.imports.account_ref import COMPANY, INN, KPP, AccountFinder, has_account_column
from orbit.imports.engine import (
    SKIP,
    Kind,
    Report,
    Row,
    RowFailed,
    choice_words,
    import_file,
    word,
)
from orbit.imports.mapping import Field
from orbit.imports.reading import Table
from orbit.imports.records import each_row, no_columns_for
from orbit.imports.values import parse_text
from orbit.org.models import User

# Labels are the contact's own field names (and the INN's): an export of contacts with these headers, in
# Russian or English, imports back without a mapping.
CONTACT_FIELDS = (
    Field(INN, _lazy("INN"), ("инн", "inn", "инн компании", "company inn", "account inn", "inn c")),
    Field(KPP, _lazy("KPP"), ("кпп", "kpp", "кпп компании", "kpp c")),
    Field(
        COMPANY,
        _lazy("account"),
        (
            "компания",
            "название компании",
            "организация",
            "клиент",
            "контрагент",
            "company",
            "company name",
            "account name",
            "account",
        ),
    ),
    Field(
        "full_name", _lazy("full name"), ("полное имя", "фио", "имя контакта", "contact name", "full name")
    ),
    Field("first_name", _lazy("first name"), ("имя", "first name")),
    Field("middle_name", _lazy("patronymic"), ("отчество", "middle name")),
    Field("last_name", _lazy("last name"), ("фамилия", "last name")),
    Field("position", _lazy("position"), ("должность", "title", "job title", "position")),
    Field(
        "phone",
        _lazy("phone"),
        ("телефон", "рабочий телефон", "мобильный телефон", "phone", "work phone", "mobile", "mobile phone"),
    ),
    Field(
        "email",
        _lazy("e-mail"),
        ("email", "e mail", "рабочий email", "рабочий e mail", "электронная почта", "эл почта", "почта"),
    ),
    Field("buying_role", _lazy("buying-centre role"), ("роль", "роль в закупке", "buying role", "role")),
)

# The systems' contact exports as they name their columns; what Orbit keeps nowhere (tags, owner, dates) is
# left out. Salesforce's "Account ID" is its own id, which Orbit does not keep: the account is found by name.
PRESETS: dict[str, dict[str, str]] = {
    "amocrm": {
        "Полное имя": "full_name",
        "Имя": "first_name",
        "Фамилия": "last_name",
        "Компания": COMPANY,
        "Должность": "position",
        "Рабочий телефон": "phone",
        "Рабочий email": "email",
        "Ответственный": "",
    },
    "bitrix24": {
        "Имя": "first_name",
        "Отчество": "middle_name",
        "Фамилия": "last_name",
        "Должность": "position",
        "Рабочий телефон": "phone",
        "Рабочий e-mail": "email",
        "Компания": COMPANY,
        "Ответственный": "",
    },
    "salesforce": {
        "First Name": "first_name",
        "Last Name": "last_name",
        "Title": "position",
        "Email": "email",
        "Phone": "phone",
        "Account Name": COMPANY,
        "Account ID": "",
        "Contact Owner": "",
    },
}

BUYING_ROLE_SYNONYMS = {
    "лпр": BuyingRole.DECISION_MAKER,
    "лицо принимающее решение": BuyingRole.DECISION_MAKER,
    "лвр": BuyingRole.INFLUENCER,
    "закупщик": BuyingRole.BUYER,
    "закупки": BuyingRole.BUYER,
    "секретарь": BuyingRole.GATEKEEPER,
}
FIELD_OF_SERVICE = {"full_name": "full_name", "position": "position", "phone": "phone", "email": "email"}
UPDATABLE = ("full_name", "position", "phone", "email", "buying_role")


@functools.cache
def _role_words() -> dict[str, str]:
    return choice_words(BuyingRole.choices, BUYING_ROLE_SYNONYMS)


def phone_key(phone: str) -> str:
    """The number as the contact services keep it (E.164), or its digits when it is not a valid number."""
    try:
        return normalize_phone(phone)
    except ValidationError:
        return "".join(c for c in phone if c.isdigit())


class _Known:
    """An account's live contacts by e-mail and phone, read once per account (through visible_to), and the
    rows of the file that already named a person of it."""

    def __init__(self, by: User):
        self.by = by
        self.contacts: dict[int, tuple[dict[str, Contact], dict[str, Contact]]] = {}
        self.rows: dict[tuple[int, str], int] = {}  # (account, "e:..."/"p:...") -> row of the file
        self.matched: dict[int, int] = {}  # contact -> the row of the file that matched it

    def of(self, account: Account):
        if account.pk not in self.contacts:
            emails: dict[str, Contact] = {}
            phones: dict[str, Contact] = {}
            live = Contact.objects.visible_to(self.by).filter(account=account, archived_at__isnull=True)
            for contact in live.order_by("id"):
                if contact.email:
                    emails.setdefault(contact.email.lower(), contact)
                if contact.phone:
                    phones.setdefault(phone_key(contact.phone), contact)
            self.contacts[account.pk] = (emails, phones)
        return self.contacts[account.pk]

    def find(self, account: Account, email: str, phone: str) -> Contact | None:
        emails, phones = self.of(account)
        return (email and emails.get(email.lower())) or (phone and phones.get(phone_key(phone))) or None

    def keys(self, account: Account, email: str, phone: str) -> list[tuple[int, str]]:
        keys = [(account.pk, "e:" + email.lower())] if email else []
        return keys + ([(account.pk, "p:" + phone_key(phone))] if phone else [])

    def add(self, contact: Contact) -> None:
        emails, phones = self.of(contact.account)
        if contact.email:
            emails[contact.email.lower()] = contact
        if contact.phone:
            phones[phone_key(contact.phone)] = contact


def _run(by: User, table: Table, columns: dict[int, str], on_duplicate: str, report: Report) -> None:
    named = set(columns.values())
    missing = [] if has_account_column(columns) else [_("the account's INN or name")]
    if not named & {"full_name", "first_name", "last_name"}:
        missing.append(_("the contact's name"))
    if no_columns_for(table, report, missing):
        return
    finder, known = AccountFinder(by), _Known(by)
    each_row(table, columns, report, lambda row: _one(by, row, finder, known, on_duplicate))


def _text(row: Row, key: str, length: int) -> str:
    return row.read(key, lambda c: parse_text(c, max_length=length), "")


NAME_KEYS = ("full_name", "first_name", "middle_name", "last_name")


def _fields(row: Row) -> dict[str, Any]:
    """The contact's fields from the row's cells; what cannot be read is on the row."""
    full_name = _text(row, "full_name", 200)
    if not full_name:
        parts = [_text(row, key, 200) for key in NAME_KEYS[1:]]
        full_name = " ".join(p for p in parts if p)
        if len(full_name) > 200:
            row.fail("last_name", _("The name is longer than 200 characters."))
    if not full_name and not any(row.failed_on(k) for k in NAME_KEYS):
        column = next(k for k in ("full_name", "last_name", "first_name") if row.headers.get(k))
        row.fail(column, _("Fill in the contact's name."))
    role = _("“%(value)s” is not a buying-centre role: write ЛПР, закупщик or another.")
    return {
        "full_name": full_name,
        "position": _text(row, "position", 200),
        "phone": _text(row, "phone", 40),
        "email": _text(row, "email", 254),
        "buying_role": row.read("buying_role", word(_role_words(), role), "") or "",
    }


def _match(row: Row, account: Account, fields: dict[str, Any], known: _Known) -> Contact | None:
    """The account's contact this row is about, if any; a person the file named before fails the row."""
    email, phone = fields["email"], fields["phone"]
    for key in known.keys(account, email, phone):
        if key in known.rows:
            column = "email" if key[1].startswith("e:") else "phone"
            row.fail(
                column, _("The same person of this account is in row %(row)s.") % {"row": known.rows[key]}
            )
    if row.errors:
        raise RowFailed
    for key in known.keys(account, email, phone):
        known.rows[key] = row.number
    existing = known.find(account, email, phone)
    if existing is not None:
        if existing.pk in known.matched:  # by its phone in one row, its e-mail in another
            same = known.matched[existing.pk]
            row.fail("email", _("The same person of this account is in row %(row)s.") % {"row": same})
            raise RowFailed
        known.matched[existing.pk] = row.number
    return existing


def _one(by: User, row: Row, finder: AccountFinder, known: _Known, on_duplicate: str):
    account = finder.for_row(row)
    fields = _fields(row)
    if row.errors or account is None:
        raise RowFailed
    existing = _match(row, account, fields, known)
    try:
        if existing is None:
            if not policy.can_change_account(by, account):
                raise PermissionDenied(_("You may not add contacts to this account."))
            contact = services.contact_create(by=by, account=account, **fields)
            known.add(contact)
            known.matched[contact.pk] = row.number
            return contact, "new"
        if on_duplicate == SKIP:
            return existing, "unchanged"
        changes = {k: fields[k] for k in UPDATABLE if fields[k] and fields[k] != getattr(existing, k)}
        if "phone" in changes and phone_key(changes["phone"]) == phone_key(existing.phone):
            del changes["phone"]  # the same number typed another way
        if "email" in changes and changes["email"].lower() == existing.email.lower():
            del changes["email"]  # the same address in other letters
        if not changes:
            return existing, "unchanged"
        row.before.update({k: getattr(existing, k) for k in changes})
        contact = services.contact_update(by=by, contact=existing, version=None, **changes)
        known.add(contact)
        return contact, "updated"
    except (ValidationError, PermissionDenied) as exc:
        row.service_errors(exc, FIELD_OF_SERVICE, fallback=INN if row.headers.get(INN) else COMPANY)
        raise RowFailed from None


KIND = Kind(
    name="contacts",
    label=_lazy("Contacts"),
    fields=CONTACT_FIELDS,
    presets=PRESETS,
    may_import=policy.can_create_account,
    run=_run,
    remember=records.remember(Contact, "accounts.contact"),
    undo=contacts_undo.undo_contacts,
)


def import_contacts(**options) -> Report:
    """Import contacts (`engine.import_file`'s options)."""
    return import_file(KIND, **options)
