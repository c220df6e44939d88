"""What the higher apps tell the policy, so `access` stays the bottom layer (it imports only `org`).

- The accounts app declares its account model (`declare_accounts`): the policy filters it by the field names
  given there and never imports it.
- Any app may register a *widening* (`register_widening`): a source of accounts or managers a user sees
  beyond his own — account-team seats, handoffs he receives, colleagues he covers. Each widening gives one
  SELECT that joins the context's single UNION ALL query (so the whole access context stays one round trip)
  and a function that folds its rows into the user's `Grants`.

Registrations happen in each app's `AppConfig.ready()`, as `orbit.accounts.open_work` does for moving work.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class AccountShape:
    """The account model as the policy sees it: the model and the names of the fields the rules read."""

    model: Any  # the Django model class
    prospect_status: str  # value of `status` for an account not yet won (visible to its creator)
    manager_field: str = "responsible_manager"
    creator_field: str = "created_by"
    status_field: str = "status"
    archived_field: str = "archived_at"


@dataclass
class Grants:
    """What the widenings found for one user; the policy reads these sets."""

    seat_account_ids: set[int] = field(default_factory=set)  # accounts he works on besides his own
    covered_owner_ids: set[int] = field(default_factory=set)  # managers whose whole portfolio he covers today
    covered_account_ids: set[int] = field(default_factory=set)  # single accounts he covers today


Row = tuple[Any, Any, Any, Any, Any]  # kind, a, b, c, text


@dataclass(frozen=True)
class Widening:
    """One source of wider visibility.

    `sql()` returns one SELECT of five columns — kind (text, one of `kinds`), three integers and a text — that
    may use the parameters `%(user)s` (the user's id) and `%(today)s` (his local date). It is called lazily,
    after the apps are ready, so it may use `Model._meta.db_table`. `collect(user, rows, grants)` receives the
    rows of its kinds and adds to `grants` (it may read more, e.g. the subsidiaries of a holding, but only
    when there is something to expand).
    """

    name: str
    kinds: tuple[str, ...]
    sql: Callable[[], str]
    collect: Callable[[Any, list[Row], Grants], None]


_accounts: list[AccountShape] = []
_widenings: dict[str, Widening] = {}


def declare_accounts(shape: AccountShape) -> None:
    _accounts[:] = [shape]


def accounts() -> AccountShape:
    if not _accounts:
        raise LookupError("No account model declared: orbit.accounts must be installed and ready.")
    return _accounts[0]


def register_widening(widening: Widening) -> Widening:
    """Register (or replace, by name) a widening; kinds must not clash with another widening's."""
    for other in _widenings.values():
        if other.name != widening.name and set(other.kinds) & set(widening.kinds):
            raise ValueError(f"Widening kinds {widening.kinds} clash with {other.name!r}")
    _widenings[widening.name] = widening
    return widening


def widenings() -> Iterable[Widening]:
    return tuple(_widenings.values())
