"""Hunter or farmer — the org-model what-if (issue 14): the current model (hybrids who hunt and serve) against
split roles (the hybrids only hunt, farmers serve their clients).

From the hybrids' time split over the last 12 complete months (`orbit/staffing/time_split.py`):
- M = months with logged hours in the window (the observed months: a month nobody logged is not a zero load);
- serving hours a month S = the hybrids' serving hours ÷ M; hunting hours a month H = hunting hours ÷ M;
- **hunting hours freed** a month = S (the serving the hybrids do now goes to farmers);
- **farmers needed** = ⌈S ÷ C⌉, C = a farmer's monthly capacity in hours (an input; its default is the hybrids'
  average `User.monthly_capacity_hours`, rounded down; zero is refused);
- **new-business revenue** = the net (base currency, credit notes negative) of the invoices issued in the window
  that are new business by the kind of sale (`orbit/growth/sale_kinds.py`: an account's first N calendar months of
  buying, N = `settings.ORBIT_NEW_BUSINESS_MONTHS`, or an order fulfilling a won new-business deal; a credit note
  counts as the invoice it corrects) — the same figure as the KPI page's new business — recorded on the hybrids
  (the invoice's `manager`), read as plan vs fact reads invoices (docs/growth-plans.md);
- **revenue per hunting hour** R = new-business revenue ÷ the hybrids' hunting hours in the window;
- **expected new-business revenue** a month = hours freed × R;
- **payroll**: today the hybrids, paid as hunters (H_n × hunter salary); split: the same hunters plus the farmers
  (+ F × farmer salary). Added payroll a month = F × farmer salary; the balance a month = expected new-business
  revenue − added payroll (revenue, not margin: a first estimate). Salaries are inputs, never stored.
"""

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils.translation import gettext as _

from orbit.growth.plan_fact import invoices_recorded_on, visible_people
from orbit.growth.plans import next_month
from orbit.growth.sale_kinds import SaleKind, sale_kind_of
from orbit.org.models import User
from orbit.staffing.time_split import SIXTY, Split, time_split

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Inputs:
    hunter_salary: Decimal
    farmer_salary: Decimal
    farmer_capacity: int  # hours a month


@dataclass(frozen=True)
class Observed:
    hybrids: int
    months: int  # months with logged hours
    hunting_minutes: int
    serving_minutes: int
    new_business_revenue: Decimal


@dataclass(frozen=True)
class WhatIf:
    inputs: Inputs
    observed: Observed
    serving_per_month: Decimal | None  # hours
    hunting_per_month: Decimal | None
    hours_freed: Decimal | None
    farmers: int | None
    revenue_per_hunting_hour: Decimal | None
    expected_revenue: Decimal | None  # a month
    payroll_now: Decimal
    payroll_split: Decimal | None
    added_payroll: Decimal | None
    balance: Decimal | None  # expected revenue − added payroll, a month

    @property
    def hunting_hours(self) -> Decimal:
        return _q(Decimal(self.observed.hunting_minutes) / SIXTY)

    @property
    def serving_hours(self) -> Decimal:
        return _q(Decimal(self.observed.serving_minutes) / SIXTY)


def _q(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def validate_inputs(inputs: Inputs) -> None:
    errors: dict[str, str] = {}
    for name in ("hunter_salary", "farmer_salary"):
        if getattr(inputs, name) < 0:
            errors[name] = _("A salary cannot be negative.")
    if inputs.farmer_capacity is None or inputs.farmer_capacity <= 0:
        errors["farmer_capacity"] = _("A farmer's capacity must be at least one hour a month.")
    if errors:
        raise ValidationError(errors)


def compute(observed: Observed, inputs: Inputs) -> WhatIf:
    """The what-if's arithmetic on observed figures (hours not yet rounded: exact minutes ÷ 60)."""
    validate_inputs(inputs)
    payroll_now = _q(inputs.hunter_salary * observed.hybrids)
    if observed.months == 0:
        return WhatIf(inputs, observed, None, None, None, None, None, None, payroll_now, None, None, None)
    serving = Decimal(observed.serving_minutes) / SIXTY / observed.months
    hunting = Decimal(observed.hunting_minutes) / SIXTY / observed.months
    farmers = math.ceil(serving / inputs.farmer_capacity)
    rate = None
    if observed.hunting_minutes:
        rate = _q(observed.new_business_revenue * SIXTY / observed.hunting_minutes)
    expected = None if rate is None else _q(_q(serving) * rate)
    added = _q(inputs.farmer_salary * farmers)
    return WhatIf(
        inputs=inputs,
        observed=observed,
        serving_per_month=_q(serving),
        hunting_per_month=_q(hunting),
        hours_freed=_q(serving),
        farmers=farmers,
        revenue_per_hunting_hour=rate,
        expected_revenue=expected,
        payroll_now=payroll_now,
        payroll_split=payroll_now + added,
        added_payroll=added,
        balance=None if expected is None else expected - added,
    )


def new_business_revenue(user: User, split: Split) -> Decimal:
    """Net of the invoices and credit notes issued in the split's window that are new business (the kind of sale),
    recorded on the split's hybrids (people-scoped like plan vs fact): one aggregate query."""
    people = [p.person.pk for p in split.people]
    if not people:
        return ZERO
    start, end = split.months[0], next_month(split.months[-1])
    net = (
        invoices_recorded_on(user, visible_people(user))
        .filter(manager_id__in=people, issued_on__gte=start, issued_on__lt=end)
        .annotate(sale_kind=sale_kind_of())
        .filter(sale_kind=SaleKind.NEW)
        .aggregate(net=Sum("net_total_base"))["net"]
    )
    return _q(ZERO if net is None else Decimal(str(net)))


def observe(user: User, split: Split) -> Observed:
    return Observed(
        hybrids=len(split.people),
        months=split.months_with_hours,
        hunting_minutes=split.hunting_minutes,
        serving_minutes=split.serving_minutes,
        new_business_revenue=new_business_revenue(user, split),
    )


def default_capacity(split: Split) -> int:
    """The hybrids' average monthly capacity, rounded down; the users' default when there is no hybrid."""
    people = [p.person for p in split.people]
    if not people:
        return User._meta.get_field("monthly_capacity_hours").default
    return sum(p.monthly_capacity_hours for p in people) // len(people)


def org_model(user: User, today=None) -> tuple[Split, Observed]:
    split = time_split(user, today=today)
    return split, observe(user, split)
