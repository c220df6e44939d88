"""Dated items other areas put on a person's day and in his calendar feed (contract renewals and notice
deadlines, late deliveries, ...), without activities importing those areas: each registers a source in its
AppConfig.ready, as `orbit.accounts.open_work` does for moving work.

A source is `source(*, read, owners, today, until) -> list[Deadline]`:
- `read(manager)` scopes one of its models' `AccountScopedManager` to what may be shown (the person's
  visibility, and the viewer's when someone else opens his day) — a source never reads around it;
- `owners`: the ids of the people whose items to show (the person, and managers he covers for);
- items due up to `until` (inclusive), and the overdue ones the source still considers actionable.
A source answers with at most `limit` items, in one or two queries whatever their number.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

# Orbit's default horizon (not the seeds'): contract deadlines appear on the day a month ahead.
HORIZON_DAYS = 30


@dataclass(frozen=True)
class Deadline:
    uid: str  # stable across reads: the calendar updates the event when the day moves
    kind: str  # "contract_renewal", "contract_notice", "late_delivery", ...
    day: dt.date
    title: str  # in the reader's language
    account_id: int
    account_name: str
    url: str  # a path on the site
    detail: str = ""

    def overdue(self, today: dt.date) -> bool:
        return self.day < today


Source = Callable[..., list[Deadline]]
_sources: list[Source] = []


def register(source: Source) -> Source:
    if source not in _sources:
        _sources.append(source)
    return source


def collect(
    *, read: Callable, owners: Iterable[int], today: dt.date, until: dt.date, limit: int
) -> list[Deadline]:
    """Every source's items, the earliest first."""
    owners = list(owners)
    items: list[Deadline] = []
    for source in _sources:
        items.extend(source(read=read, owners=owners, today=today, until=until, limit=limit))
    return sorted(items, key=lambda item: (item.day, item.account_name, item.uid))
