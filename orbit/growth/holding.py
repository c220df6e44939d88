"""The holding's growth, over the companies of the holding the viewer may see: per company its product lines
bought and not bought (the whitespace cells), its open opportunities (count, amount, weighted) and running
projects; and the plan vs fact this month of the managers responsible for them."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum

from orbit.accounts.models import Account
from orbit.accounts.selectors import holding_companies
from orbit.growth import plan_fact
from orbit.growth.models import RUNNING_PROJECT, Opportunity, Project, StageOutcome
from orbit.growth.pipeline import WEIGHTED_X100, weighted
from orbit.growth.whitespace import Row, product_lines, whitespace_rows, window_of
from orbit.org.models import User

ZERO = Decimal("0.00")
# Orbit's default: the plan vs fact of at most this many of the holding's managers (each costs a handful of
# grouped queries); the plans page has everyone's.
MANAGERS_SHOWN = 5


@dataclass
class CompanyRow:
    lines: Row | None  # None on the totals row
    opportunities: int = 0
    amount: Decimal = ZERO
    weighted: Decimal = ZERO
    projects: int = 0


@dataclass
class HoldingGrowth:
    rows: list[CompanyRow]
    lines: list
    window_months: int
    hidden: int  # companies of the holding the viewer may not see: left out
    plans: list = field(default_factory=list)  # plan_fact.Row of the companies' managers
    more_managers: int = 0
    month: dt.date | None = None

    @property
    def totals(self) -> CompanyRow:
        total = CompanyRow(lines=None)
        for row in self.rows:
            total.opportunities += row.opportunities
            total.amount += row.amount
            total.weighted += row.weighted
            total.projects += row.projects
        return total


def holding_growth(user: User, account: Account, *, today: dt.date) -> HoldingGrowth | None:
    """None for a standalone account, or when the viewer sees no other company of its holding."""
    holding = holding_companies(user, account)
    if holding is None:
        return None
    companies = holding.companies
    ids = [company.pk for company in companies]
    window = window_of(today)
    lines = product_lines()
    rows = {row.account.pk: CompanyRow(lines=row) for row in whitespace_rows(user, companies, lines, window)}
    for item in (
        Opportunity.objects.visible_to(user)
        .filter(account_id__in=ids, status=StageOutcome.OPEN)
        .values("account_id")
        .annotate(n=Count("id"), amount=Sum("amount_base"), weighted_x100=Sum(WEIGHTED_X100))
        .order_by()
    ):
        row = rows[item["account_id"]]
        row.opportunities, row.amount, row.weighted = (
            item["n"],
            item["amount"],
            weighted(item["weighted_x100"]),
        )
    for item in (
        Project.objects.visible_to(user)
        .filter(account_id__in=ids, status__in=RUNNING_PROJECT)
        .values("account_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        rows[item["account_id"]].projects = item["n"]
    managers = [m for m in dict.fromkeys(c.responsible_manager for c in companies) if m is not None]
    month = today.replace(day=1)
    plans = [
        found
        for manager in managers[:MANAGERS_SHOWN]
        if (found := plan_fact.manager_plan_fact(user, manager, month, today=today)) is not None
    ]
    return HoldingGrowth(
        rows=[rows[pk] for pk in ids],
        lines=lines,
        window_months=window.months,
        hidden=holding.hidden,
        plans=plans,
        more_managers=max(0, len(managers) - MANAGERS_SHOWN),
        month=month,
    )
