"""The KPI figures of each manager's portfolio for a period, and of each team (docs/managers-kpi.md).

Every figure is one grouped query over all managers (a fixed number of queries whatever their number): the
fair comparison needs every manager's figures to give the median of each one's peers, so the figures are
computed for everyone and only then narrowed to the people the reader may see
(`orbit.growth.plan_fact.visible_people`). Only totals per person, and the peers' medians and quartiles, leave
this module; the documents behind a figure are listed by `orbit.kpi.drilldown`, scoped the same way.

Definitions (the same documents as plan vs fact, `orbit/growth/plan_fact.py`, over the whole period):
- invoiced revenue and margin: invoices and credit notes issued in the period, recorded on their `manager`;
- paid revenue and margin: allocations of the money received in the period, recorded on the payment's
  `manager`, at `plan_fact.paid_share()`;
- plan: the sum of the person's monthly `SalesPlan` rows of the period's months;
- hours: the entries of `orbit.worktime.logged` (done touches' duration, request comments' minutes), by
  anyone, on the accounts while he was responsible for them: each entry is given to the account's responsible
  manager (ownership ledger) at the moment it was logged — before a handoff the old manager's, after it the
  new one's. Margin per hour = invoiced margin ÷ hours; no hours → no figure ("no hours logged").
- revenue by kind of sale: the invoiced net by `orbit.growth.sale_kinds.sale_kind_of`.
- logo retention and NRR: the accounts he was responsible for at the period's first moment, measured as
  `orbit.analytics.retention` measures a calendar month (trailing twelve months) at the period's last month
  (the last complete one when the period is not over).
- portfolio LTV: Σ `AccountMetrics.clv` of the accounts he is responsible for now.
- SLA: requests recorded on him (`Request.manager`) resolved in the period with a resolution due time: the
  share resolved by it; first response likewise.
- cadence: his accounts worked by a cadence (`orbit.activities.services.WORKED_STATUSES`) that a cadence rule
  covers (`orbit.activities.cadence`): the share with a done touch within the rule's days before the period's
  end (now, when the period is not over).
- reactivations won: reactivation cases of his closed as reactivated in the period.
- the portfolio (for the peers' band): his accounts now (not prospects): count, class A (analytics), key
  tier, Σ agreed budget (budgets in the base currency; others are counted as without a budget).
- share of wallet: the paid revenue in the period from his accounts with a budget ÷ their budgets prorated to
  the period (an agreed budget is a year's: × months / 12).
"""

import datetime as dt
import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Case,
    Count,
    DateTimeField,
    DecimalField,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone

from orbit.accounts.models import Account, AccountStatus, OwnershipPeriod, Tier
from orbit.activities import cadence
from orbit.activities.models import Touch, TouchStatus
from orbit.activities.services import WORKED_STATUSES
from orbit.analytics.models import (
    AccountMetrics,
    AnalyticsRun,
    ReactivationCase,
    ReactivationStatus,
    RunStatus,
)
from orbit.analytics.retention import month_index, month_of
from orbit.growth.models import SalesPlan
from orbit.growth.plan_fact import (
    SELLERS,
    PlanFigures,
    _subtrees,
    paid_share,
    visible_people,
    visible_team_ids,
)
from orbit.growth.sale_kinds import SaleKind, sale_kind_of
from orbit.kpi import peers as peer_math
from orbit.kpi.periods import Period
from orbit.org.models import Team, User
from orbit.requests.models import Request
from orbit.revenue.models import AccountRevenueMonth, Invoice, PaymentAllocation
from orbit.revenue.rates import base_currency
from orbit.worktime import logged

ZERO = Decimal("0.00")
_MONEY = DecimalField(max_digits=30, decimal_places=10)
TRAILING = 12  # the retention module's trailing window, months
# The kinds of sale the page shows, in its order: upsell and cross-sell are one column.
KIND_COLUMNS = ("new", "upsell", "renewal", "project", "reactivation", "repeat")
KIND_OF = {
    SaleKind.NEW: "new",
    SaleKind.UPSELL: "upsell",
    SaleKind.CROSS_SELL: "upsell",
    SaleKind.RENEWAL: "renewal",
    SaleKind.PROJECT: "project",
    SaleKind.REACTIVATION: "reactivation",
    SaleKind.REPEAT: "repeat",
}


