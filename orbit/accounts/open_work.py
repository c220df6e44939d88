"""What is open on an account moves with its responsibility, so the new manager does not inherit a silent
account and the old one keeps no orphaned work. Each area registers how its open items move (in its
AppConfig.ready); ownership.transfer calls them all inside its transaction."""

from collections.abc import Callable

_movers: list[Callable[..., int]] = []


def register(mover: Callable[..., int]) -> Callable[..., int]:
    """mover(*, account, frm, to) -> number of items moved."""
    _movers.append(mover)
    return mover


def move(*, account, frm, to) -> dict[str, int]:
    if frm is None or frm.pk == to.pk:
        return {}
    return {
        f"{mover.__module__}.{mover.__name__}": mover(account=account, frm=frm, to=to) for mover in _movers
    }
