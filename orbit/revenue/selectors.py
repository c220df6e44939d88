"""Reads for the ledger's pages: the account card's revenue panel, the holding's roll-up, receivables and
invoices. Every read starts from what the user may see (`visible_to`, or an account `account_get` has already
let him see); monthly revenue comes from `AccountRevenueMonth`, never from the invoice lines, so a card costs
the same few queries for a client with ten invoices or ten thousand."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Min, Q, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orbit.accounts.models import Account
from orbit.accounts.selectors import holding_companies
from orbit.common.charts import Chart, Series, month_label, months_back
from orbit.common.models import name_field
from orbit.org.models import Team, User
from orbit.revenue import balances
from orbit.revenue.contracts import notice_deadline
from orbit.revenue.models import (
    AccountReceivable,
    AccountRevenueMonth,
    Contract,
    ContractStatus,
    Invoice,
    InvoiceKind,
    Order,
    OrderStatus,
    PaymentAllocation,
)
from orbit.revenue.rates import base_currency

# Orbit's defaults: two years of months on the card's chart (a year against the one before), twelve months
# for the "revenue" and "margin" figures, and the few open documents a card lists before "all of them".
CARD_MONTHS = 24
FIGURE_MONTHS = 12
CARD_LIST_LIMIT = 5
OPEN_ORDER_STATUSES = (OrderStatus.NEW, OrderStatus.CONFIRMED, OrderStatus.SHIPPED)
ZERO = Decimal("0.00")
# The ageing buckets as the issue names them ("0–30" is 1 to 30 days past due; on the due day it is "not due").
BUCKET_LABELS = [
    ("not_due", gettext_lazy("Not due")),
    ("d1_30", gettext_lazy("0–30 days")),
    ("d31_60", gettext_lazy("31–60 days")),
    ("d61_90", gettext_lazy("61–90 days")),
    ("d90_plus", gettext_lazy("90+ days")),
]


# --- Revenue by month -------------------------------------------------------------------------------------


@dataclass
class Revenue:
    chart: Chart
    revenue: Decimal  # net, base currency, the last FIGURE_MONTHS months (this one included)
    margin: Decimal
    has_any: bool  # anything in the chart's months at all

    @property
    def margin_percent(self) -> Decimal | None:
        return (self.margin * 100 / self.revenue).quantize(Decimal("0.1")) if self.revenue > 0 else None


def _line_name(row: dict) -> str:
    if row["product_line_id"] is None:
        return _("Other")
    return row[f"product_line__{name_field()}"]


def revenue_by_month(
    user: User, account_ids: Iterable[int], *, today: dt.date, months: int = CARD_MONTHS
) -> Revenue:
    """Net revenue by month stacked by product line, with the month's margin (net − cost) as a line; base
    currency; one grouped query over the monthly totals."""
    span = months_back(today, months)
    rows = list(
        AccountRevenueMonth.objects.visible_to(user)
        .filter(account_id__in=list(account_ids), month__gte=span[0], month__lte=span[-1])
        .values("month", "product_line_id", "product_line__name_ru", "product_line__name_en")
        .annotate(net=Sum("net_base"), cost=Sum("cost_base"))
        .order_by()
    )
    index = {month: i for i, month in enumerate(span)}
    by_line: dict[int | None, list[Decimal]] = {}
    names: dict[int | None, str] = {}
    margin = [ZERO] * len(span)
    for row in rows:
        values = by_line.setdefault(row["product_line_id"], [ZERO] * len(span))
        names[row["product_line_id"]] = _line_name(row)
        i = index[row["month"]]
        values[i] += row["net"]
        margin[i] += row["net"] - row["cost"]
    # The biggest line at the bottom of the stack, "Other" on top.
    order = sorted(by_line, key=lambda line: (line is None, -sum(by_line[line]), names[line]))
    series = [Series(names[line], by_line[line], stack="revenue") for line in order]
    series.append(Series(_("Margin"), margin, kind="line"))
    recent = slice(len(span) - FIGURE_MONTHS, None)
    chart = Chart(
        title=_("Revenue by month and product line, margin"),
        categories=[month_label(m) for m in span],
        series=series,
        currency=base_currency(),
    )
    revenue = sum((sum(values[recent], ZERO) for values in by_line.values()), ZERO)
    return Revenue(chart=chart, revenue=revenue, margin=sum(margin[recent], ZERO), has_any=bool(rows))


# --- Contracts and orders ---------------------------------------------------------------------------------


@dataclass
class ActiveContract:
    contract: Contract
    notice_by: dt.date | None  # the last day to give notice (renewal day − notice period)


def active_contracts(user: User, account_ids: Iterable[int]) -> list[ActiveContract]:
    contracts = (
        Contract.objects.visible_to(user)
        .filter(account_id__in=list(account_ids), status=ContractStatus.ACTIVE)
        .select_related("account")
        .order_by(F("ends_on").asc(nulls_last=True), "number")
    )
    return [ActiveContract(contract, notice_deadline(contract)) for contract in contracts]


def open_orders(user: User, account_ids: Iterable[int]) -> QuerySet[Order]:
    return (
        Order.objects.visible_to(user)
        .filter(account_id__in=list(account_ids), status__in=OPEN_ORDER_STATUSES)
        .select_related("account")
        .order_by(F("promised_on").asc(nulls_last=True), "received_at")
    )


def open_invoices(user: User, account_ids: Iterable[int]) -> QuerySet[Invoice]:
    return (
        Invoice.objects.visible_to(user)
        .filter(account_id__in=list(account_ids), kind=InvoiceKind.INVOICE, open_amount__gt=0)
        .order_by("due_on", "issued_on", "id")
    )


# --- The account card and the holding ---------------------------------------------------------------------


@dataclass
class MoneyPanel:
    revenue: Revenue
    balance: "balances.Balance"
    contracts: list[ActiveContract]
    orders: list[Order]
    orders_count: int
    invoices: list[Invoice]
    invoices_count: int
    today: dt.date

    @property
    def ageing(self) -> list[tuple[str, Decimal]]:
        """(label, open amount) per ageing bucket, oldest last."""
        return [(str(label), self.balance.buckets[key]) for key, label in BUCKET_LABELS]

    @property
    def is_empty(self) -> bool:
        b = self.balance
        return not (
            self.revenue.has_any
            or b.invoiced_base
            or b.paid_base
            or b.credit_base
            or self.contracts
            or self.orders_count
        )


def money_panel(user: User, account_ids: list[int], *, today: dt.date) -> MoneyPanel:
    """The money of one account or of a holding's visible companies, read through what `user` may see: a fixed
    number of queries."""
    orders = open_orders(user, account_ids)
    invoices = open_invoices(user, account_ids)
    order_list = list(orders[: CARD_LIST_LIMIT + 1])
    invoice_list = list(invoices.select_related("account")[: CARD_LIST_LIMIT + 1])
    return MoneyPanel(
        revenue=revenue_by_month(user, account_ids, today=today),
        balance=balances.account_balance(account_ids, today=today),
        contracts=active_contracts(user, account_ids),
        orders=order_list[:CARD_LIST_LIMIT],
        orders_count=len(order_list) if len(order_list) <= CARD_LIST_LIMIT else orders.count(),
        invoices=invoice_list[:CARD_LIST_LIMIT],
        invoices_count=len(invoice_list) if len(invoice_list) <= CARD_LIST_LIMIT else invoices.count(),
        today=today,
    )


@dataclass
class SubsidiaryRow:
    account: Account
    revenue: Decimal = ZERO
    margin: Decimal = ZERO
    open_base: Decimal = ZERO
    overdue_base: Decimal = ZERO


@dataclass
class HoldingMoney:
    root: Account
    panel: MoneyPanel
    rows: list[SubsidiaryRow]
    hidden: int  # companies of the holding the viewer may not see: left out of every figure
    totals: SubsidiaryRow = field(init=False)

    def __post_init__(self):
        self.totals = SubsidiaryRow(
            self.root,
            revenue=sum((r.revenue for r in self.rows), ZERO),
            margin=sum((r.margin for r in self.rows), ZERO),
            open_base=sum((r.open_base for r in self.rows), ZERO),
            overdue_base=sum((r.overdue_base for r in self.rows), ZERO),
        )


def holding_money(user: User, account: Account, *, today: dt.date) -> HoldingMoney | None:
    """The money of the holding the account belongs to, over the companies the user may see (archived ones
    too: their invoices are history the holding still has). None for a standalone account."""
    holding = holding_companies(user, account)
    if holding is None:
        return None
    accounts = {a.pk: a for a in holding.companies}
    ids = list(accounts)
    visible = Account.objects.visible_to(user).filter(pk__in=ids)
    rows = {pk: SubsidiaryRow(a) for pk, a in accounts.items()}
    first = months_back(today, FIGURE_MONTHS)[0]
    per_account = (
        AccountRevenueMonth.objects.visible_to(user)
        .filter(account_id__in=ids, month__gte=first)
        .values("account_id")
        .annotate(net=Sum("net_base"), cost=Sum("cost_base"))
        .order_by()
    )
    for item in per_account:
        rows[item["account_id"]].revenue = item["net"]
        rows[item["account_id"]].margin = item["net"] - item["cost"]
    owing_columns = ("pk", "open_base", "overdue_base")  # annotations of balances.receivables
    for pk, open_base, overdue_base in balances.receivables(visible, today=today).values_list(*owing_columns):
        rows[pk].open_base = open_base
        rows[pk].overdue_base = overdue_base
    # The top the user sees: the holding's parent company, or the highest subsidiary visible to him.
    root = next(a for a in accounts.values() if a.parent_id not in accounts)
    return HoldingMoney(
        root=root,
        panel=money_panel(user, ids, today=today),
        rows=sorted(rows.values(), key=lambda row: row.account.pk != root.pk),  # the top first, then by name
        hidden=holding.hidden,
    )


# --- Receivables ------------------------------------------------------------------------------------------

# sort key -> the column of AccountReceivable; "-key" sorts descending. Ties by name, then id, so pages are
# stable.
RECEIVABLE_SORTS = {
    "name": "account__sort_name",
    "manager": "account__manager_sort",
    "open": "open_base",
    "overdue": "overdue_base",
    **{bucket: bucket for bucket in balances.BUCKETS},
}
RECEIVABLE_DEFAULT_SORT = "-overdue"
RECEIVABLE_COLUMNS = ("open_base", "overdue_base", *balances.BUCKETS)


@dataclass
class ReceivableFilters:
    manager: int | None = None
    team: int | None = None
    overdue_only: bool = False
    sort: str = RECEIVABLE_DEFAULT_SORT


def team_subtree(team_id: int) -> set[int]:
    """The team and the teams under it (teams are a few dozen rows: one query, walked here)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in Team.objects.values_list("id", "parent_id"):
        children.setdefault(parent, []).append(pk)
    found, todo = set(), [team_id]
    while todo:
        pk = todo.pop()
        if pk not in found:
            found.add(pk)
            todo.extend(children.get(pk, []))
    return found