def money(value) -> Decimal:
    return ZERO if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Share:
    """part of base: a percentage, None ("no figure") when the base is zero."""

    part: int
    base: int

    @property
    def percent(self) -> Decimal | None:
        if not self.base:
            return None
        return (Decimal(self.part) * 100 / Decimal(self.base)).quantize(Decimal("0.1"))

    def __add__(self, other: "Share") -> "Share":
        return Share(self.part + other.part, self.base + other.base)


@dataclass
class Kpi(PlanFigures):
    kind: str  # "person" or "team"
    pk: int
    name: str
    team_id: int | None = None
    team_name: str = ""
    plan_revenue: Decimal | None = None
    plan_margin: Decimal | None = None
    invoiced: Decimal = ZERO
    cost: Decimal = ZERO
    paid: Decimal = ZERO
    paid_margin: Decimal = ZERO
    minutes: int = 0
    by_kind: dict[str, Decimal] = field(default_factory=dict)
    retention: Share = field(default_factory=lambda: Share(0, 0))
    nrr_before: Decimal = ZERO  # net revenue of the base accounts, twelve months a year before
    nrr_after: Decimal = ZERO  # ... and of the last twelve months
    ltv: Decimal = ZERO
    ltv_accounts: int = 0
    sla_resolution: Share = field(default_factory=lambda: Share(0, 0))
    sla_first_response: Share = field(default_factory=lambda: Share(0, 0))
    cadence: Share = field(default_factory=lambda: Share(0, 0))
    reactivated: int = 0
    accounts: int = 0
    a_accounts: int = 0
    key_accounts: int = 0
    budget: Decimal = ZERO
    budget_accounts: int = 0
    wallet_paid: Decimal = ZERO
    months: dict[dt.date, list[Decimal]] = field(default_factory=dict)  # month -> [invoiced, paid]
    # Fair comparison (people only)
    band: tuple[int, ...] = ()
    fallback: bool = False
    peer_count: int = 0
    peer_margin_per_hour: peer_math.PeerStat | None = None
    peer_revenue: peer_math.PeerStat | None = None
    active: bool = True
    period_months: int = 1

    @property
    def hours(self) -> Decimal:
        return (Decimal(self.minutes) / 60).quantize(Decimal("0.01"))

    @property
    def margin_per_hour(self) -> Decimal | None:
        """Invoiced margin ÷ hours logged on the portfolio; None without hours (not infinity)."""
        if not self.minutes:
            return None
        return (self.margin * 60 / Decimal(self.minutes)).quantize(Decimal("0.01"))

    @property
    def nrr(self) -> Decimal | None:
        if self.nrr_before <= 0:
            return None
        return (self.nrr_after * 100 / self.nrr_before).quantize(Decimal("0.1"))

    @property
    def a_share(self) -> Decimal:
        return (
            (Decimal(self.a_accounts) * 100 / self.accounts).quantize(Decimal("0.1"))
            if self.accounts
            else ZERO
        )

    @property
    def key_share(self) -> Decimal:
        return (
            (Decimal(self.key_accounts) * 100 / self.accounts).quantize(Decimal("0.1"))
            if self.accounts
            else ZERO
        )

    @property
    def accounts_without_budget(self) -> int:
        return self.accounts - self.budget_accounts

    def prorated_budget(self, months: int) -> Decimal:
        return (self.budget * months / 12).quantize(Decimal("0.01"))

    def share_of_wallet(self, months: int) -> Decimal | None:
        budget = self.prorated_budget(months)
        if budget <= 0:
            return None
        return (self.wallet_paid * 100 / budget).quantize(Decimal("0.1"))

    @property
    def wallet_percent(self) -> Decimal | None:
        return self.share_of_wallet(self.period_months)

    @property
    def wallet_budget(self) -> Decimal:
        return self.prorated_budget(self.period_months)

    def features(self) -> peer_math.Features:
        return peer_math.Features(self.accounts, self.a_share, self.key_share, self.budget)

    def margin_vs_peers(self) -> Decimal | None:
        """His margin per hour as a percentage of his peers' median (the ranking's second key)."""
        mine, stat = self.margin_per_hour, self.peer_margin_per_hour
        if mine is None or stat is None or not stat.median or stat.median <= 0:
            return None
        return (mine * 100 / stat.median).quantize(Decimal("0.1"))


