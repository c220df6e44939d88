"""What is open on an account moves with its responsibility, so the new manager does not inherit a silent
account and the old one keeps no orphaned work. Each area registers how its open items move (in its
AppConfig.ready); ownership.transfer calls them all inside its transaction.

The same happens when someone leaves the account's team (`leave`): what he had open there — planned touches,
open tasks, open requests he manages or executes — goes to the responsible manager, or, with nobody to take it,
is cancelled; each area registers what it releases beyond what `move` moves (`register_release`).
"""

from collections.abc import Callable

_movers: list[Callable[..., int]] = []
_releasers: list[Callable[..., int]] = []


def register(mover: Callable[..., int]) -> Callable[..., int]:
    """mover(*, account, frm, to) -> number of items moved."""
    _movers.append(mover)
    return mover


def register_release(releaser: Callable[..., int]) -> Callable[..., int]:
    """releaser(*, account, frm, to) -> number of items released; `to` is None when nobody can take them
    (then the releaser cancels what can be cancelled)."""
    _releasers.append(releaser)
    return releaser


def _name(fn: Callable) -> str:
    return f"{fn.__module__}.{fn.__name__}"


def move(*, account, frm, to) -> dict[str, int]:
    if frm is None or frm.pk == to.pk:
        return {}
    return {_name(mover): mover(account=account, frm=frm, to=to) for mover in _movers}


def leave(*, account, frm, to) -> dict[str, int]:
    """`frm` leaves the account's team: his open work there goes to `to` (None: nobody takes it, cancel it).
    Call inside the transaction that ends his seat."""
    if to is not None and to.pk == frm.pk:
        return {}  # he stays responsible for the account: his work stays his
    moved = move(account=account, frm=frm, to=to) if to is not None else {}
    return moved | {_name(releaser): releaser(account=account, frm=frm, to=to) for releaser in _releasers}