def receivables(user: User, filters: ReceivableFilters) -> QuerySet[AccountReceivable]:
    """The stored receivables rows (open, overdue and the ageing buckets in the base currency, aged on their
    `as_of`) of the accounts the user sees; the account and its manager come in the same query. Reading the
    summary, not the open invoices, keeps the page's cost independent of how many invoices are open."""
    rows = AccountReceivable.objects.visible_to(user)
    if filters.manager:
        rows = rows.filter(account__responsible_manager_id=filters.manager)
    if filters.team:
        rows = rows.filter(account__responsible_manager__team_id__in=team_subtree(filters.team))
    if filters.overdue_only:
        rows = rows.filter(overdue_base__gt=0)
    return rows.select_related("account", "account__responsible_manager").order_by(*receivable_order(filters))


def receivable_order(filters: ReceivableFilters) -> tuple[str, ...]:
    """The fields the list is sorted by: the chosen column, then the account's name, then its id (what a keyset
    page's cursor holds). Every one is a NOT NULL column (an account's sort_name and manager_sort are "" when
    empty), so a row comparison never meets a NULL. The money columns sort on their own indexes."""
    key = filters.sort.lstrip("-")
    first = ("-" if filters.sort.startswith("-") else "") + RECEIVABLE_SORTS[key]
    if key == "name":
        return (first, "account_id")
    return (first, "account__sort_name", "account_id")