@dataclass
class KpiPage:
    period: Period
    people: list[Kpi]
    teams: list[Kpi]
    currency: str
    ltv_computed: bool
    retention_month: dt.date  # the last month of the trailing window
    cadence_at: dt.datetime
    managers_compared: int = 0  # everyone with a portfolio or figures, whom the peers are drawn from
    computed_at: dt.datetime | None = None  # when the figures come from a snapshot; None: computed now
    # Every manager's figures, the ranking's basis: never rendered (the views show `people` only).
    everyone: list[Kpi] = field(default_factory=list, repr=False)

    @property
    def month_count(self) -> int:
        return len(self.period.months)

    @property
    def is_empty(self) -> bool:
        return not any(
            r.invoiced or r.paid or r.minutes or r.accounts or r.plan_revenue is not None for r in self.people
        )


# --- the grouped reads (every manager; narrowed by the caller) ---------------------------------------------


def _revenue(period: Period, rows: dict[int, Kpi]) -> None:
    invoiced = (
        Invoice.objects.filter(issued_on__gte=period.start, issued_on__lt=period.end, manager__isnull=False)
        .values("manager_id", m=TruncMonth("issued_on"))
        .annotate(net=Sum("net_total_base"), cost=Sum("cost_total_base"))
        .order_by()
    )
    for r in invoiced:
        row = _row(rows, r["manager_id"])
        row.invoiced += money(r["net"])
        row.cost += money(r["cost"])
        row.months.setdefault(_month(r["m"]), [ZERO, ZERO])[0] += money(r["net"])
    margin = F("invoice__net_total_base") - F("invoice__cost_total_base")
    paid = (
        PaymentAllocation.objects.filter(
            payment__received_on__gte=period.start,
            payment__received_on__lt=period.end,
            payment__manager__isnull=False,
        )
        .values(manager_id=F("payment__manager_id"), m=TruncMonth("payment__received_on"))
        .annotate(net=Sum(paid_share()), margin=Sum(paid_share(margin)))
        .order_by()
    )
    for r in paid:
        row = _row(rows, r["manager_id"])
        row.paid += money(r["net"])
        row.paid_margin += money(r["margin"])
        row.months.setdefault(_month(r["m"]), [ZERO, ZERO])[1] += money(r["net"])
    # Share of wallet's numerator: the money of the accounts he holds now that have a budget in base currency.
    wallet = (
        PaymentAllocation.objects.filter(
            payment__received_on__gte=period.start,
            payment__received_on__lt=period.end,
            payment__manager_id=F("invoice__account__responsible_manager_id"),
            invoice__account__agreed_budget__isnull=False,
            invoice__account__budget_currency=base_currency(),
        )
        .values(manager_id=F("payment__manager_id"))
        .annotate(net=Sum(paid_share()))
        .order_by()
    )
    for r in wallet:
        _row(rows, r["manager_id"]).wallet_paid += money(r["net"])


def _plans(period: Period, rows: dict[int, Kpi]) -> dict[int, tuple[Decimal, Decimal]]:
    """Person plans onto the rows; team plans (summed over the period's months) returned."""
    teams: dict[int, tuple[Decimal, Decimal]] = {}
    grouped = (
        SalesPlan.objects.filter(month__gte=period.start, month__lt=period.end)
        .values("user_id", "team_id")
        .annotate(revenue=Sum("revenue"), margin=Sum("margin"))
        .order_by()
    )
    for r in grouped:
        if r["user_id"]:
            row = _row(rows, r["user_id"])
            row.plan_revenue, row.plan_margin = money(r["revenue"]), money(r["margin"])
        elif r["team_id"]:
            teams[r["team_id"]] = (money(r["revenue"]), money(r["margin"]))
    return teams


def responsible_at(moment: str, account: str = "account"):
    """The account's responsible manager at the row's `moment` (ownership ledger), as a subquery."""
    periods = OwnershipPeriod.objects.filter(
        Q(ended_at__isnull=True) | Q(ended_at__gt=OuterRef(moment)),
        account_id=OuterRef(account),
        started_at__lte=OuterRef(moment),
    )
    return Subquery(periods.values("manager_id")[:1])


