"""Who was responsible for a demo account, and when: a contiguous chain of periods ending in today's owner.

A chain starts with the first assignment (by the hunter who created the account, or by the import from the
previous CRM), may pass through a handoff from sales, a departure, reassignments for workload, and a
colleague's cover during a vacation. Consecutive periods always have different managers, changes are at least
two weeks apart, and the last period stays open: exactly what `orbit.accounts.ownership` requires.
"""

import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from orbit.accounts.models import ChangeReason
from orbit.demo import data

MIN_GAP_DAYS = 14


@dataclass
class PeriodPlan:
    manager: str
    started_at: dt.datetime
    reason: str
    comment: str
    changed_by: str | None
    ended_at: dt.datetime | None = None


@dataclass
class _Change:
    day: dt.date
    reason: str
    comment_key: str
    manager: str | None = None


@dataclass(frozen=True)
class Chronicle:
    """What every history needs to know about the department and the calendar."""

    rng: random.Random
    last_day: dt.date  # nothing happens later than this: the demo never shows the future
    decider: Callable[[str], str]  # who reassigns to this person: his lead, or the head
    moment: Callable[[dt.date], dt.datetime]  # a working-hours moment on that day
    departed: str


def _pick(rng: random.Random, pool: Sequence[tuple[str, int]], exclude: Sequence[str | None]) -> str:
    candidates = [(name, weight) for name, weight in pool if name not in exclude]
    names, weights = zip(*candidates, strict=True)
    return rng.choices(names, weights)[0]


def _far_from_all(day: dt.date, changes: list[_Change]) -> bool:
    return all(abs((day - c.day).days) >= MIN_GAP_DAYS for c in changes)


def _add_reassignments(ch: Chronicle, changes: list[_Change], count: int, earliest: dt.date) -> None:
    span = (ch.last_day - earliest).days - 7
    attempts = count * 4 if span >= MIN_GAP_DAYS else 0
    for _attempt in range(attempts):
        day = earliest + dt.timedelta(days=ch.rng.randint(MIN_GAP_DAYS, span))
        if count and _far_from_all(day, changes):
            reason = ch.rng.choices((ChangeReason.REASSIGNMENT, ChangeReason.OVERLOAD), (3, 2))[0]
            changes.append(_Change(day, reason, reason))
            count -= 1
    changes.sort(key=lambda c: c.day)


def _assign_managers(
    ch: Chronicle, changes: list[_Change], pool: Sequence[tuple[str, int]], fixed: dict[int, str]
) -> None:
    """Fill in who took over at each change; never the same person twice in a row."""
    for i, change in enumerate(changes):
        if i in fixed:
            change.manager = fixed[i]
            continue
        previous = changes[i - 1].manager if i else None
        change.manager = _pick(ch.rng, pool, (previous, fixed.get(i + 1)))


def _add_vacation(
    ch: Chronicle, changes: list[_Change], pool: Sequence[tuple[str, int]], hunter: str | None
) -> None:
    """A colleague covers two to four weeks inside one long period, then the owner takes the account back."""
    gaps = []
    for i, change in enumerate(changes):
        end = changes[i + 1].day if i + 1 < len(changes) else ch.last_day
        if (end - change.day).days >= 90 and change.manager not in (hunter, ch.departed):
            gaps.append((i, end))
    if not gaps:
        return
    i, end = ch.rng.choice(gaps)
    owner = changes[i].manager
    away = changes[i].day + dt.timedelta(days=ch.rng.randint(20, (end - changes[i].day).days - 45))
    back = away + dt.timedelta(days=ch.rng.randint(MIN_GAP_DAYS, 28))
    stand_in = _pick(ch.rng, pool, (owner,))
    changes.insert(i + 1, _Change(away, ChangeReason.VACATION, "vacation", stand_in))
    changes.insert(i + 2, _Change(back, ChangeReason.REASSIGNMENT, "return", owner))


def _changed_by(ch: Chronicle, change: _Change, previous: _Change | None, creator: str) -> str:
    if previous is None:
        return creator
    # A cover and a departure are arranged by the lead of the person who leaves; the rest by the receiver's.
    if change.reason in (ChangeReason.VACATION, ChangeReason.DEPARTURE):
        return ch.decider(previous.manager)
    return ch.decider(change.manager)


def _to_periods(ch: Chronicle, changes: list[_Change], creator: str, first_comment: str) -> list[PeriodPlan]:
    periods: list[PeriodPlan] = []
    for i, change in enumerate(changes):
        previous = changes[i - 1] if i else None
        comment = first_comment if i == 0 else ch.rng.choice(data.OWNERSHIP_COMMENTS[change.comment_key])
        period = PeriodPlan(
            manager=change.manager,
            started_at=ch.moment(change.day),
            reason=change.reason,
            comment=comment,
            changed_by=_changed_by(ch, change, previous, creator),
        )
        if periods:
            periods[-1].ended_at = period.started_at
        periods.append(period)
    return periods


def single_owner(ch: Chronicle, manager: str, since: dt.date) -> list[PeriodPlan]:
    """A hunter with his prospect or freshly won client, or the hybrid with a client he keeps himself."""
    return [PeriodPlan(manager, ch.moment(since), ChangeReason.INITIAL, "", manager)]


def ownership_history(
    ch: Chronicle,
    *,
    start: dt.date,
    owner: str,
    pool: Sequence[tuple[str, int]],
    hunter: str | None,
    departure: dt.date | None,
) -> list[PeriodPlan]:
    """Periods from `start` to today, ending with `owner`; `departure` puts the departed manager before it."""
    rng = ch.rng
    changes = [_Change(start, ChangeReason.INITIAL, "initial")]
    fixed: dict[int, str] = {}
    earliest = start
    if hunter:
        fixed[0] = hunter
        earliest = start + dt.timedelta(days=rng.randint(21, 120))
        changes.append(_Change(earliest, ChangeReason.HANDOFF, "handoff"))
    if departure:
        changes.append(_Change(departure, ChangeReason.DEPARTURE, "departure"))
    years = (ch.last_day - start).days / 365
    wants_vacation = rng.random() < 0.25
    extra = min(rng.choices((0, 1, 2, 3), (40, 30, 20, 10))[0], 1 + int(years), 1 if wants_vacation else 3)
    _add_reassignments(ch, changes, extra, earliest)
    if departure:
        fixed[next(i for i, c in enumerate(changes) if c.reason == ChangeReason.DEPARTURE) - 1] = ch.departed
    fixed[len(changes) - 1] = owner
    _assign_managers(ch, changes, pool, fixed)
    if wants_vacation:
        _add_vacation(ch, changes, pool, hunter)
    creator = hunter or "admin"
    first_comment = "" if hunter else rng.choice(data.OWNERSHIP_COMMENTS["imported"])
    return _to_periods(ch, changes, creator, first_comment)
