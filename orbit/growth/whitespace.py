"""Whitespace: accounts × product lines — what each account buys, what it does not buy yet, and which of those
gaps somebody is already working (an open opportunity for that account and line).

Rules:
- The window is the last `months` calendar months ending with the current local month (`timezone.localdate()`),
  the current month included: 12 by default (Orbit's default, `WINDOW_MONTHS`), so on 2026-12-04 the window is
  2026-01-01 … 2026-12-31. Months are whole: a credit note issued on the window's first day counts, one issued
  the day before does not.
- "Bought" means the line's net revenue (`AccountRevenueMonth.net_base`, base currency, credit notes negative in
  their own month) summed over the window is above zero. A line whose invoices were credited back to zero or
  below in the window counts as **not bought**: the client kept nothing of it. Lines without a product line
  ("Other") are not a column: nobody can sell "other".
- A gap "with an open opportunity" has an open opportunity (status open) on that account with that product line.

Cost: the page reads one page of accounts first (the visible, filtered accounts in name order, on the
`sort_name` indexes), then one grouped query over `AccountRevenueMonth` for those account ids only (its
`(account, month)` index) and one over the open opportunities of those accounts (the `growth_opp_open_gap`
partial index). Nothing is aggregated over the whole scope per page load; coverage per line over the whole
scope (the share of the head's million accounts buying each line) would be such an aggregate, so the page does
not show it.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, Min, OuterRef, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from orbit.access.policy import visible_accounts
from orbit.accounts.models import Account, AccountStatus
from orbit.accounts.selectors import USER_FIELDS_NOT_LISTED, _sorted_after_search, search_q
from orbit.common.charts import months_back
from orbit.common.models import name_field
from orbit.growth.models import Opportunity, OpportunityKind, StageOutcome
from orbit.growth.opportunities import opportunity_create
from orbit.growth.permissions import require_sell
from orbit.org.models import User
from orbit.revenue.models import AccountRevenueMonth, ProductLine
from orbit.revenue.rates import base_currency
from orbit.revenue.selectors import team_subtree

# Orbit's defaults: a year of months (the current one included), the windows offered in the filter, and the
# expected close of an opportunity opened from a gap: a quarter from today.
WINDOW_MONTHS = 12
WINDOW_CHOICES = (3, 6, 12, 24, 36)
GAP_CLOSE_DAYS = 90
ZERO = Decimal("0.00")

BOUGHT, GAP, GAP_OPEN = "bought", "gap", "gap_open"
ACCOUNT_TEXTS_NOT_SHOWN = (
    "goals",
    "strategy",
    "investment_plans",
    "financial_indicators",
    "competitors",
    "switching_barriers",
    "search_text",
)


@dataclass(frozen=True)
class WhitespaceFilters:
    months: int = WINDOW_MONTHS
    segment: int | None = None
    tier: str = ""
    manager: int | None = None
    team: int | None = None
    gaps_in: int | None = None  # a product line: only the accounts that do not buy it in the window
    q: str = ""


@dataclass(frozen=True)
class Window:
    start: dt.date  # the first day of the first month
    last_month: dt.date  # the first day of the last (current) month
    months: int


def window_of(today: dt.date, months: int = WINDOW_MONTHS) -> Window:
    span = months_back(today, months)
    return Window(start=span[0], last_month=span[-1], months=months)


def product_lines() -> list[ProductLine]:
    """Every product line, by its name in the reader's language (a few rows)."""
    return list(ProductLine.objects.order_by(name_field(), "id"))


def _in_window(window: Window) -> dict:
    return {"month__gte": window.start, "month__lte": window.last_month}


def whitespace_accounts(user: User, filters: WhitespaceFilters, *, today: dt.date) -> QuerySet[Account]:
    """The live accounts the user sees, filtered, in name order (a search sorts its matches, as the account
    list does). The page's rows are a slice of this; their cells come from `whitespace_rows`."""
    accounts = visible_accounts(user)
    if filters.segment:
        accounts = accounts.filter(segment_id=filters.segment)
    if filters.tier:
        accounts = accounts.filter(tier=filters.tier)
    if filters.manager:
        accounts = accounts.filter(responsible_manager_id=filters.manager)
    if filters.team:
        accounts = accounts.filter(responsible_manager__team_id__in=team_subtree(filters.team))
    if filters.gaps_in:
        window = window_of(today, filters.months)
        # Correlated to an account the outer query already scoped to the user: no second visibility join.
        buys = (
            AccountRevenueMonth.objects.filter(
                account_id=OuterRef("pk"), product_line_id=filters.gaps_in, **_in_window(window)
            )
            .values("account_id")
            .annotate(net=Sum("net_base"))
            .filter(net__gt=0)
        )
        accounts = accounts.exclude(Exists(buys))
    order: tuple = ("sort_name", "id")
    if filters.q.strip():
        accounts = accounts.filter(search_q(filters.q))
        order = _sorted_after_search(order)
    # The manager's name is shown, never his password hash or login stamps; the account's long texts are not
    # shown either: none of them is selected.
    unread = [f"responsible_manager__{name}" for name in USER_FIELDS_NOT_LISTED] + list(
        ACCOUNT_TEXTS_NOT_SHOWN
    )
    return accounts.select_related("responsible_manager", "segment").defer(*unread).order_by(*order)


