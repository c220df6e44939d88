"""Reads of the stored analytics for a user: the figures of his scope, the accounts table, one account's figures.

Scope (docs/analytics-dashboard.md): a reader sees the figures of the accounts `visible_to` gives him. Whoever
sees every account and does not narrow reads the department's figures the run stored (`run.summary`: one row,
no scan of a million metrics); everyone else, and a narrowed view (a team with its subteams, one manager), gets
the figures computed from his visible `AccountMetrics` with `figures.summarise` — one query for the arrays.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, F, QuerySet

from orbit.access.policy import led_people, led_team_ids, sees_everything, visible_accounts
from orbit.accounts.models import Tier
from orbit.accounts.selectors import USER_FIELDS_NOT_LISTED, search_q
from orbit.analytics import figures
from orbit.analytics.compute import latest_run
from orbit.analytics.models import (
    AccountMetrics,
    AnalyticsRun,
    AnalyticsSettings,
    Basis,
    SegmentChange,
)
from orbit.common.pagination import CappedPaginator
from orbit.org.models import OWNER_ROLES, Team, User
from orbit.revenue.selectors import team_subtree

HISTORY_ROWS = 20  # the card shows the account's last changes; the changes page has the rest
TOO_NEW = "new"  # the xyz filter's value for "too new for XYZ" (stored as "")


def _run_settings(run: AnalyticsRun | None) -> dict:
    """The settings the run used; the current ones for what it did not record."""
    recorded = (run.params or {}).get("settings", {}) if run else {}
    current = None
    found = {}
    for name in ("basis", "window_months", "abc_a", "abc_b"):
        if name in recorded:
            found[name] = recorded[name]
        else:
            current = current or AnalyticsSettings.current()
            found[name] = getattr(current, name)
    return found


@dataclass(frozen=True)
class ScopeFigures:
    run: AnalyticsRun | None
    figures: dict  # figures.summarise(...) of the scope; {} when no run has finished
    basis: str = Basis.REVENUE
    window_months: int = 12
    thresholds: tuple[Decimal, Decimal] = (Decimal(80), Decimal(95))
    from_summary: bool = False  # the department's stored figures, not computed for this request

    @property
    def as_of(self) -> dt.date | None:
        return self.run.as_of if self.run else None


def _narrowed(rows: QuerySet, team: int | None, manager: int | None) -> QuerySet:
    if team:
        rows = rows.filter(account__responsible_manager__team_id__in=team_subtree(team))
    if manager:
        rows = rows.filter(account__responsible_manager_id=manager)
    return rows


def scope_rows(user: User, team: int | None = None, manager: int | None = None) -> QuerySet[AccountMetrics]:
    """The metrics rows the user sees, narrowed to a team (with its subteams) or a manager's accounts (by the
    account's responsible manager), always within what he sees."""
    return _narrowed(AccountMetrics.objects.visible_to(user), team, manager)


def scope_figures(user: User, team: int | None = None, manager: int | None = None) -> ScopeFigures:
    run = latest_run()
    if run is None:
        return ScopeFigures(run=None, figures={})
    params = _run_settings(run)
    common = {
        "run": run,
        "basis": params["basis"],
        "window_months": int(params["window_months"]),
        "thresholds": (Decimal(str(params["abc_a"])), Decimal(str(params["abc_b"]))),
    }
    if sees_everything(user) and not team and not manager and "pareto" in (run.summary or {}):
        return ScopeFigures(figures=run.summary, from_summary=True, **common)
    total = "window_margin" if params["basis"] == Basis.MARGIN else "window_revenue"
    rows = scope_rows(user, team, manager).values_list(total, "abc", "xyz", "rfm_segment", "account__tier")
    columns = list(zip(*rows, strict=True)) or [(), (), (), (), ()]
    totals, abc, xyz, segment, tier = columns
    scope = figures.Scope.of(
        [int(value * 100) for value in totals], abc, xyz, segment, [t == Tier.KEY for t in tier]
    )
    return ScopeFigures(figures=figures.summarise(scope), **common)


@dataclass(frozen=True)
class ScopeChoices:
    """Whom the user may narrow the figures to: the head every team and manager, a lead his teams and their
    people, a manager nobody (his figures are his own)."""

    teams: list[tuple[int, str]] = field(default_factory=list)
    managers: list[tuple[int, str]] = field(default_factory=list)


def scope_choices(user: User) -> ScopeChoices:
    owners = User.objects.filter(is_active=True, roles__role__in=OWNER_ROLES).distinct()
    if sees_everything(user):
        teams = Team.objects.all()
    elif led_team_ids(user):
        teams = Team.objects.filter(pk__in=led_team_ids(user))
        owners = owners.filter(pk__in=led_people(user))
    else:
        return ScopeChoices()
    return ScopeChoices(
        teams=list(teams.order_by("name").values_list("id", "name")),
        managers=list(owners.order_by("display_name").values_list("id", "display_name")),
    )


# The accounts table ---------------------------------------------------------------------------------------------