def logged_entries(period: Period):
    """The two kinds of entry of `orbit.worktime.logged` in the period, each with its `responsible` manager."""
    touches, comments = logged.entries(*period.since_until())
    return (
        touches.annotate(responsible=responsible_at("happened_at")),
        comments.annotate(responsible=responsible_at("created_at", "request__account_id")),
    )


def _hours(period: Period, rows: dict[int, Kpi]) -> None:
    touches, comments = logged_entries(period)
    for qs, minutes in ((touches, "duration_minutes"), (comments, "minutes_spent")):
        grouped = qs.values("responsible").annotate(minutes=Sum(minutes)).order_by()
        for r in grouped:
            if r["responsible"] is not None:
                _row(rows, r["responsible"]).minutes += int(r["minutes"] or 0)


def _kinds(period: Period, rows: dict[int, Kpi]) -> None:
    # The kind is computed once per invoice in an inner query and grouped outside it (grouping by the CASE
    # itself would evaluate its subqueries again).
    inner = (
        Invoice.objects.filter(issued_on__gte=period.start, issued_on__lt=period.end, manager__isnull=False)
        .annotate(sale_kind=sale_kind_of())
        .values("manager_id", "sale_kind", "net_total_base")
    )
    sql, params = inner.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT k.manager_id, k.sale_kind, SUM(k.net_total_base) FROM ({sql}) k GROUP BY 1, 2", params
        )
        for manager_id, kind, net in cursor.fetchall():
            row = _row(rows, manager_id)
            column = KIND_OF.get(kind, "repeat")
            row.by_kind[column] = row.by_kind.get(column, ZERO) + money(net)


def retention_month(period: Period, today: dt.date) -> dt.date:
    """The month the portfolio's retention is measured at: the period's last, or the last complete one."""
    return month_of(min(month_index(period.months[-1]), month_index(today) - 1))


def _retention(period: Period, last: dt.date, rows: dict[int, Kpi]) -> None:
    """Per manager, over the accounts he held at the period's first moment: those with net revenue above zero
    over the twelve months a year before `last` (the base), those of them above zero over the twelve months to
    `last`, and both nets — `orbit.analytics.retention`'s calendar-month figures on his portfolio."""
    since, _until = period.since_until()
    idx = month_index(last)
    first_before, first_after = month_of(idx - 2 * TRAILING + 1), month_of(idx - TRAILING + 1)
    held = OwnershipPeriod._meta.db_table
    months = AccountRevenueMonth._meta.db_table
    # Each account's two twelve-month nets first (one pass over the months, grouped by account), then its
    # manager at the period's start: the join and the last grouping work on accounts, not on month rows.
    sql = f"""
        WITH r AS (
            SELECT m.account_id,
                SUM(CASE WHEN m.month < %(after)s THEN m.net_base ELSE 0 END) AS before,
                SUM(CASE WHEN m.month >= %(after)s THEN m.net_base ELSE 0 END) AS after
            FROM {months} m
            WHERE m.month >= %(before)s AND m.month <= %(last)s
            GROUP BY m.account_id
        )
        SELECT h.manager_id,
            SUM(CASE WHEN r.before > 0 THEN 1 ELSE 0 END),
            SUM(CASE WHEN r.before > 0 AND r.after > 0 THEN 1 ELSE 0 END),
            SUM(CASE WHEN r.before > 0 THEN r.before ELSE 0 END),
            SUM(CASE WHEN r.before > 0 THEN r.after ELSE 0 END)
        FROM r JOIN {held} h ON h.account_id = r.account_id
        WHERE h.started_at <= %(since)s AND (h.ended_at IS NULL OR h.ended_at > %(since)s)
        GROUP BY h.manager_id
    """
    params = {"since": since, "after": first_after, "before": first_before, "last": last}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for manager_id, base, kept, before, after in cursor.fetchall():
            row = _row(rows, manager_id)
            row.retention = Share(int(kept or 0), int(base or 0))
            row.nrr_before, row.nrr_after = money(before), money(after)


def _ltv(rows: dict[int, Kpi]) -> bool:
    """Σ predicted LTV of the accounts each one holds now; False when no analytics run has finished."""
    if not AnalyticsRun.objects.filter(status=RunStatus.DONE).exists():
        return False
    grouped = (
        AccountMetrics.objects.filter(account__responsible_manager__isnull=False, clv__isnull=False)
        .values(manager_id=F("account__responsible_manager_id"))
        .annotate(ltv=Sum("clv"), n=Count("account_id"))
        .order_by()
    )
    for r in grouped:
        row = _row(rows, r["manager_id"])
        row.ltv, row.ltv_accounts = money(r["ltv"]), r["n"]
    return True