@dataclass
class Cell:
    line: ProductLine
    net: Decimal | None  # the line's net in the window; None: no revenue row at all
    opportunity_id: int | None = None  # the first open opportunity on this account and line

    @property
    def state(self) -> str:
        if self.net is not None and self.net > 0:
            return BOUGHT
        return GAP_OPEN if self.opportunity_id else GAP


@dataclass
class Row:
    account: Account
    cells: list[Cell]

    @property
    def bought(self) -> int:
        return sum(1 for cell in self.cells if cell.state == BOUGHT)


def _nets_and_openings(
    user: User, account_ids: list[int], window: Window
) -> tuple[dict[tuple[int, int], Decimal], dict[tuple[int, int], int]]:
    """Net per (account, line) in the window and the first open opportunity per (account, line): two grouped
    queries over the given accounts only."""
    nets = {
        (row["account_id"], row["product_line_id"]): row["net"]
        for row in AccountRevenueMonth.objects.visible_to(user)
        .filter(account_id__in=account_ids, product_line__isnull=False, **_in_window(window))
        .values("account_id", "product_line_id")
        .annotate(net=Sum("net_base"))
        .order_by()
    }
    openings = {
        (row["account_id"], row["product_line_id"]): row["first"]
        for row in Opportunity.objects.visible_to(user)
        .filter(account_id__in=account_ids, status=StageOutcome.OPEN, product_line__isnull=False)
        .values("account_id", "product_line_id")
        .annotate(first=Min("id"))
        .order_by()
    }
    return nets, openings


def whitespace_rows(
    user: User, accounts: list[Account], lines: list[ProductLine], window: Window
) -> list[Row]:
    """The cells of a page of accounts (already read through `visible_to`): two queries whatever the page size."""
    ids = [account.pk for account in accounts]
    if not ids:
        return []
    nets, openings = _nets_and_openings(user, ids, window)
    return [
        Row(
            account=account,
            cells=[
                Cell(
                    line=line,
                    net=nets.get((account.pk, line.pk)),
                    opportunity_id=openings.get((account.pk, line.pk)),
                )
                for line in lines
            ],
        )
        for account in accounts
    ]


# --- The account card: lines bought and not bought ------------------------------------------------------


@dataclass
class AccountLines:
    window: Window
    bought: list[Cell] = field(default_factory=list)  # biggest net first
    not_bought: list[Cell] = field(default_factory=list)  # in the lines' order; net ≤ 0 or none

    @property
    def total(self) -> Decimal:
        return sum((cell.net for cell in self.bought), ZERO)


def account_product_lines(
    user: User, account: Account, today: dt.date, *, months: int = WINDOW_MONTHS
) -> AccountLines:
    """For the card: the lines the account bought in the window (with their net) and those it did not (with an
    open opportunity where one exists). `account` has been read through `account_get`/`visible_to`."""
    window = window_of(today, months)
    (row,) = whitespace_rows(user, [account], product_lines(), window)
    result = AccountLines(window=window)
    for cell in row.cells:
        (result.bought if cell.state == BOUGHT else result.not_bought).append(cell)
    result.bought.sort(key=lambda cell: -cell.net)
    return result


# --- One click on a gap: an opportunity for that line ---------------------------------------------------


def gap_kind(account: Account) -> str:
    """The kind of an opportunity opened from a gap (Orbit's rule): a prospect has bought nothing yet — new
    business; a dormant or churned client is to be woken up — reactivation; any other client buys something
    and this is one more line — cross-sell."""
    if account.status == AccountStatus.PROSPECT:
        return OpportunityKind.NEW_BUSINESS
    if account.status in (AccountStatus.DORMANT, AccountStatus.CHURNED):
        return OpportunityKind.REACTIVATION
    return OpportunityKind.CROSS_SELL


def gap_title(account: Account, line: ProductLine) -> str:
    title = _("%(line)s for %(account)s") % {"line": line, "account": account.display_name}
    return title[:300]


@transaction.atomic
def open_gap_opportunity(
    *, by: User, account: Account, product_line: ProductLine, today: dt.date | None = None
) -> tuple[Opportunity, bool]:
    """Open an opportunity for a gap; (the opportunity, True), or (the open one already there, False).

    One open opportunity per account and line: the account row is locked first, so of two clicks at the same
    moment the second waits, then finds the first one's opportunity instead of opening a second. Defaults
    (Orbit's): the kind by `gap_kind`, the title "<line> for <account>", amount 0 in the base currency — the
    manager has not talked to the client yet, and a guessed figure would inflate the weighted pipeline his
    plan is compared with, so he enters it when he knows it — and the expected close GAP_CLOSE_DAYS ahead.
    Refusals: PermissionDenied (may not sell on the account), ValidationError (archived account).
    """
    require_sell(by, account)
    locked = Account.objects.select_for_update().get(pk=account.pk)
    if locked.archived_at is not None:
        raise ValidationError(
            _("The account is archived: restore it before working its opportunities."), code="archived"
        )
    existing = (
        Opportunity.objects.visible_to(by)
        .filter(account=locked, product_line=product_line, status=StageOutcome.OPEN)
        .order_by("id")
        .first()
    )
    if existing is not None:
        return existing, False
    today = today or timezone.localdate()
    opportunity = opportunity_create(
        by=by,
        account=locked,
        kind=gap_kind(locked),
        title=gap_title(locked, product_line),
        amount=ZERO,
        currency=base_currency(),
        expected_close_on=today + dt.timedelta(days=GAP_CLOSE_DAYS),
        product_line=product_line,
    )
    return opportunity, True
