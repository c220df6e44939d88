"""Reads of the sales pipeline: the opportunity list with its totals, one opportunity with its stage history,
the kanban board, the weighted pipeline per manager or team, and the account card's open opportunities.

Every read starts from `Opportunity.objects.visible_to(user)`: an opportunity is seen by whoever sees its
account. Money is summed in the base currency (`amount_base`); the weighted amount of an opportunity is
amount_base × probability / 100, and a weighted sum is Σ(amount_base × probability) / 100 rounded to kopecks
once, at the end (so a sum never carries the rounding of its rows). Each page costs a fixed number of queries,
whatever the number of rows.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    QuerySet,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orbit.access import policy
from orbit.accounts.models import Account
from orbit.common.charts import Chart, Series
from orbit.growth.models import (
    LostReason,
    Opportunity,
    OpportunityKind,
    OpportunityStageChange,
    Pipeline,
    Stage,
    StageOutcome,
)
from orbit.growth.opportunities import default_pipeline
from orbit.org.models import Role, Team, User
from orbit.revenue.rates import base_currency
from orbit.revenue.selectors import team_subtree

ZERO = Decimal("0.00")
KOPECK = Decimal("0.01")
# Orbit's default: the first 25 cards of a board column (by expected close date); the rest are one "show more"
# link away, on the list filtered on that stage. Keeps the board's work bounded whatever the base's size.
BOARD_CARDS = 25
# Orbit's default: the account card lists the first 5 open opportunities (the figures cover all of them).
CARD_LIMIT = 5

_MONEY: DecimalField = DecimalField(max_digits=24, decimal_places=2)
# Σ(amount_base × probability): divided by 100 once, after summing.
WEIGHTED_X100 = ExpressionWrapper(F("amount_base") * F("probability"), output_field=_MONEY)


def weighted(sum_x100: Decimal | None) -> Decimal:
    """Σ(amount_base × probability) → the weighted sum in money, rounded half up to kopecks."""
    return ((sum_x100 or ZERO) / 100).quantize(KOPECK, rounding=ROUND_HALF_UP)


def _totals(rows: QuerySet) -> dict:
    return rows.order_by().aggregate(
        count=Count("id"),
        amount=Coalesce(Sum("amount_base"), Value(ZERO), output_field=_MONEY),
        weighted_x100=Coalesce(Sum(WEIGHTED_X100), Value(ZERO), output_field=_MONEY),
    )


# --- The list --------------------------------------------------------------------------------------------

STATUSES = tuple(StageOutcome.values)  # open, won, lost
# sort key -> column; "-key" sorts descending; ties by id so pages are stable.
SORTS = {
    "close": "expected_close_on",
    "title": "title",
    "account": "account__sort_name",
    "owner": "owner__display_name",
    "stage": "stage__position",
    "amount": "amount_base",
    "probability": "probability",
    "weighted": "weighted_x100",
}
DEFAULT_SORT = "close"


@dataclass
class Filters:
    pipeline: int | None = None
    stage: int | None = None
    kind: str = ""
    owner: int | None = None
    team: int | None = None
    status: str = StageOutcome.OPEN
    close_month: dt.date | None = None  # the first day of a month
    account: int | None = None
    sort: str = DEFAULT_SORT


def visible(user: User) -> QuerySet[Opportunity]:
    return Opportunity.objects.visible_to(user)


def filtered(user: User, filters: Filters) -> QuerySet[Opportunity]:
    """The visible opportunities that match the filters (unsorted, no joins): lists, sums and the board."""
    rows = visible(user)
    if filters.pipeline:
        rows = rows.filter(pipeline_id=filters.pipeline)
    if filters.stage:
        rows = rows.filter(stage_id=filters.stage)
    if filters.kind:
        rows = rows.filter(kind=filters.kind)
    if filters.owner:
        rows = rows.filter(owner_id=filters.owner)
    if filters.team:
        rows = rows.filter(owner__team_id__in=team_subtree(filters.team))
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.close_month:
        month = filters.close_month
        rows = rows.filter(expected_close_on__gte=month, expected_close_on__lt=next_month(month))
    if filters.account:
        rows = rows.filter(account_id=filters.account)
    return rows


def opportunity_list(user: User, filters: Filters) -> QuerySet[Opportunity]:
    key = filters.sort.lstrip("-")
    if key not in SORTS:
        key, filters.sort = DEFAULT_SORT, DEFAULT_SORT
    column = F(SORTS[key])
    first = column.desc() if filters.sort.startswith("-") else column.asc()
    rows = filtered(user, filters).annotate(weighted_x100=WEIGHTED_X100)
    return rows.select_related("account", "owner", "stage", "pipeline").order_by(first, "id")


@dataclass
class Totals:
    count: int
    amount: Decimal
    weighted: Decimal


def totals(user: User, filters: Filters) -> Totals:
    """Count, amount and weighted amount over every matching row (not only the page): one aggregate query."""
    found = _totals(filtered(user, filters))
    return Totals(found["count"], found["amount"], weighted(found["weighted_x100"]))


def next_month(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


# --- One opportunity ---------------------------------------------------------------------------------------


def opportunity_get(user: User, pk: int) -> Opportunity:
    """The opportunity if its account is one the user sees; 404 otherwise (existence does not leak)."""
    found = (
        visible(user)
        .select_related("account", "owner", "stage", "pipeline", "product_line", "lost_reason", "created_by")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def stage_history(user: User, opportunity: Opportunity) -> list[OpportunityStageChange]:
    """Its moves, oldest first."""
    return list(
        OpportunityStageChange.objects.visible_to(user)
        .filter(opportunity_id=opportunity.pk)
        .select_related("from_stage", "to_stage", "changed_by")
        .order_by("changed_at", "id")
    )


def pipeline_stages(pipeline_id: int) -> list[Stage]:
    return list(Stage.objects.filter(pipeline_id=pipeline_id).order_by("position"))


def lost_reasons() -> list[LostReason]:
    return list(LostReason.objects.order_by("name_ru"))


# --- The kanban board --------------------------------------------------------------------------------------


@dataclass
class Column:
    stage: Stage
    count: int = 0
    amount: Decimal = ZERO
    weighted: Decimal = ZERO
    cards: list[Opportunity] = field(default_factory=list)

    @property
    def more(self) -> int:
        return self.count - len(self.cards)


@dataclass
class Board:
    pipeline: Pipeline | None
    columns: list[Column]  # the open stages, in order
    won: Stage | None
    lost: Stage | None
    stages: list[Stage]  # every stage of the pipeline: the "Move to…" menu
    limit: int

    @property
    def is_empty(self) -> bool:
        return not any(column.count for column in self.columns)


def board_pipeline(user: User, pipeline_id: int | None) -> Pipeline | None:
    """The chosen pipeline, else Orbit's default for the person: a salesman (a hunter) his new business, everyone
    else account growth (the pipeline of the default kind, as `opportunities.default_pipeline` chooses)."""
    if pipeline_id:
        chosen = Pipeline.objects.filter(is_active=True, pk=pipeline_id).first()
        if chosen is not None:
            return chosen
    hunter = user.has_role(Role.SALES_MANAGER) and not user.has_role(
        Role.ACCOUNT_MANAGER, Role.KEY_ACCOUNT_MANAGER
    )
    return default_pipeline(OpportunityKind.NEW_BUSINESS if hunter else OpportunityKind.UPSELL)


def board(user: User, filters: Filters, *, limit: int = BOARD_CARDS) -> Board:
    """The open stages of one pipeline as columns: count, amount and weighted amount of every visible open
    opportunity in each (one grouped query), and each column's first `limit` cards by expected close date
    (for the head one LIMITed query per open stage on its index; for the others one ranked query, so their
    visibility condition is evaluated twice, not once per column)."""
    pipeline = board_pipeline(user, filters.pipeline)
    if pipeline is None:
        return Board(None, [], None, None, [], limit)
    stages = pipeline_stages(pipeline.pk)
    columns = {s.pk: Column(s) for s in stages if s.outcome == StageOutcome.OPEN}
    scope = Filters(
        pipeline=pipeline.pk,
        kind=filters.kind,
        owner=filters.owner,
        team=filters.team,
        status=StageOutcome.OPEN,
    )
    rows = filtered(user, scope)
    sums = (
        rows.values("stage_id")
        .annotate(
            count=Count("id"),
            amount=Sum("amount_base"),
            weighted_x100=Sum(WEIGHTED_X100),
        )
        .order_by()
    )
    for row in sums:
        column = columns.get(row["stage_id"])
        if column is not None:
            column.count, column.amount = row["count"], row["amount"]
            column.weighted = weighted(row["weighted_x100"])
    filled = [column for column in columns.values() if column.count]
    if policy.sees_everything(user):
        # No visibility condition: each column's first cards come straight from its partial index.
        for column in filled:
            column.cards = list(
                rows.filter(stage_id=column.stage.pk)
                .select_related("account", "owner")
                .order_by("expected_close_on", "id")[:limit]
            )
    elif filled:
        # The visibility condition (a join through the account) is the cost for everyone else: evaluated once
        # for every column's first cards, ranked within their stage, not once per column.
        place = Window(
            RowNumber(), partition_by=[F("stage_id")], order_by=[F("expected_close_on").asc(), F("id").asc()]
        )
        ranked = (
            rows.filter(stage_id__in=[column.stage.pk for column in filled])
            .annotate(place=place)
            .filter(place__lte=limit)
            .select_related("account", "owner")
            .order_by("stage_id", "expected_close_on", "id")
        )
        for card in ranked:
            columns[card.stage_id].cards.append(card)
    by_outcome = {s.outcome: s for s in stages if s.outcome != StageOutcome.OPEN}
    return Board(
        pipeline=pipeline,
        columns=list(columns.values()),
        won=by_outcome.get(StageOutcome.WON),
        lost=by_outcome.get(StageOutcome.LOST),
        stages=stages,
        limit=limit,
    )


# --- The weighted pipeline per manager or team -------------------------------------------------------------

BUCKETS = ("this_month", "next_month", "later")
BUCKET_LABELS = {
    "this_month": gettext_lazy("This month"),
    "next_month": gettext_lazy("Next month"),
    "later": gettext_lazy("Later"),
}
GROUPINGS = ("owner", "team")


@dataclass
class Cell:
    count: int = 0
    amount: Decimal = ZERO
    weighted_x100: Decimal = ZERO

    def add(self, other: "Cell") -> None:
        self.count += other.count
        self.amount += other.amount
        self.weighted_x100 += other.weighted_x100

    @property
    def weighted(self) -> Decimal:
        return weighted(self.weighted_x100)


@dataclass
class ForecastRow:
    key: int | None
    name: str
    buckets: dict[str, Cell] = field(default_factory=lambda: {b: Cell() for b in BUCKETS})
    total: Cell = field(default_factory=Cell)

    def add(self, bucket: str, cell: Cell) -> None:
        self.buckets[bucket].add(cell)
        self.total.add(cell)

    @property
    def cells(self) -> list[Cell]:
        return [self.buckets[b] for b in BUCKETS]


@dataclass
class Forecast:
    by: str
    rows: list[ForecastRow]
    total: ForecastRow
    months: dict[str, dt.date]  # this_month, next_month: their first days
    chart: Chart


def _bucket(today: dt.date):
    """An open opportunity's close month as a bucket: this month (an overdue date, still open, counts here:
    it is expected now), next month, later."""
    this = today.replace(day=1)
    following = next_month(this)
    return (
        Case(
            When(expected_close_on__lt=following, then=Value("this_month")),
            When(expected_close_on__lt=next_month(following), then=Value("next_month")),
            default=Value("later"),
        ),
        {"this_month": this, "next_month": following},
    )


def forecast_teams(user: User) -> list[Team]:
    """The teams a person may see a row for: all for those who see the whole base, else the teams he leads
    (with their subteams) and his own."""
    teams = Team.objects.order_by("name")
    if policy.sees_everything(user):
        return list(teams)
    ids = set(policy.led_team_ids(user))
    if user.team_id:
        ids.add(user.team_id)
    return list(teams.filter(pk__in=ids))


def weighted_pipeline(user: User, *, by: str, today: dt.date, filters: Filters | None = None) -> Forecast:
    """Open opportunities the user sees, per owner or per team (a team's row covers its subteams, so a parent
    team's row includes its children's), by expected close month: count, amount and weighted amount.
    One grouped query (owner × bucket), rolled up here over a few dozen people and teams."""
    by = by if by in GROUPINGS else "owner"
    case, months = _bucket(today)
    scope = filters or Filters()
    scope.status = StageOutcome.OPEN
    grouped = (
        filtered(user, scope)
        .annotate(bucket=case)
        .values("owner_id", "owner__display_name", "owner__team_id", "bucket")
        .annotate(count=Count("id"), amount=Sum("amount_base"), weighted_x100=Sum(WEIGHTED_X100))
        .order_by()
    )
    total = ForecastRow(None, _("Total"))
    rows: dict[int | None, ForecastRow] = {}
    cells = []
    for item in grouped:
        cell = Cell(item["count"], item["amount"], item["weighted_x100"])
        cells.append((item, cell))
        total.add(item["bucket"], cell)
    if by == "owner":
        for item, cell in cells:
            row = rows.setdefault(
                item["owner_id"], ForecastRow(item["owner_id"], item["owner__display_name"])
            )
            row.add(item["bucket"], cell)
        ordered = sorted(rows.values(), key=lambda r: (-r.total.weighted_x100, r.name))
    else:
        teams = forecast_teams(user)
        subtree = {team.pk: team_subtree(team.pk) for team in teams} if teams else {}
        ordered = []
        for team in teams:
            row = ForecastRow(team.pk, team.name)
            for item, cell in cells:
                if item["owner__team_id"] in subtree[team.pk]:
                    row.add(item["bucket"], Cell(cell.count, cell.amount, cell.weighted_x100))
            ordered.append(row)
    chart = Chart(
        title=_("Weighted pipeline by expected close month"),
        categories=[row.name for row in ordered],
        series=[
            Series(str(BUCKET_LABELS[b]), [row.buckets[b].weighted for row in ordered], stack="weighted")
            for b in BUCKETS
        ],
        currency=base_currency(),
    )
    return Forecast(by=by, rows=ordered, total=total, months=months, chart=chart)


# --- The account card --------------------------------------------------------------------------------------


@dataclass
class AccountOpportunities:
    account: Account
    items: list[Opportunity]  # the first CARD_LIMIT, by expected close date
    count: int
    amount: Decimal
    weighted: Decimal

    @property
    def more(self) -> int:
        return self.count - len(self.items)


def account_opportunities(user: User, account: Account, *, limit: int = CARD_LIMIT) -> AccountOpportunities:
    """The account's open opportunities the user sees, with their amount and weighted amount: two queries."""
    rows = visible(user).filter(account_id=account.pk, status=StageOutcome.OPEN)
    found = _totals(rows)
    items = list(rows.select_related("stage", "owner").order_by("expected_close_on", "id")[:limit])
    return AccountOpportunities(
        account=account,
        items=items,
        count=found["count"],
        amount=found["amount"],
        weighted=weighted(found["weighted_x100"]),
    )
