"""The hybrid's time split (issue 14, "hunter or farmer"): of the hours each hybrid logged a month, how many went
to hunting and how many to serving existing clients, and how the hunting share drifted.

Who is a hybrid: an active person who holds the sales manager's role *and* an account manager's role (account
manager or key account manager) — one person who both wins and keeps clients. Pure sellers and pure farmers
are not hybrids: the question "how much of his selling time drains into service" is about the people who do both.

Hours: `orbit.worktime.logged.logged_minutes` (done touches' durations and request time), the only source of
logged hours, by person, account and local month.

An hour on an account in month M is **hunting** when, in M, the account was being won:
- it is a prospect or being handed over today and has never been invoiced (Orbit keeps no history of statuses:
  today's status is used), or
- M is before the end of its first N months from its first invoice: M < (month of the first invoice) + N
  months (N = `settings.ORBIT_NEW_BUSINESS_MONTHS`, Orbit's default 3; months before the first invoice count
  as winning it), or
- a new-business opportunity was open on it during M (created by M's last day, not closed before M's first).
Every other hour is **serving**.

Drift: the least-squares slope of the monthly hunting share (percentage points a month) over the months with
logged hours, and the share's first and last values.

Visibility: people-scoped as plan vs fact (`orbit.growth.plan_fact.visible_people`): the head everyone, a lead
his people, a seller himself. Only sums per person and month leave this module.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _

from orbit.accounts.models import Account, AccountStatus
from orbit.common.charts import Chart, Series, month_label, months_back
from orbit.growth.models import Opportunity, OpportunityKind
from orbit.growth.plan_fact import visible_people
from orbit.growth.plans import next_month, previous_month
from orbit.org.models import Role, User
from orbit.revenue.models import Invoice, InvoiceKind
from orbit.worktime.logged import Logged, logged_minutes

HUNTING_STATUSES = (AccountStatus.PROSPECT, AccountStatus.HANDOFF)
SIXTY = Decimal(60)
HUNDRED = Decimal(100)


def add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / SIXTY).quantize(Decimal("0.01"))


@dataclass
class MonthSplit:
    month: dt.date
    hunting_minutes: int = 0
    serving_minutes: int = 0

    @property
    def minutes(self) -> int:
        return self.hunting_minutes + self.serving_minutes

    @property
    def hunting_hours(self) -> Decimal:
        return hours(self.hunting_minutes)

    @property
    def serving_hours(self) -> Decimal:
        return hours(self.serving_minutes)

    @property
    def share(self) -> Decimal | None:
        """Hunting share of the month's hours, % to 0.1; None without hours."""
        if not self.minutes:
            return None
        return (Decimal(self.hunting_minutes) * HUNDRED / self.minutes).quantize(Decimal("0.1"))


@dataclass
class PersonSplit:
    person: User
    months: list[MonthSplit]

    @property
    def hunting_minutes(self) -> int:
        return sum(m.hunting_minutes for m in self.months)

    @property
    def serving_minutes(self) -> int:
        return sum(m.serving_minutes for m in self.months)

    @property
    def total(self) -> MonthSplit:
        return MonthSplit(self.months[0].month, self.hunting_minutes, self.serving_minutes)

    @property
    def drift(self) -> Decimal | None:
        return drift([m.share for m in self.months])

    @property
    def first_share(self) -> Decimal | None:
        return next((m.share for m in self.months if m.share is not None), None)

    @property
    def last_share(self) -> Decimal | None:
        return next((m.share for m in reversed(self.months) if m.share is not None), None)


@dataclass
class Split:
    months: list[dt.date]
    people: list[PersonSplit]
    new_business_months: int
    everyone: list[MonthSplit] = field(default_factory=list)  # the people's sums per month

    @property
    def has_hours(self) -> bool:
        return any(m.minutes for m in self.everyone)

    @property
    def hunting_minutes(self) -> int:
        return sum(m.hunting_minutes for m in self.everyone)

    @property
    def serving_minutes(self) -> int:
        return sum(m.serving_minutes for m in self.everyone)

    @property
    def hunting_hours(self) -> Decimal:
        return hours(self.hunting_minutes)

    @property
    def serving_hours(self) -> Decimal:
        return hours(self.serving_minutes)

    @property
    def months_with_hours(self) -> int:
        return sum(1 for m in self.everyone if m.minutes)

    @property
    def drift(self) -> Decimal | None:
        return drift([m.share for m in self.everyone])


def drift(shares: list[Decimal | None]) -> Decimal | None:
    """Least-squares slope of the shares over their month index (pp a month, to 0.1), months without hours left
    out; None with fewer than two months."""
    points = [(Decimal(i), s) for i, s in enumerate(shares) if s is not None]
    if len(points) < 2:
        return None
    n = Decimal(len(points))
    zero = Decimal(0)
    mean_x = sum((x for x, _s in points), zero) / n
    mean_y = sum((y for _x, y in points), zero) / n
    num = sum(((x - mean_x) * (y - mean_y) for x, y in points), zero)
    den = sum(((x - mean_x) ** 2 for x, _y in points), zero)
    return Decimal(num / den).quantize(Decimal("0.1"))


