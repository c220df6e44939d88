"""Global search: accounts, contacts and requests matching what the user typed, among those he may see.

Every group reads through the visibility model (`visible_accounts`, `Contact.objects.visible_to`,
`Request.objects.visible_to`), so a result, and a count, never reveals a row he may not read.
A group costs one query (its first rows, counted up to the cap).
"""

import re
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from orbit.accounts.models import Account, Contact
from orbit.accounts.search_keys import CONTACT_KEYS, narrowed
from orbit.accounts.selectors import AccountFilters, account_list
from orbit.org.models import User
from orbit.requests.models import Request

# Orbit's defaults: rows per group in the box, the page's group size, and the count past which "N+" is shown
# (counting every match of a common word among a million rows costs more than the answer is worth).
GROUP_SIZE = 5
PAGE_GROUP_SIZE = 20
COUNT_CAP = 100
# Orbit's default: text shorter than this is not searched (a trigram index needs three characters).
MIN_TEXT = 3
# A phone is typed with digits and punctuation; this many digits make it worth searching as one.
MIN_PHONE_DIGITS = 5

# The expression indexed by migration search/0001 (trigram GIN): name, e-mail and the phone's digits.
SEARCH_EXPRESSION = (
    "lower(accounts_contact.full_name || ' ' || accounts_contact.email || ' ' || "
    "regexp_replace(accounts_contact.phone, '[^0-9]', '', 'g'))"
)
_PHONE = re.compile(r"^\+?[\d\s().\-]+$")
_NUMBER = re.compile(r"^(?:№|#|no\.?|n)?\s*(\d{1,18})$", re.IGNORECASE)


@dataclass
class Group:
    kind: str  # "accounts", "contacts", "requests"
    items: list
    matched: int  # rows found, at most COUNT_CAP + 1

    @property
    def count(self) -> int:
        return min(self.matched, COUNT_CAP)

    @property
    def capped(self) -> bool:
        return self.matched > COUNT_CAP

    @property
    def more(self) -> bool:
        return self.matched > len(self.items)


@dataclass
class Results:
    text: str
    groups: list[Group]
    too_short: bool = False

    @property
    def empty(self) -> bool:
        return not any(group.items for group in self.groups)


def searchable(text: str) -> bool:
    """Long enough for the name search; a short number (under MIN_PHONE_DIGITS digits) is a request number
    only: three digits occur in tens of thousands of INNs and phones and would find nothing useful."""
    text = text.strip()
    if text.lstrip("№#").strip().isdigit() and len(re.sub(r"\D", "", text)) < MIN_PHONE_DIGITS:
        return False
    return len(text) >= MIN_TEXT


def phone_digits(text: str) -> str | None:
    """The digits to look for when the text is a phone number, else None. A Russian number typed with its
    8 or +7 matches however it was stored: the last ten digits are looked for."""
    if not _PHONE.match(text.strip()):
        return None
    digits = re.sub(r"\D", "", text)
    if len(digits) < MIN_PHONE_DIGITS:
        return None
    return digits[-10:] if len(digits) == 11 and digits[0] in "78" else digits


def request_number(text: str) -> int | None:
    """A request's number typed as «123», «№123» or «#123»."""
    match = _NUMBER.match(text.strip())
    return int(match.group(1)) if match else None


def account_matches(user: User, text: str) -> QuerySet[Account]:
    """The accounts list's own search (name, short name or INN; the trigram index), live accounts only."""
    return account_list(user, AccountFilters(q=text))


def contact_matches(user: User, text: str, *, any_order: bool = False) -> QuerySet[Contact]:
    """Contacts of accounts he sees whose name, e-mail or phone holds every word (or the phone's digits).

    By name, or in any order for the box (its five are then sorted by name): a common surname matches a
    hundred thousand contacts among three million, and sorting them all for five rows costs ~0.6 s, while
    without an order PostgreSQL stops at the fifth match. An order by the primary key is worse still: the
    planner walks it for a rare word and reads every row (7 s for one phone number, measured).
    """
    digits = phone_digits(text)
    if digits:
        words = [digits]
    else:
        words = [w.strip("«»\"'.,;") for w in text.lower().split()]
        words = [w for w in words if w] or [text.lower().strip()]
    query = Q()
    for word in words:
        query &= Q(search_key__contains=word)
    # The contact's copy of its account's visibility keys and the text meet in one index (accounts 0016):
    # only the rows he may see that hold the words are read (a team's scope: search_keys.KEYS_MAX_MANAGERS).
    # visible_to still decides what he sees.
    contacts = narrowed(Contact.objects.visible_to(user, include_archived=False), user, CONTACT_KEYS)
    return (
        contacts.filter(archived_at__isnull=True, account__archived_at__isnull=True)
        .alias(search_key=RawSQL(SEARCH_EXPRESSION, ()))
        .filter(query)
        .select_related("account")
        .only(
            "id",
            "full_name",
            "position",
            "phone",
            "email",
            "account__id",
            "account__legal_name",
            "account__short_name",
        )
        .order_by(*(() if any_order else ("full_name", "id")))
    )


def request_matches(user: User, text: str) -> QuerySet[Request]:
    number = request_number(text)
    if number is None:
        return Request.objects.visible_to(user).none()
    return (
        Request.objects.visible_to(user)
        .filter(pk=number)
        .select_related("account")
        .only("id", "subject", "status", "account__id", "account__legal_name", "account__short_name")
    )


def _group(kind: str, qs: QuerySet, size: int, key=None) -> Group:
    """One query: up to COUNT_CAP + 1 rows, the first `size` shown, the rest only counted. A separate capped
    COUNT would repeat the same scan (the trigram bitmap of a common word is most of the cost)."""
    found = list(qs[: max(size, COUNT_CAP + 1)])
    items = found[:size]
    if key:
        items.sort(key=key)
    return Group(kind, items, len(found))


def _by_name(contact: Contact) -> tuple:
    return (contact.full_name.lower(), contact.pk)


def global_search(user: User, text: str, *, size: int = GROUP_SIZE) -> Results:
    """Each group's first `size` rows and its count (capped): accounts, contacts, requests."""
    text = text.strip()[:200]
    groups = []
    if searchable(text):
        groups.append(_group("accounts", account_matches(user, text), size))
        groups.append(_group("contacts", contact_matches(user, text, any_order=True), size, key=_by_name))
    if request_number(text) is not None:
        groups.append(_group("requests", request_matches(user, text), size))
    too_short = bool(text) and not groups
    return Results(text=text, groups=groups, too_short=too_short)