def sla_filters(period: Period) -> tuple[Q, Q, Q, Q]:
    """(resolved in the period with a due time, ... by it, first responded in the period with a due time, ...
    by it): the SLA figures' rows."""
    since, until = period.since_until()
    resolved = Q(resolved_at__gte=since, resolved_at__lt=until, resolution_due__isnull=False)
    responded = Q(
        first_responded_at__gte=since, first_responded_at__lt=until, first_response_due__isnull=False
    )
    return (
        resolved,
        resolved & Q(resolved_at__lte=F("resolution_due")),
        responded,
        responded & Q(first_responded_at__lte=F("first_response_due")),
    )


def _sla(period: Period, rows: dict[int, Kpi]) -> None:
    resolved, resolved_in_time, responded, responded_in_time = sla_filters(period)
    grouped = (
        Request.objects.filter(resolved | responded)
        .values("manager_id")
        .annotate(
            resolved=Count("id", filter=resolved),
            resolved_ok=Count("id", filter=resolved_in_time),
            responded=Count("id", filter=responded),
            responded_ok=Count("id", filter=responded_in_time),
        )
        .order_by()
    )
    for r in grouped:
        row = _row(rows, r["manager_id"])
        row.sla_resolution = Share(r["resolved_ok"], r["resolved"])
        row.sla_first_response = Share(r["responded_ok"], r["responded"])


def _cadence_case(then, field) -> Case | Value:
    """One SQL CASE over the active cadence rules, most specific first (as `cadence.cadence_for` picks them):
    `then(rule)` for the first rule an account matches; NULL when none covers it."""
    whens = []
    for rule in cadence.policies():
        match = Q()
        if rule.tier:
            match &= Q(tier=rule.tier)
        if rule.segment_id:
            match &= Q(segment_id=rule.segment_id)
        if rule.status:
            match &= Q(status=rule.status)
        whens.append(When(match, then=then(rule)))
    if not whens:
        return Value(None, output_field=field)
    return Case(*whens, default=Value(None), output_field=field)


def cadence_moment(period: Period) -> dt.datetime:
    """Compliance is judged at the period's end, or now while it runs."""
    _since, until = period.since_until()
    return min(until, timezone.now())