def hybrids(user: User) -> list[User]:
    """The active hybrids `user` may see (see the module's note), by name."""
    people = visible_people(user)
    rows = (
        User.objects.filter(is_active=True, roles__role=Role.SALES_MANAGER)
        .filter(pk__in=User.objects.filter(roles__role__in=[Role.ACCOUNT_MANAGER, Role.KEY_ACCOUNT_MANAGER]))
        .distinct()
        .order_by("display_name", "username")
    )
    if people is not None:
        rows = rows.filter(pk__in=people)
    return list(rows)


@dataclass
class AccountFacts:
    """What decides whether work on an account was hunting, per account id."""

    never_invoiced_prospects: set[int]
    first_invoice: dict[int, dt.date]  # the month of the first invoice
    new_business_open: dict[int, list[tuple[dt.date, dt.date | None]]]  # (opened, closed) days


def first_invoice_months(account_ids: set[int]) -> dict[int, dt.date]:
    """account id -> the month of its first invoice (credit notes are not a first sale), any manager's."""
    rows = (
        Invoice.objects.filter(account_id__in=account_ids, kind=InvoiceKind.INVOICE)
        .values("account_id")
        .annotate(first=Min("issued_on"))
        .order_by()
    )
    return {r["account_id"]: r["first"].replace(day=1) for r in rows}


def account_facts(account_ids: set[int]) -> AccountFacts:
    """Three grouped queries over the accounts the visible people logged hours on."""
    first_invoice = first_invoice_months(account_ids)
    prospects = set(
        Account.objects.filter(pk__in=account_ids, status__in=HUNTING_STATUSES).values_list("pk", flat=True)
    )
    opened: dict[int, list[tuple[dt.date, dt.date | None]]] = {}
    rows = Opportunity.objects.filter(
        account_id__in=account_ids, kind=OpportunityKind.NEW_BUSINESS
    ).values_list("account_id", "created_at", "closed_on")
    for account_id, created_at, closed_on in rows:
        opened.setdefault(account_id, []).append((timezone.localdate(created_at), closed_on))
    return AccountFacts(prospects - set(first_invoice), first_invoice, opened)


def is_hunting(facts: AccountFacts, account_id: int, month: dt.date, n_months: int) -> bool:
    if account_id in facts.never_invoiced_prospects:
        return True
    first = facts.first_invoice.get(account_id)
    if first is not None and month < add_months(first, n_months):
        return True
    month_end = next_month(month) - dt.timedelta(days=1)
    return any(
        opened <= month_end and (closed is None or closed >= month)
        for opened, closed in facts.new_business_open.get(account_id, ())
    )


def window(today: dt.date, months: int = 12) -> list[dt.date]:
    """The `months` complete months before today's month, oldest first."""
    return months_back(previous_month(today.replace(day=1)), months)


def split_rows(
    rows: list[Logged], people: list[User], months: list[dt.date], facts: AccountFacts, n_months: int
) -> Split:
    index = {m: i for i, m in enumerate(months)}
    table = {p.pk: [MonthSplit(m) for m in months] for p in people}
    everyone = [MonthSplit(m) for m in months]
    for row in rows:
        cells = table.get(row.person_id)
        i = index.get(row.month)
        if cells is None or i is None:
            continue
        hunting = is_hunting(facts, row.account_id, row.month, n_months)
        for cell in (cells[i], everyone[i]):
            if hunting:
                cell.hunting_minutes += row.minutes
            else:
                cell.serving_minutes += row.minutes
    return Split(
        months=months,
        people=[PersonSplit(p, table[p.pk]) for p in people],
        new_business_months=n_months,
        everyone=everyone,
    )


def time_split(user: User, *, today: dt.date | None = None, months: int = 12) -> Split:
    """The split of the hybrids `user` may see over the `months` complete months before today's."""
    today = today or timezone.localdate()
    span = window(today, months)
    people = hybrids(user)
    n_months = settings.ORBIT_NEW_BUSINESS_MONTHS
    if not people:
        return Split(span, [], n_months, [MonthSplit(m) for m in span])
    rows = logged_minutes(span[0], next_month(span[-1]) - dt.timedelta(days=1), people=[p.pk for p in people])
    facts = account_facts({r.account_id for r in rows})
    return split_rows(rows, people, span, facts, n_months)


def split_chart(months: list[MonthSplit], title: str) -> Chart:
    return Chart(
        title=title,
        categories=[month_label(m.month) for m in months],
        series=[
            Series(_("Hunting, hours"), [m.hunting_hours for m in months], stack="hours"),
            Series(_("Serving, hours"), [m.serving_hours for m in months], stack="hours"),
        ],
        unit="number",
    )


def share_chart(split: Split) -> Chart:
    series = [Series(_("All hybrids"), [m.share for m in split.everyone], kind="line")]
    if len(split.people) > 1:
        series += [Series(str(p.person), [m.share for m in p.months], kind="line") for p in split.people]
    return Chart(
        title=_("Hunting share of the logged hours, %"),
        categories=[month_label(m) for m in split.months],
        series=series,
        unit="percent",
    )
