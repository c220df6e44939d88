"""Fair comparison: each manager against the peers whose portfolios look like his (docs/managers-kpi.md).

A portfolio's **band** is one bucket on each of four scales: its size (accounts), its ABC mix (share of its
accounts of class A), its key-account share (tier "key") and its agreed budget (sum of `Account.agreed_budget`).
The edges are Orbit's defaults (not the seeds'), a setting the head may change: `ORBIT_KPI_PEER_BANDS`.
Peers of a manager = the other managers in the same band; when fewer than `MIN_PEERS` (3) are there, all the
other managers instead, and the page says so. Pure functions: no database here.

Quantiles interpolate linearly between ranks (PostgreSQL's `percentile_cont`, numpy's default): the median of
an even count is the mean of the two middle values; p25 and p75 make the band.
"""

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

MIN_PEERS = 3
# Orbit's defaults: bucket edges (a value equal to an edge falls in the upper bucket).
DEFAULT_BANDS = {
    "accounts": [30, 100],  # up to 29 accounts, 30–99, 100 and more (100 clients on one person is overload)
    "a_share": [Decimal(20)],  # per cent of accounts of class A: below 20 % / 20 % and above (Pareto 80/20)
    "key_share": [Decimal(10)],  # per cent of key accounts: below 10 % / 10 % and above
    "budget": [Decimal(10_000_000), Decimal(50_000_000)],  # base currency a year
}
SCALES = tuple(DEFAULT_BANDS)


def bands() -> dict[str, list]:
    configured = getattr(settings, "ORBIT_KPI_PEER_BANDS", None) or {}
    return {scale: list(configured.get(scale, DEFAULT_BANDS[scale])) for scale in SCALES}


@dataclass(frozen=True)
class Features:
    accounts: int
    a_share: Decimal  # per cent
    key_share: Decimal  # per cent
    budget: Decimal


def band_of(features: Features, edges: dict[str, list] | None = None) -> tuple[int, ...]:
    edges = edges or bands()
    return tuple(bisect.bisect_right(edges[scale], getattr(features, scale)) for scale in SCALES)


def quantile(values: Sequence[Decimal], q: Decimal) -> Decimal | None:
    """The q-quantile (0 ≤ q ≤ 1) with linear interpolation; None of no values."""
    ordered = sorted(values)
    if not ordered:
        return None
    position = (len(ordered) - 1) * Decimal(q)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    fraction = position - low
    return ordered[low] + (ordered[high] - ordered[low]) * fraction


@dataclass(frozen=True)
class PeerStat:
    median: Decimal | None
    p25: Decimal | None
    p75: Decimal | None
    count: int  # peers with a figure


def stat(values: Sequence[Decimal]) -> PeerStat:
    return PeerStat(
        quantile(values, Decimal("0.5")),
        quantile(values, Decimal("0.25")),
        quantile(values, Decimal("0.75")),
        len(values),
    )


@dataclass(frozen=True)
class Peers:
    ids: frozenset[int]
    fallback: bool  # fewer than MIN_PEERS in his band: compared with every other manager


def peer_groups(band_by_person: dict[int, tuple[int, ...]]) -> dict[int, Peers]:
    """Each person's peers: the others in his band, or every other person when fewer than MIN_PEERS."""
    members: dict[tuple[int, ...], set[int]] = {}
    for person, band in band_by_person.items():
        members.setdefault(band, set()).add(person)
    everyone = frozenset(band_by_person)
    result = {}
    for person, band in band_by_person.items():
        same = members[band] - {person}
        if len(same) >= MIN_PEERS:
            result[person] = Peers(frozenset(same), False)
        else:
            result[person] = Peers(everyone - {person}, True)
    return result


def quantile_without(ordered: list[Decimal], value: Decimal | None, q: Decimal) -> Decimal | None:
    """The q-quantile of the sorted `ordered` with one occurrence of `value` left out (None: none left out)."""
    if value is None:
        return quantile_sorted(ordered, q)
    index = bisect.bisect_left(ordered, value)
    return quantile_sorted(ordered[:index] + ordered[index + 1 :], q)


def quantile_sorted(ordered: list[Decimal], q: Decimal) -> Decimal | None:
    if not ordered:
        return None
    position = (len(ordered) - 1) * Decimal(q)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


HALF, QUARTER, THREE_QUARTERS = Decimal("0.5"), Decimal("0.25"), Decimal("0.75")


def compare(values: dict[int, Decimal | None], peers: dict[int, Peers]) -> dict[int, PeerStat]:
    """Per person, the median and band of his peers' values (peers without a figure left out). The values of
    each group (a band, or everyone for the fallback) are sorted once; each person's own value is taken out of
    his group's list: n log n, not n² (500 managers: milliseconds)."""
    groups: dict[frozenset[int], list[Decimal]] = {}
    result = {}
    for person, group in peers.items():
        members = group.ids | {person}
        key = frozenset(members)
        ordered = groups.get(key)
        if ordered is None:
            ordered = groups[key] = sorted(values[p] for p in members if values.get(p) is not None)  # type: ignore[misc]
        own = values.get(person)
        result[person] = PeerStat(
            quantile_without(ordered, own, HALF),
            quantile_without(ordered, own, QUARTER),
            quantile_without(ordered, own, THREE_QUARTERS),
            len(ordered) - (own is not None),
        )
    return result