def with_cadence(accounts, at: dt.datetime):
    """Accounts annotated with `cadence_days`, `last_done` (the last done touch by `at`) and `in_cadence` (1
    when it is within the days: on or after `at` − days). The cut-off of each rule is a constant of the CASE,
    so no interval arithmetic in SQL (the same on PostgreSQL and SQLite)."""
    last_done = (
        Touch.objects.filter(account_id=OuterRef("pk"), status=TouchStatus.DONE, happened_at__lte=at)
        .order_by("-happened_at")
        .values("happened_at")[:1]
    )

    days = _cadence_case(lambda rule: Value(rule.interval_days), IntegerField())
    cutoff = _cadence_case(lambda rule: Value(at - dt.timedelta(days=rule.interval_days)), DateTimeField())
    return accounts.annotate(
        cadence_days=days, cadence_cutoff=cutoff, last_done=Subquery(last_done)
    ).annotate(
        in_cadence=Case(
            When(last_done__gte=F("cadence_cutoff"), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    )


def portfolio_accounts():
    """The accounts a manager holds now, as his portfolio: every account but prospects."""
    return Account.objects.filter(responsible_manager__isnull=False).exclude(status=AccountStatus.PROSPECT)


def _portfolio(period: Period, rows: dict[int, Kpi]) -> None:
    base = base_currency()
    has_budget = Q(agreed_budget__isnull=False, budget_currency=base)
    grouped = (
        portfolio_accounts()
        .values("responsible_manager_id")
        .annotate(
            n=Count("id"),
            a=Count("id", filter=Q(metrics__abc="A")),
            key=Count("id", filter=Q(tier=Tier.KEY)),
            budget=Sum("agreed_budget", filter=has_budget),
            with_budget=Count("id", filter=has_budget),
        )
        .order_by()
    )
    for r in grouped:
        row = _row(rows, r["responsible_manager_id"])
        row.accounts, row.a_accounts, row.key_accounts = r["n"], r["a"], r["key"]
        row.budget, row.budget_accounts = money(r["budget"]), r["with_budget"]
    worked = with_cadence(portfolio_accounts().filter(status__in=WORKED_STATUSES), cadence_moment(period))
    grouped = (
        worked.filter(cadence_days__isnull=False)
        .values("responsible_manager_id")
        .annotate(n=Count("id"), ok=Sum("in_cadence"))
        .order_by()
    )
    for r in grouped:
        _row(rows, r["responsible_manager_id"]).cadence = Share(int(r["ok"] or 0), r["n"])


def _reactivations(period: Period, rows: dict[int, Kpi]) -> None:
    grouped = (
        ReactivationCase.objects.filter(
            status=ReactivationStatus.REACTIVATED, closed_on__gte=period.start, closed_on__lt=period.end
        )
        .values("manager_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for r in grouped:
        _row(rows, r["manager_id"]).reactivated = r["n"]


def _row(rows: dict[int, Kpi], pk: int) -> Kpi:
    row = rows.get(pk)
    if row is None:
        row = rows[pk] = Kpi(kind="person", pk=pk, name="")
    return row


def _month(value) -> dt.date:
    """TruncMonth's answer as a date (a datetime from SQLite, a date from PostgreSQL for a DateField)."""
    if isinstance(value, dt.datetime):
        return dt.date(value.year, value.month, 1)
    return value


# --- the page -------------------------------------------------------------------------------------------------


def everyone(period: Period, *, today: dt.date | None = None) -> tuple[dict[int, Kpi], dict, dict]:
    """Every manager's figures (not narrowed: for the peers), the team plans and the page's facts."""
    today = today or timezone.localdate()
    rows: dict[int, Kpi] = {}
    _revenue(period, rows)
    team_plans = _plans(period, rows)
    _hours(period, rows)
    _kinds(period, rows)
    last = retention_month(period, today)
    _retention(period, last, rows)
    computed = _ltv(rows)
    _sla(period, rows)
    _portfolio(period, rows)
    _reactivations(period, rows)
    return rows, team_plans, {"ltv_computed": computed, "retention_month": last}


def _compare(people: dict[int, Kpi]) -> None:
    """The peers of every seller with a portfolio or figures: band, fallback, medians and quartiles."""
    edges = peer_math.bands()
    band_by_person = {pk: peer_math.band_of(row.features(), edges) for pk, row in people.items()}
    groups = peer_math.peer_groups(band_by_person)
    per_hour = peer_math.compare({pk: r.margin_per_hour for pk, r in people.items()}, groups)
    revenue = peer_math.compare({pk: r.invoiced for pk, r in people.items()}, groups)
    for pk, row in people.items():
        row.band, row.fallback, row.peer_count = band_by_person[pk], groups[pk].fallback, len(groups[pk].ids)
        row.peer_margin_per_hour, row.peer_revenue = per_hour[pk], revenue[pk]


def kpi_page(
    user: User,
    period: Period,
    *,
    today: dt.date | None = None,
    team: int | None = None,
    person: int | None = None,
    stored: bool = False,
) -> KpiPage:
    """The KPI figures of the people (and teams) `user` may see, narrowed to a team's tree or one person; a
    team or person he may not see gives no rows (the views answer 404 for a person). With `stored`, every
    manager's figures come from a fresh snapshot when there is one, else are computed and stored
    (orbit/kpi/snapshots.py); without it they are computed now."""
    from orbit.kpi import snapshots

    today = today or timezone.localdate()
    allowed = visible_people(user)
    computed_at = None
    found = snapshots.load(period, today) if stored else None
    if found is not None:
        rows, team_plans, facts, computed_at = found
    else:
        started = time.perf_counter()
        rows, team_plans, facts = everyone(period, today=today)
        if stored:
            snapshots.store(period, today, rows, team_plans, facts, time.perf_counter() - started)
    # Who is a manager: active sellers, and anyone with figures in the period (a departed one keeps his month).
    users = (
        User.objects.filter(Q(is_active=True, roles__role__in=list(SELLERS)) | Q(pk__in=list(rows)))
        .values(
            "pk", "display_name", "first_name", "last_name", "username", "team_id", "team__name", "is_active"
        )
        .distinct()
    )
    people: dict[int, Kpi] = {}
    for u in users:
        pk = u["pk"]
        row = rows.get(pk) or Kpi(kind="person", pk=pk, name="")
        full = f"{u['first_name']} {u['last_name']}".strip()
        row.period_months = len(period.months)
        row.name = u["display_name"] or full or u["username"]  # as User.__str__
        row.team_id, row.team_name, row.active = u["team_id"], u["team__name"] or "", u["is_active"]
        people[pk] = row
    _compare(people)
    page = KpiPage(
        period=period,
        people=[],
        teams=[],
        currency=base_currency(),
        ltv_computed=facts["ltv_computed"],
        retention_month=facts["retention_month"],
        cadence_at=cadence_moment(period),
        managers_compared=len(people),
        everyone=list(people.values()),
        computed_at=computed_at,
    )
    teams = list(Team.objects.values("id", "name", "parent_id").order_by("name", "id"))
    subtrees = _subtrees(teams)
    shown_teams = visible_team_ids(user, subtrees)
    if allowed is not None and not allowed:
        return page
    tree: set[int] | None = None
    if team is not None:
        tree = subtrees.get(team, set()) if team in shown_teams else set()
        shown_teams &= tree
    if person is not None:
        allowed = {person} & allowed if allowed is not None else {person}
        shown_teams = set()
    shown = [
        row
        for row in people.values()
        if (allowed is None or row.pk in allowed) and (tree is None or row.team_id in tree)
    ]
    page.people = sorted(shown, key=lambda r: (r.name.lower(), r.pk))
    children = {t["id"]: t["parent_id"] for t in teams}
    listed = _listed_teams(children, shown_teams, team)
    for team_row in teams:
        if team_row["id"] in listed:
            members = [r for r in people.values() if r.team_id in subtrees[team_row["id"]]]
            page.teams.append(
                team_total(team_row["id"], team_row["name"], members, team_plans.get(team_row["id"]))
            )
    return page


def _listed_teams(parent_of: dict[int, int | None], shown: set[int], team: int | None) -> set[int]:
    """The teams the page lists: the chosen team and its direct sub-teams; without a choice, the highest
    teams the reader sees and their direct sub-teams (a click on a team goes one level down)."""
    if team is not None:
        return {t for t in shown if t == team or parent_of.get(t) == team}
    tops = {t for t in shown if parent_of.get(t) not in shown}
    return {t for t in shown if t in tops or parent_of.get(t) in tops}


def team_total(pk: int, name: str, members: list[Kpi], own_plan: tuple[Decimal, Decimal] | None) -> Kpi:
    """A team's figures: its people's sums (shares pooled: Σ parts ÷ Σ bases); its plan its own if set for the
    team, else the sum of its people's."""
    row = Kpi(kind="team", pk=pk, name=name, period_months=members[0].period_months if members else 1)
    planned = [m for m in members if m.plan_revenue is not None]
    if own_plan is not None:
        row.plan_revenue, row.plan_margin = own_plan
    elif planned:
        row.plan_revenue = sum((m.plan_revenue or ZERO for m in planned), ZERO)
        row.plan_margin = sum((m.plan_margin or ZERO for m in planned), ZERO)
    for m in members:
        row.invoiced += m.invoiced
        row.cost += m.cost
        row.paid += m.paid
        row.paid_margin += m.paid_margin
        row.minutes += m.minutes
        for kind, amount in m.by_kind.items():
            row.by_kind[kind] = row.by_kind.get(kind, ZERO) + amount
        row.retention += m.retention
        row.nrr_before += m.nrr_before
        row.nrr_after += m.nrr_after
        row.ltv += m.ltv
        row.ltv_accounts += m.ltv_accounts
        row.sla_resolution += m.sla_resolution
        row.sla_first_response += m.sla_first_response
        row.cadence += m.cadence
        row.reactivated += m.reactivated
        row.accounts += m.accounts
        row.a_accounts += m.a_accounts
        row.key_accounts += m.key_accounts
        row.budget += m.budget
        row.budget_accounts += m.budget_accounts
        row.wallet_paid += m.wallet_paid
        for month, (inv, paid) in m.months.items():
            pair = row.months.setdefault(month, [ZERO, ZERO])
            pair[0] += inv
            pair[1] += paid
    return row
