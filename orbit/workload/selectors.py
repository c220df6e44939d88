"""What the workload pages and the API read: per person demand vs capacity of a month, the accounts behind a
person's demand, and the portfolio and load month by month. People-scoped like plan vs fact
(`plan_fact.visible_people`): the head everyone, a lead his people (and himself if he holds a portfolio),
a manager himself.

Query counts do not grow with the number of people: the portfolio counts are one grouped query
(portfolio.py), capacity reads the people, their settings and the month's covers once.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

from orbit.accounts.models import Account
from orbit.common.charts import Chart, Series, month_label
from orbit.growth.plan_fact import visible_people
from orbit.org.models import Role, User
from orbit.workload import capacity, defaults, demand, norms
from orbit.workload.months import months_back
from orbit.workload.portfolio import held_accounts, month_end_counts
from orbit.worktime.services import CalendarYearMissing

FARMER_ROLES = (Role.ACCOUNT_MANAGER, Role.KEY_ACCOUNT_MANAGER)
OVER, UNDER, OK, NONE = "over", "under", "ok", "none"
STATUS_LABELS = {
    OVER: _("overloaded"),
    UNDER: _("underloaded"),
    OK: _("within capacity"),
    NONE: _("no capacity this month"),
}


def load_percent(demand_hours: Decimal, capacity_hours: Decimal) -> Decimal | None:
    """Demand as a percent of capacity; None when there is no capacity (never a division by zero)."""
    if capacity_hours <= 0:
        return None
    return (demand_hours * 100 / capacity_hours).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def status_of(load: Decimal | None) -> str:
    if load is None:
        return NONE
    if load > 100:
        return OVER
    if load < defaults.UNDERLOAD_PERCENT:
        return UNDER
    return OK


@dataclass
class Row:
    person: User
    tiers: dict[str, int]
    demand: Decimal
    capacity: capacity.Capacity

    @property
    def accounts(self) -> int:
        return sum(self.tiers.values())

    @property
    def load(self) -> Decimal | None:
        return load_percent(self.demand, self.capacity.hours)

    @property
    def status(self) -> str:
        return status_of(self.load)

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]

    @property
    def tier_list(self) -> list[int]:
        """Accounts per tier in the order key, A, B, C."""
        return [self.tiers.get(tier, 0) for tier in norms.TIERS]


def people_for(user: User, team_ids: set[int] | None = None):
    """Active account managers (hybrids included) whose workload `user` may see."""
    people = (
        User.objects.filter(is_active=True, roles__role__in=FARMER_ROLES)
        .select_related("team")
        .prefetch_related("roles")
        .distinct()
        .order_by("display_name", "pk")
    )
    visible = visible_people(user)
    if visible is not None:
        people = people.filter(pk__in=visible)
    if team_ids is not None:
        people = people.filter(team_id__in=team_ids)
    return people


def rows(
    user: User, month: dt.date, *, team_ids: set[int] | None = None, people=None, counts=None
) -> list[Row]:
    everyone = people is None and team_ids is None and visible_people(user) is None
    people = list(people if people is not None else people_for(user, team_ids))
    ids = [p.pk for p in people]
    hours = norms.hours_by_tier()
    if counts is None:  # the head's whole department: no list of 500 ids for the database to match
        counts = month_end_counts([month], None if everyone else ids)[month]
    demands = demand.demand_hours(ids, month, hours=hours, counts=counts)
    capacities = capacity.details(ids, month, people=people)
    return [Row(p, dict(counts.get(p.pk, {})), demands[p.pk], capacities[p.pk]) for p in people]


def totals(found: list[Row]) -> dict:
    demand_sum = sum((r.demand for r in found), Decimal(0))
    capacity_sum = sum((r.capacity.hours for r in found), Decimal(0))
    return {
        "demand": demand_sum,
        "capacity": capacity_sum,
        "load": load_percent(demand_sum, capacity_sum),
        "over": sum(1 for r in found if r.status == OVER),
        "under": sum(1 for r in found if r.status == UNDER),
        "none": sum(1 for r in found if r.status == NONE),
    }


def demand_chart(found: list[Row]) -> Chart:
    return Chart(
        title=str(_("Demand vs capacity, hours")),
        categories=[str(r.person) for r in found],
        series=[
            Series(str(_("Demand")), [r.demand for r in found]),
            Series(str(_("Capacity")), [r.capacity.hours for r in found]),
        ],
        unit="number",
    )


@dataclass
class MonthPoint:
    month: dt.date
    accounts: int
    people: int  # people holding a portfolio at the month's end
    demand: Decimal
    capacity: Decimal
    load: Decimal | None = field(default=None)


def over_time(
    people: list[User],
    month: dt.date,
    count: int = defaults.HISTORY_MONTHS,
    counts=None,
    everyone: bool = False,
) -> list[MonthPoint]:
    """Portfolio size and load of `people` month by month up to `month`: one grouped ledger query for all the
    months (portfolio.month_end_counts, or `counts` read by the caller); today's norms (a norm is not
    history); each month's own capacity (calendar, covers). For the whole department (`everyone`), every
    person who held accounts at a month's end counts in that month, also one who has left since: a staff cut
    shows as fewer managers holding more accounts."""
    months = months_back(month, count)
    ids = [p.pk for p in people]
    counts = counts if counts is not None else month_end_counts(months, None if everyone else ids)
    if everyone:
        holders = {pk for per_person in counts.values() for pk in per_person} - set(ids)
        people = people + list(User.objects.filter(pk__in=holders).prefetch_related("roles"))
        ids = [p.pk for p in people]
    wanted = set(ids)
    hours = norms.hours_by_tier()
    points = []
    for m in months:
        per_person = {pk: tiers for pk, tiers in counts[m].items() if pk in wanted}
        holding = [p for p in people if sum(per_person.get(p.pk, {}).values()) or p.is_active]
        holding_ids = [p.pk for p in holding]
        try:
            demands = demand.demand_hours(holding_ids, m, hours=hours, counts=per_person)
            capacities = {pk: c.hours for pk, c in capacity.details(holding_ids, m, people=holding).items()}
        except CalendarYearMissing:  # a month of a year not entered in the calendar: its size, no load
            demands = demand.base_demand(per_person, hours)
            capacities = {}
        demand_sum = sum(demands.values(), Decimal(0))
        capacity_sum = sum(capacities.values(), Decimal(0))
        points.append(
            MonthPoint(
                m,
                sum(sum(t.values()) for t in per_person.values()),
                sum(1 for t in per_person.values() if sum(t.values())),
                demand_sum,
                capacity_sum,
                load_percent(demand_sum, capacity_sum),
            )
        )
    return points


def over_time_charts(points: list[MonthPoint]) -> tuple[Chart, Chart]:
    labels = [month_label(p.month) for p in points]
    size = Chart(
        title=str(_("Portfolio size")),
        categories=labels,
        series=[
            Series(str(_("Accounts held")), [Decimal(p.accounts) for p in points], kind="line"),
            Series(str(_("Managers holding them")), [Decimal(p.people) for p in points], kind="line"),
        ],
        unit="number",
    )
    load = Chart(
        title=str(_("Load, percent of capacity")),
        categories=labels,
        series=[Series(str(_("Load")), [p.load for p in points], kind="line")],
        unit="percent",
    )
    return size, load


@dataclass
class AccountLine:
    account: Account
    hours: Decimal


def accounts_behind(user: User, person_id: int, month: dt.date) -> tuple[list[AccountLine], int]:
    """The accounts `person_id` held at the end of `month` that `user` sees, with their norm hours, the
    heaviest first; and how many more he held that `user` does not see."""
    hours = norms.hours_by_tier()
    held = held_accounts(person_id, month)
    shown = list(
        Account.objects.visible_to(user)
        .filter(pk__in=held.values("pk"))
        .only("id", "legal_name", "short_name", "tier", "status")
    )
    total = held.count()
    lines = sorted(
        (AccountLine(a, hours.get(a.tier, Decimal(0))) for a in shown),
        key=lambda line: (-line.hours, line.account.display_name.lower()),
    )
    return lines, total - len(shown)


def tier_summary(lines: list[AccountLine]) -> dict[str, int]:
    found: dict[str, int] = defaultdict(int)
    for line in lines:
        found[line.account.tier] += 1
    return dict(found)
