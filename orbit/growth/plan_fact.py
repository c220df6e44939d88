"""Plan vs fact per person and team and month, on invoiced and on paid revenue, and margin (docs/growth-plans.md).

Facts, in the base currency, net of VAT, read from the ledger through `visible_to(user)`:
- **invoiced** revenue of a month = the invoices and credit notes issued that month (`issued_on`), each
  counted for its `manager` (the account's responsible manager on the invoice's date): the sum of their
  `net_total_base`, which is the sum of their lines' `net_amount_base` (credit notes negative, in their own
  month); margin = net − cost (`cost_total_base`, the lines' `cost_amount_base`).
- **paid** revenue of a month = the money received that month (`Payment.received_on`) that is allocated to
  invoices, each allocation counted for the payment's `manager` (responsible on the payment's day) at its share
  of the invoice's net: round(allocation.amount × invoice.net_total_base / invoice.total, 2), per allocation.
  The allocation and the invoice's total are in the invoice's currency (a payment is only ever allocated to
  invoices of its own currency), `net_total_base` is the net already converted at the invoice's rate: the
  share is the invoice's own base figure, never re-converted at the payment's rate. Unallocated money (the
  client's credit) is not revenue; when it is applied later it counts in the month the money came in. A
  credit note that releases an allocation (the invoice was paid beyond what remains) takes it out again.
  Paid margin, likewise: each allocation's share of its invoice's margin (net − cost, base currency).

Who sees what: the head, admins and auditors everyone, the ledger read through `visible_to` (all of it); a team
lead the people and teams he leads (and himself); anyone else himself only. For those two the facts are the
documents *recorded on* the people he may see (`manager` in that set), not the documents of the accounts he
sees today: a document keeps the manager of its date, so an account that moved on after a handoff must not
take last month's figures out of its former manager's view (nor his lead's), and the one who received it must
not see figures that were not his. Only totals per person leave this module, never a document.

A team = the team and its sub-teams; its people are those whose team is in that tree today. Its plan is its
own plan row if one is set ("set for the team"), else the sum of its people's plans ("sum of the people").

Pace (the current month only): the share of the month's working time passed by the end of today, on the
default working calendar (orbit.worktime; holidays and short days count), or of its calendar days when the
calendar has no production calendar for the year. Expected by now = plan × pace.

Cost: a fixed handful of grouped queries whatever the number of people (no query per row).
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import Round
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orbit.access import policy
from orbit.common.charts import Chart, Series, month_label
from orbit.growth.models import SalesPlan
from orbit.growth.plans import next_month
from orbit.org.models import OWNER_ROLES, Role, Team, User
from orbit.revenue.models import Invoice, PaymentAllocation
from orbit.revenue.rates import base_currency

ZERO = Decimal("0.00")
# Whose own plan vs fact there is to see: those who may be responsible for accounts, and leads.
SELLERS = frozenset({*OWNER_ROLES, Role.TEAM_LEAD})
_MONEY: DecimalField = DecimalField(max_digits=30, decimal_places=10)
PLAN_SOURCES = {
    "own": gettext_lazy("set for the team"),
    "people": gettext_lazy("sum of the people"),
    "none": gettext_lazy("no plan"),
}


@dataclass(frozen=True)
class Figure:
    """A plan and its fact: % of plan (None without a positive plan) and the gap (fact − plan)."""

    plan: Decimal | None
    fact: Decimal

    @property
    def percent(self) -> Decimal | None:
        if not self.plan or self.plan <= 0:
            return None
        return (self.fact * 100 / self.plan).quantize(Decimal("0.1"))

    @property
    def gap(self) -> Decimal | None:
        return None if self.plan is None else self.fact - self.plan


class PlanFigures:
    """Plan vs fact of a row holding plan_revenue, plan_margin, invoiced, cost, paid and paid_margin (plan vs fact
    here, the managers' KPIs in orbit/kpi)."""

    plan_revenue: Decimal | None
    plan_margin: Decimal | None
    invoiced: Decimal
    cost: Decimal
    paid: Decimal
    paid_margin: Decimal

    @property
    def margin(self) -> Decimal:
        return self.invoiced - self.cost

    @property
    def on_invoiced(self) -> Figure:
        return Figure(self.plan_revenue, self.invoiced)

    @property
    def on_paid(self) -> Figure:
        return Figure(self.plan_revenue, self.paid)

    @property
    def on_margin(self) -> Figure:
        return Figure(self.plan_margin, self.margin)

    @property
    def on_paid_margin(self) -> Figure:
        return Figure(self.plan_margin, self.paid_margin)


@dataclass
class Row(PlanFigures):
    kind: str  # "person" or "team"
    pk: int
    name: str
    plan_revenue: Decimal | None = None
    plan_margin: Decimal | None = None
    plan_version: int = 0  # of the row's own plan; 0 when none is set
    plan_source: str = "none"  # "own", "people" (a team without its own plan), "none"
    invoiced: Decimal = ZERO
    cost: Decimal = ZERO
    paid: Decimal = ZERO
    paid_margin: Decimal = ZERO
    team_name: str = ""
    team_id: int | None = None
    active: bool = True
    expected: Decimal | None = None  # plan × pace, the current month only

    @property
    def source_label(self) -> str:
        return str(PLAN_SOURCES[self.plan_source])

    @property
    def has_any(self) -> bool:
        return self.plan_revenue is not None or bool(self.invoiced or self.paid or self.cost)


@dataclass
class PlanFact:
    month: dt.date
    people: list[Row]
    teams: list[Row]
    pace: Decimal | None  # share of the month passed (0–1), the current month only
    pace_basis: str = ""  # "working" or "calendar"
    currency: str = ""
    # The people's sums (a team's own plan is not added to them).
    total: Row = field(default_factory=lambda: Row(kind="total", pk=0, name=""))
    chart: Chart | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not any(row.has_any for row in self.people + self.teams)

    @property
    def pace_percent(self) -> Decimal | None:
        return None if self.pace is None else (self.pace * 100).quantize(Decimal("0.1"))


# --- who may be seen ---------------------------------------------------------------------------------------


def sees_all_plans(user: User) -> bool:
    return bool(user and user.is_authenticated) and policy.sees_everything(user)


def visible_people(user: User) -> set[int] | None:
    """The people whose plan vs fact `user` may see: None = everyone."""
    if not (user and user.is_authenticated and user.is_active):
        return set()
    if sees_all_plans(user):
        return None
    own = {user.pk} if policy.access_context(user).roles & SELLERS else set()
    return own | set(policy.led_people(user))


def visible_team_ids(user: User, all_ids) -> set[int]:
    if not (user and user.is_authenticated and user.is_active):
        return set()
    if sees_all_plans(user):
        return set(all_ids)
    return set(policy.led_team_ids(user))


def may_see_person(user: User, person_id: int) -> bool:
    people = visible_people(user)
    return people is None or person_id in people


# --- facts -------------------------------------------------------------------------------------------------


def _money(value) -> Decimal:
    """A sum as the database gives it, to the kopeck (SQLite, the demo's database, sums decimals as floats)."""
    return ZERO if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def invoices_recorded_on(user: User, people: set[int] | None):
    """The invoices whose figures `user` may see: all he may see when he sees every person (the head), else
    those recorded on the people he may see (see the module's note), whatever account they are on now."""
    if people is None:
        return Invoice.objects.visible_to(user)
    return Invoice.objects.filter(manager_id__in=people)


def _allocations_recorded_on(user: User, people: set[int] | None):
    """Likewise the allocations, by their payment's manager."""
    if people is None:
        return PaymentAllocation.objects.visible_to(user)
    return PaymentAllocation.objects.filter(payment__manager_id__in=people)


def invoiced_by_manager(
    user: User, month: dt.date, people: set[int] | None
) -> dict[int, tuple[Decimal, Decimal]]:
    """manager id -> (net, cost) of the invoices and credit notes issued in `month`, base currency."""
    rows = invoices_recorded_on(user, people).filter(
        issued_on__gte=month, issued_on__lt=next_month(month), manager__isnull=False
    )
    grouped = (
        rows.values("manager_id").annotate(net=Sum("net_total_base"), cost=Sum("cost_total_base")).order_by()
    )
    return {r["manager_id"]: (_money(r["net"]), _money(r["cost"])) for r in grouped}


def paid_share(figure=None):
    """An allocation's share of an invoice figure (its net by default), base currency, rounded to the kopeck
    (half away from zero on PostgreSQL's numeric)."""
    figure = figure if figure is not None else F("invoice__net_total_base")
    share = ExpressionWrapper(F("amount") * figure / F("invoice__total"), output_field=_MONEY)
    return Round(share, 2, output_field=_MONEY)


def paid_by_manager(
    user: User, month: dt.date, people: set[int] | None
) -> dict[int, tuple[Decimal, Decimal]]:
    """payment's manager id -> (net, margin), base currency, of the money received in `month` and allocated.
    The margin of an allocation is its share of the invoice's margin: round(amount × (net_total_base −
    cost_total_base) / total, 2)."""
    rows = _allocations_recorded_on(user, people).filter(
        payment__received_on__gte=month,
        payment__received_on__lt=next_month(month),
        payment__manager__isnull=False,
    )
    margin = F("invoice__net_total_base") - F("invoice__cost_total_base")
    grouped = (
        rows.values(manager_id=F("payment__manager_id"))
        .annotate(net=Sum(paid_share()), margin=Sum(paid_share(margin)))
        .order_by()
    )
    return {r["manager_id"]: (_money(r["net"]), _money(r["margin"])) for r in grouped}


# --- pace --------------------------------------------------------------------------------------------------


def month_pace(month: dt.date, today: dt.date) -> tuple[Decimal | None, str]:
    """(share of the month passed by the end of `today`, "working" or "calendar"); None outside the month."""
    if not (month <= today < next_month(month)):
        return None, ""
    from orbit.worktime.services import CalendarYearMissing, business_hours_between, default_calendar

    end = next_month(month)
    try:
        calendar = default_calendar()
        tz = calendar.tz
        start_at = dt.datetime.combine(month, dt.time(0), tzinfo=tz)
        end_at = dt.datetime.combine(end, dt.time(0), tzinfo=tz)
        today_end = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
        whole = business_hours_between(calendar, start_at, end_at)
        passed = business_hours_between(calendar, start_at, today_end)
        if whole.total_seconds() > 0:
            share = Decimal(passed.total_seconds()) / Decimal(whole.total_seconds())
            return share.quantize(Decimal("0.0001")), "working"
    except CalendarYearMissing:
        pass
    days = (end - month).days
    share = Decimal((today - month).days + 1) / Decimal(days)
    return share.quantize(Decimal("0.0001")), "calendar"


# --- the page's figures --------------------------------------------------------------------------------------


def _subtrees(teams: list[Any]) -> dict[int, set[int]]:
    children: dict[int | None, list[int]] = {}
    for team in teams:
        children.setdefault(team["parent_id"], []).append(team["id"])
    result = {}
    for team in teams:
        found, todo = set(), [team["id"]]
        while todo:
            pk = todo.pop()
            if pk not in found:
                found.add(pk)
                todo.extend(children.get(pk, []))
        result[team["id"]] = found
    return result


def plan_fact(
    user: User,
    month: dt.date,
    *,
    today: dt.date | None = None,
    team: int | None = None,
    person: int | None = None,
) -> PlanFact:
    """Plan vs fact of `month` for the people (and teams) `user` may see, narrowed to a team's tree or one
    person. A team or person he may not see gives empty rows, as a filter that matches nothing."""
    today = today or timezone.localdate()
    pace, basis = month_pace(month, today)
    result = PlanFact(
        month=month,
        people=[],
        teams=[],
        pace=pace,
        pace_basis=basis,
        currency=base_currency(),
        total=Row(kind="total", pk=0, name=_("Total")),
    )
    allowed = visible_people(user)
    if allowed is not None and not allowed:
        return result
    teams = list(Team.objects.values("id", "name", "parent_id").order_by("name", "id"))
    subtrees = _subtrees(teams)
    shown_teams = visible_team_ids(user, subtrees)
    team_tree: set[int] | None = None
    if team is not None:
        team_tree = subtrees.get(team, set()) if team in shown_teams else set()
        shown_teams &= team_tree
    if person is not None:
        allowed = {person} & allowed if allowed is not None else {person}
        shown_teams = set()

    invoiced = invoiced_by_manager(user, month, allowed)
    paid = paid_by_manager(user, month, allowed)
    plan_rows = SalesPlan.objects.filter(month=month)
    if allowed is not None:
        plan_rows = plan_rows.filter(Q(user_id__in=allowed) | Q(team_id__in=shown_teams))
    found = list(plan_rows)
    person_plans = {p.user_id: p for p in found if p.user_id}
    team_plans = {p.team_id: p for p in found if p.team_id}

    people = User.objects.select_related("team").order_by("display_name", "username", "id")
    if allowed is not None:
        people = people.filter(pk__in=allowed)
    else:
        with_figures = set(invoiced) | set(paid) | set(person_plans)
        sellers = Q(is_active=True, roles__role__in=list(SELLERS))
        people = people.filter(sellers | Q(pk__in=with_figures)).distinct()
    if team_tree is not None:
        people = people.filter(team_id__in=team_tree)

    for person_row in people:
        plan = person_plans.get(person_row.pk)
        net, cost = invoiced.get(person_row.pk, (ZERO, ZERO))
        row = Row(
            kind="person",
            pk=person_row.pk,
            name=str(person_row),
            plan_revenue=plan.revenue if plan else None,
            plan_margin=plan.margin if plan else None,
            plan_version=plan.version if plan else 0,
            plan_source="own" if plan else "none",
            invoiced=net,
            cost=cost,
            paid=paid.get(person_row.pk, (ZERO, ZERO))[0],
            paid_margin=paid.get(person_row.pk, (ZERO, ZERO))[1],
            team_name=person_row.team.name if person_row.team else "",
            team_id=person_row.team_id,
            active=person_row.is_active,
        )
        result.people.append(row)

    for team_row in teams:
        if team_row["id"] not in shown_teams:
            continue
        tree = subtrees[team_row["id"]]
        members = [r for r in result.people if r.team_id in tree]
        own = team_plans.get(team_row["id"])
        planned = [r for r in members if r.plan_revenue is not None]
        row = Row(kind="team", pk=team_row["id"], name=team_row["name"])
        if own is not None:
            row.plan_revenue, row.plan_margin, row.plan_version, row.plan_source = (
                own.revenue,
                own.margin,
                own.version,
                "own",
            )
        elif planned:
            row.plan_revenue = sum((r.plan_revenue or ZERO for r in planned), ZERO)
            row.plan_margin = sum((r.plan_margin or ZERO for r in planned), ZERO)
            row.plan_source = "people"
        row.invoiced = sum((r.invoiced for r in members), ZERO)
        row.cost = sum((r.cost for r in members), ZERO)
        row.paid = sum((r.paid for r in members), ZERO)
        row.paid_margin = sum((r.paid_margin for r in members), ZERO)
        result.teams.append(row)

    total = result.total
    planned = [r for r in result.people if r.plan_revenue is not None]
    if planned:
        total.plan_revenue = sum((r.plan_revenue or ZERO for r in planned), ZERO)
        total.plan_margin = sum((r.plan_margin or ZERO for r in planned), ZERO)
        total.plan_source = "people"
    total.invoiced = sum((r.invoiced for r in result.people), ZERO)
    total.cost = sum((r.cost for r in result.people), ZERO)
    total.paid = sum((r.paid for r in result.people), ZERO)
    total.paid_margin = sum((r.paid_margin for r in result.people), ZERO)
    result.total = total

    if pace is not None:
        for row in [*result.people, *result.teams, total]:
            if row.plan_revenue is not None:
                row.expected = (row.plan_revenue * pace).quantize(Decimal("0.01"))
    return result


def plan_fact_chart(figures: PlanFact, rows: list[Row]) -> Chart:
    """Bars per row: the revenue plan, invoiced and paid."""
    return Chart(
        title=_("Plan vs fact, %(month)s") % {"month": month_label(figures.month)},
        categories=[row.name for row in rows],
        series=[
            Series(_("Plan"), [row.plan_revenue for row in rows]),
            Series(_("Invoiced"), [row.invoiced for row in rows]),
            Series(_("Paid"), [row.paid for row in rows]),
        ],
        currency=figures.currency,
    )


def manager_plan_fact(
    user: User, manager: User | None, month: dt.date, *, today: dt.date | None = None
) -> Row | None:
    """The account card's panel: `manager`'s plan vs fact of `month`, or None when `user` may not see it (or
    the account has no manager)."""
    if manager is None or not may_see_person(user, manager.pk):
        return None
    figures = plan_fact(user, month, today=today, person=manager.pk)
    return figures.people[0] if figures.people else None


def card_plan(user: User, account, *, today: dt.date | None = None) -> dict:
    """The context of `growth/plans/_card_plan.html` for an account card: its responsible manager's plan vs
    fact this month (`plan_row` None when the viewer may not see it)."""
    today = today or timezone.localdate()
    month = today.replace(day=1)
    manager = account.responsible_manager
    return {
        "plan_row": manager_plan_fact(user, manager, month, today=today),
        "month": month,
        "currency": base_currency(),
    }