def receivable_totals(rows: QuerySet[AccountReceivable]) -> dict:
    """The totals row over every listed account, not only the page, the earliest day the listed rows are aged
    at, and how many are listed (the paginator takes it instead of counting again): one aggregate query."""
    totals = rows.order_by().aggregate(
        listed=Count("account_id"),
        oldest_as_of=Min("as_of"),
        **{f"total_{c}": Sum(c) for c in RECEIVABLE_COLUMNS},
    )
    return {
        "count": totals["listed"],
        "as_of": totals["oldest_as_of"],
        **{c: totals[f"total_{c}"] or ZERO for c in RECEIVABLE_COLUMNS},
    }


# --- Invoices ---------------------------------------------------------------------------------------------

INVOICE_STATUSES = ("open", "overdue", "paid", "credit_notes")
# The list's order, newest first, the id breaking ties: what a keyset page's cursor holds. Served by the index
# revenue_invoice_recent (issued_on, id) for the whole list, and by (account, issued_on) / (manager, issued_on)
# for one account's or one manager's documents.
INVOICE_ORDER = ("-issued_on", "-id")


@dataclass
class InvoiceFilters:
    account: int | None = None
    manager: int | None = None
    status: str = ""


def invoice_list(user: User, filters: InvoiceFilters, *, today: dt.date) -> QuerySet[Invoice]:
    invoices = Invoice.objects.visible_to(user).select_related("account", "manager", "corrects")
    if filters.account:
        invoices = invoices.filter(account_id=filters.account)
    if filters.manager:
        invoices = invoices.filter(manager_id=filters.manager)
    if filters.status == "credit_notes":
        invoices = invoices.filter(kind=InvoiceKind.CREDIT_NOTE)
    elif filters.status:
        invoices = invoices.filter(kind=InvoiceKind.INVOICE)
        invoices = invoices.filter(
            {
                "open": Q(open_amount__gt=0),
                "overdue": Q(open_amount__gt=0, due_on__lt=today),
                "paid": Q(open_amount=0),
            }[filters.status]
        )
    return invoices.order_by(*INVOICE_ORDER)


def invoice_get(user: User, pk: int) -> Invoice:
    """The invoice or credit note if the user may see its account; 404 otherwise (existence does not leak)."""
    invoice = (
        Invoice.objects.visible_to(user)
        .select_related("account", "manager", "corrects", "order", "contract", "created_by")
        .filter(pk=pk)
        .first()
    )
    if invoice is None:
        raise Http404
    return invoice


@dataclass
class InvoicePage:
    invoice: Invoice
    lines: list
    credit_notes: list[Invoice]
    allocations: list[PaymentAllocation]
    overdue_days: int


def invoice_page(invoice: Invoice, *, today: dt.date) -> InvoicePage:
    overdue = (today - invoice.due_on).days if invoice.open_amount > 0 and invoice.due_on < today else 0
    return InvoicePage(
        invoice=invoice,
        lines=list(invoice.lines.select_related("product", "product_line")),
        credit_notes=list(invoice.credit_notes.order_by("issued_on", "id")),
        allocations=list(
            invoice.allocations.select_related("payment", "payment__manager").order_by(
                "payment__received_on", "id"
            )
        ),
        overdue_days=overdue,
    )
