"""The key facts in the account card's header that live in higher areas (last and next touch, open requests).

The accounts area sits below them and imports none of them: each registers a function in its AppConfig.ready,
as open_work does. A fact function takes the account (already checked visible to the reader) and returns a dict
merged into the header's facts; each is one query, so the card's query count stays fixed (tests assert it).
"""

from collections.abc import Callable
from typing import Any

_facts: list[Callable[..., dict[str, Any]]] = []


def register(fact: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    """fact(*, account) -> {name: value}."""
    _facts.append(fact)
    return fact


def collect(*, account) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for fact in _facts:
        found.update(fact(account=account))
    return found