# Sort keys → order. Money sorts put the largest first on the "-" key and walk the stored indexes (window revenue,
# clv with nulls last); the account id breaks ties so pages do not overlap.
SORTS = {
    "revenue": (F("window_revenue").asc(), "account_id"),
    "-revenue": (F("window_revenue").desc(), "-account_id"),
    "margin": (F("window_margin").asc(), "account_id"),
    "-margin": (F("window_margin").desc(), "-account_id"),
    "clv": (F("clv").asc(nulls_last=True), "account_id"),
    "-clv": (F("clv").desc(nulls_last=True), "-account_id"),
    "p_alive": (F("p_alive").asc(nulls_last=True), "account_id"),
    "-p_alive": (F("p_alive").desc(nulls_last=True), "-account_id"),
    "margin_to_date": (F("margin_to_date").asc(), "account_id"),
    "-margin_to_date": (F("margin_to_date").desc(), "-account_id"),
    "last_purchase": (F("last_purchase_on").asc(nulls_last=True), "account_id"),
    "-last_purchase": (F("last_purchase_on").desc(nulls_last=True), "-account_id"),
    "name": (F("account__sort_name").asc(), "account_id"),
    "-name": (F("account__sort_name").desc(), "-account_id"),
}
DEFAULT_SORT = "-revenue"


@dataclass(frozen=True)
class MetricsFilters:
    abc: str = ""  # "A" … "D"
    xyz: str = ""  # "X", "Y", "Z", or TOO_NEW
    segment: str = ""  # an RFM segment code
    dormant: bool | None = None
    manager: int | None = None
    team: int | None = None
    q: str = ""  # name or INN

    @classmethod
    def with_cell(cls, cell: str, **fields) -> "MetricsFilters":
        """A heatmap cell ("AX", "A" for A too new for XYZ, "D") as the abc and xyz filters."""
        cell = (cell or "").upper()
        if cell[:1] in figures.CLASSES:
            fields["abc"] = cell[0]
            if cell[0] != "D":
                fields["xyz"] = cell[1:2] if cell[1:2] in ("X", "Y", "Z") else TOO_NEW
        return cls(**fields)

    @property
    def any(self) -> bool:
        return bool(
            self.abc
            or self.xyz
            or self.segment
            or self.dormant is not None
            or self.manager
            or self.team
            or self.q
        )


def metrics_list(user: User, filters: MetricsFilters, sort: str = DEFAULT_SORT) -> QuerySet[AccountMetrics]:
    """The visible metrics rows, filtered and sorted, with their account and its manager in the same query."""
    rows = scope_rows(user, filters.team, filters.manager)
    if filters.abc:
        rows = rows.filter(abc=filters.abc)
    if filters.xyz == TOO_NEW:  # stored as "", like D's and the classless: only A, B, C too new for XYZ
        rows = rows.filter(xyz="", abc__in=("A", "B", "C"))
    elif filters.xyz:
        rows = rows.filter(xyz=filters.xyz)
    if filters.segment:
        rows = rows.filter(rfm_segment=filters.segment)
    if filters.dormant is not None:
        rows = rows.filter(is_dormant=filters.dormant)
    if filters.q.strip():
        rows = rows.filter(
            account__in=visible_accounts(user, include_archived=True).filter(search_q(filters.q))
        )
    # The manager's name is shown, never his password hash or login stamps.
    rows = rows.select_related("account", "account__responsible_manager").defer(
        *(f"account__responsible_manager__{name}" for name in USER_FIELDS_NOT_LISTED),
        "account__search_text",
        "account__goals",
        "account__strategy",
        "account__investment_plans",
        "account__financial_indicators",
        "account__competitors",
        "account__switching_barriers",
    )
    return rows.order_by(*SORTS.get(sort, SORTS[DEFAULT_SORT]))


def metrics_page(user: User, filters: MetricsFilters, sort: str = DEFAULT_SORT, page=1):
    """One page of the accounts table (CappedPaginator: counting stops at the cap)."""
    rows = metrics_list(user, filters, sort)
    return CappedPaginator(rows, settings.ORBIT_PAGE_SIZE).get_page(page)


# The RFM grid ----------------------------------------------------------------------------------------------------


def rfm_grid(
    user: User, team: int | None = None, manager: int | None = None, *, run: AnalyticsRun | None = None
) -> dict[tuple[int, int], int]:
    """Accounts per (R, F) score pair over the scope: one grouped count (at most 25 rows back), or for whoever
    sees everything without narrowing the run's stored grid when it has one (`summary["rfm_grid"]`: [r, f, n]
    triples), so the head's page does not count a million rows."""
    stored = (run.summary or {}).get("rfm_grid") if run else None
    if stored is not None and sees_everything(user) and not team and not manager:
        return {(int(r), int(f)): int(n) for r, f, n in stored}
    rows = (
        scope_rows(user, team, manager)
        .filter(recency__isnull=False, frequency__isnull=False)
        .values_list("recency", "frequency")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {(r, f): n for r, f, n in rows}


# One account -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountFigures:
    metrics: AccountMetrics | None
    changes: list[SegmentChange]


def account_figures(user: User, account) -> AccountFigures:
    """The account's figures and its last segment changes, newest first (the caller has checked the account is
    one the user sees; the reads are scoped all the same)."""
    metrics = AccountMetrics.objects.visible_to(user).filter(account_id=account.pk).first()
    changes = list(
        SegmentChange.objects.visible_to(user)
        .filter(account_id=account.pk)
        .order_by("-on", "-id")[:HISTORY_ROWS]
    )
    return AccountFigures(metrics=metrics, changes=changes)
