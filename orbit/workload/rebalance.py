"""Rebalancing proposal for a team: moves of account groups from overloaded members to members with room.

The unit of a move is a holding group of the giver's portfolio (orbit.handoffs.bulk.holding_groups: members of
one holding move together), weighed by its norm hours (norms.py: bulk moves weigh by ORBIT_TIER_WEIGHTS, a
relative effort; here the hours are compared with capacity, so hours it is). A group holding a key account goes
only to a key account manager.

The algorithm is greedy, one giver at a time, the most overloaded first; while the giver is over capacity:
- among his groups that some receiver can take without going over capacity,
- if one group alone removes his whole excess, the smallest such group (one move finishes him),
- else the largest group (the fewest moves to come),
- to the receiver with the most room left (ties: the lower id).
Why greedy: the exact fewest-moves problem is bin packing (NP-hard); a team has a handful of people and a
portfolio of tens of groups, and this rule finishes most givers in one or two moves. Its guarantees, tested:
no receiver is ever taken over capacity, holdings never split, key accounts only go to key account managers,
a giver never receives. When it cannot bring everyone under capacity it says so and shows the best it found
(the moves that fit), with who stays over: the greedy may miss a packing an exhaustive search would find,
so it says "Orbit found no set", not "no set exists".
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from orbit.accounts.models import Account, Tier
from orbit.handoffs.bulk import holding_groups, portfolio
from orbit.handoffs.models import OPEN_STATUSES, Handoff
from orbit.org.models import Role, Team, User
from orbit.workload import norms, selectors
from orbit.workload.months import first_day


@dataclass(frozen=True)
class Group:
    id: int  # the holding's top account within the portfolio (the account itself when standalone)
    giver: int
    hours: Decimal
    has_key: bool


@dataclass
class Person:
    id: int
    capacity: Decimal
    demand: Decimal
    is_kam: bool


@dataclass(frozen=True)
class Step:
    group: Group
    receiver: int


def plan_moves(people: list[Person], groups: list[Group]) -> tuple[list[Step], dict[int, Decimal]]:
    """The greedy plan (see the module's note): the moves, and each person's demand after them."""
    demand = {p.id: p.demand for p in people}
    capacity = {p.id: p.capacity for p in people}
    kams = {p.id for p in people if p.is_kam}
    givers = sorted(
        (p for p in people if p.demand > p.capacity), key=lambda p: (-(p.demand - p.capacity), p.id)
    )
    giver_ids = {p.id for p in givers}
    receivers = [p.id for p in people if p.id not in giver_ids and p.capacity > 0]
    steps: list[Step] = []
    for giver in givers:
        pool = sorted(
            (g for g in groups if g.giver == giver.id and g.hours > 0), key=lambda g: (-g.hours, g.id)
        )
        while demand[giver.id] > capacity[giver.id] and pool:
            excess = demand[giver.id] - capacity[giver.id]
            fitting = []
            for group in pool:
                room = [
                    r
                    for r in receivers
                    if (not group.has_key or r in kams) and demand[r] + group.hours <= capacity[r]
                ]
                if room:
                    fitting.append((group, room))
            if not fitting:
                break
            finishing = [f for f in fitting if f[0].hours >= excess]
            if finishing:
                group, room = min(finishing, key=lambda f: (f[0].hours, f[0].id))
            else:
                group, room = max(fitting, key=lambda f: (f[0].hours, -f[0].id))
            receiver = max(room, key=lambda r: (capacity[r] - demand[r], -r))
            steps.append(Step(group, receiver))
            demand[giver.id] -= group.hours
            demand[receiver] += group.hours
            pool.remove(group)
    return steps, demand


def team_tree_ids(team: Team) -> set[int]:
    """The team and its sub-teams (a handful of rows)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in Team.objects.values_list("pk", "parent_id"):
        children.setdefault(parent, []).append(pk)
    found, stack = set(), [team.pk]
    while stack:
        pk = stack.pop()
        if pk not in found:
            found.add(pk)
            stack.extend(children.get(pk, []))
    return found


@dataclass
class Move:
    group: int
    accounts: list[Account]
    giver: User
    receiver: User
    hours: Decimal
    has_key: bool

    @property
    def group_str(self) -> str:
        return str(self.group)


@dataclass
class Proposal:
    team: Team
    month: dt.date
    rows: list[selectors.Row]
    moves: list[Move]
    after: dict[int, Decimal]
    members: list[User] = field(default_factory=list)

    @property
    def overloaded(self) -> list[selectors.Row]:
        return [r for r in self.rows if r.status == selectors.OVER]

    @property
    def still_over(self) -> list[selectors.Row]:
        return [r for r in self.rows if self.after[r.person.pk] > r.capacity.hours]

    @property
    def feasible(self) -> bool:
        return not self.still_over

    def demand_after(self, row: selectors.Row) -> Decimal:
        return self.after[row.person.pk]

    def load_after(self, row: selectors.Row) -> Decimal | None:
        return selectors.load_percent(self.after[row.person.pk], row.capacity.hours)

    def receivers_for(self, move: Move) -> list[User]:
        """Whom the lead may choose instead: members of the team, not the giver, a KAM for a key account."""
        return [
            m
            for m in self.members
            if m.pk != move.giver.pk and (not move.has_key or m.has_role(Role.KEY_ACCOUNT_MANAGER))
        ]


def groups_of(by: User, giver: User) -> dict[int, list[Account]]:
    """The giver's current portfolio (as `by` sees it) grouped by holding."""
    return holding_groups(list(portfolio(by, giver).filter(archived_at__isnull=True)))


def propose(by: User, team: Team, today: dt.date) -> Proposal:
    month = first_day(today)
    members = list(selectors.people_for(by, team_tree_ids(team)))
    found = selectors.rows(by, month, people=members)
    hours = norms.hours_by_tier()
    people = [
        Person(r.person.pk, r.capacity.hours, r.demand, r.person.has_role(Role.KEY_ACCOUNT_MANAGER))
        for r in found
    ]
    accounts: dict[int, list[Account]] = {}
    groups: list[Group] = []
    held = {row.person.pk: groups_of(by, row.person) for row in found if row.status == selectors.OVER}
    every = [a.pk for per in held.values() for members_of in per.values() for a in members_of]
    busy = set(
        Handoff.objects.filter(account_id__in=every, status__in=OPEN_STATUSES).values_list(
            "account_id", flat=True
        )
    )
    for row in found:
        for root, members_of in held.get(row.person.pk, {}).items():
            if any(a.pk in busy for a in members_of):
                continue  # a handoff already moves part of it: not proposed again
            accounts[root] = members_of
            groups.append(
                Group(
                    root,
                    row.person.pk,
                    sum((hours.get(a.tier, Decimal(0)) for a in members_of), Decimal(0)),
                    any(a.tier == Tier.KEY for a in members_of),
                )
            )
    steps, after = plan_moves(people, groups)
    by_id = {m.pk: m for m in members}
    moves = [
        Move(
            s.group.id,
            accounts[s.group.id],
            by_id[s.group.giver],
            by_id[s.receiver],
            s.group.hours,
            s.group.has_key,
        )
        for s in steps
    ]
    return Proposal(team, month, found, moves, after, members)
