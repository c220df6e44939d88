"""Request and response shapes of the revenue API: invoices, credit notes, payments, balances, the catalog and
currency rates. Money, quantities, percents and rates use the exact types of orbit.api.schemas (a JSON number or
a string in, a decimal string out)."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.conf import settings
from django.utils import timezone
from ninja import Field, Schema
from pydantic import ConfigDict

from orbit.api.schemas import (
    MAX_OFFSET,
    AccountRef,
    Amount,
    CurrencyValue,
    Day,
    Id,
    Money,
    Percent,
    Quantity,
    Rate,
    ReferenceOut,
    Text,
    UserRef,
)
from orbit.revenue.models import InvoiceKind, PriceSource, VatCategory

InvoiceKindValue = Literal[tuple(InvoiceKind.values)]  # type: ignore[valid-type]
VatCategoryValue = Literal[tuple(VatCategory.values)]  # type: ignore[valid-type]
PriceSourceValue = Literal[tuple(PriceSource.values)]  # type: ignore[valid-type]

MAX_LINES = 1000  # Orbit's bound on the lines of one pushed document: far beyond any real invoice
MAX_RATES = 50  # a day's rates of every currency Orbit knows, with room to spare


def _limit():
    return Field(settings.ORBIT_PAGE_SIZE, ge=1, le=settings.ORBIT_MAX_PAGE_SIZE)


def _offset():
    return Field(0, ge=0, le=MAX_OFFSET)


# --- catalog ----------------------------------------------------------------------------------------------


class ProductRef(Schema):
    id: int
    sku: str
    name: str


class ProductPriceOut(Schema):
    currency: CurrencyValue
    valid_from: dt.date
    price: Money = Field(description="The list price, net of VAT.")
    cost: Money


class ProductOut(Schema):
    id: int
    sku: str
    name: str
    product_line: ReferenceOut
    unit: str
    vat_category: VatCategoryValue
    is_active: bool = Field(description="On sale.")
    prices: list[ProductPriceOut] = Field(
        description="The price list in force on the day asked (`on`, today by default): one per currency."
    )

    @staticmethod
    def resolve_prices(obj) -> list:
        latest: dict[str, object] = {}
        for price in obj.prices_on:  # prefetched, newest first within a currency
            latest.setdefault(price.currency, price)
        return list(latest.values())


class ProductPage(Schema):
    count: int = Field(description="Products matching, counted up to a cap.")
    count_exact: bool
    limit: int
    offset: int
    items: list[ProductOut]


class ProductQuery(Schema):
    q: Text = Field("", max_length=200, description="Words of the name or the article (SKU).")
    product_line: list[Id] = Field(default_factory=list, description="Product line ids.")
    active: bool | None = Field(None, description="true: on sale only; false: withdrawn only.")
    on: Day | None = Field(None, description="The day of the prices shown; today if left out.")
    limit: int = _limit()
    offset: int = _offset()


# --- currency rates ---------------------------------------------------------------------------------------


class CurrencyRateOut(Schema):
    id: int
    currency: CurrencyValue
    day: dt.date
    rate: Rate = Field(description="Units of the base currency per unit of `currency`, from `day` on.")
    source: str


class CurrencyRatePage(Schema):
    count: int = Field(description="Rates matching, counted up to a cap.")
    count_exact: bool
    limit: int
    offset: int
    items: list[CurrencyRateOut]


class CurrencyRateQuery(Schema):
    currency: list[CurrencyValue] = Field(default_factory=list)
    day_from: Day | None = None
    day_to: Day | None = None
    limit: int = _limit()
    offset: int = _offset()


class RateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    currency: CurrencyValue
    rate: Rate = Field(description="Units of the base currency per unit; above zero.")


class CurrencyRatesIn(Schema):
    model_config = ConfigDict(extra="forbid")

    day: Day
    rates: list[RateIn] = Field(
        max_length=MAX_RATES, description="A rate replaces that currency's rate of the day."
    )
    source: Text = Field("", max_length=60, description="Where the rates come from, e.g. «ЦБ РФ».")


# --- invoices and credit notes ----------------------------------------------------------------------------


class LineIn(Schema):
    """A product by `product` id or `sku` (its price, discount, cost and VAT from the catalog and the client's
    agreements unless given), or a free line: `description`, `unit_price` and `vat_category`."""

    model_config = ConfigDict(extra="forbid")

    product: Id | None = Field(None, description="Product id.")
    sku: Text | None = Field(None, max_length=60, description="The product's article, instead of its id.")
    description: Text = Field("", max_length=300)
    quantity: Quantity = Field(
        Decimal(1), description="Positive on an invoice; negative on a credit note (the quantity taken back)."
    )
    unit_price: Amount | None = Field(None, description="Net of VAT; from the price list if left out.")
    discount_percent: Percent | None = Field(None, description="From the client's agreements if left out.")
    unit_cost: Amount | None = Field(None, description="From the price list if left out.")
    vat_category: VatCategoryValue | None = Field(None, description="The product's if left out.")


class _Pushed(Schema):
    number: Text = Field("", max_length=60, description="Orbit numbers the document if left out.")
    lines: list[LineIn] = Field(max_length=MAX_LINES)
    external_id: Text = Field(
        "",
        max_length=100,
        description="The pushing system's id: the same id pushed again with the same content returns the "
        "existing document (200), with other content 409.",
    )
    note: Text = Field("", max_length=500)


class InvoiceIn(_Pushed):
    model_config = ConfigDict(extra="forbid")

    account: Id = Field(description="Account id; must be visible to you and yours to bill.")
    issued_on: Day
    due_on: Day | None = Field(None, description="Per the payment terms if left out.")
    currency: CurrencyValue


class CreditNoteIn(_Pushed):
    model_config = ConfigDict(extra="forbid")

    issued_on: Day


class CreditNoteRef(Schema):
    id: int
    number: str
    issued_on: dt.date
    total: Money = Field(description="Negative.")


class InvoiceAllocationOut(Schema):
    id: int
    payment_id: int
    received_on: dt.date
    amount: Money

    @staticmethod
    def resolve_received_on(obj) -> dt.date:
        return obj.payment.received_on


class InvoiceLineOut(Schema):
    id: int
    product: ProductRef | None
    product_line_id: int | None
    description: str
    quantity: Quantity
    unit_price: Money
    discount_percent: Percent
    price_source: PriceSourceValue
    net_amount: Money
    vat_category: VatCategoryValue
    vat_percent: Percent | None = Field(description="null: without VAT.")
    vat_amount: Money
    total_amount: Money
    unit_cost: Money
    cost_amount: Money
    net_amount_base: Money
    cost_amount_base: Money


class InvoiceListItem(Schema):
    id: int
    kind: InvoiceKindValue
    number: str
    account: AccountRef
    issued_on: dt.date
    due_on: dt.date
    currency: CurrencyValue
    rate: Rate = Field(description="To the base currency on `issued_on`.")
    net_total: Money
    vat_total: Money
    total: Money
    total_base: Money
    credited_total: Money = Field(description="By credit notes (positive).")
    paid_total: Money = Field(description="Allocated payments.")
    open_amount: Money = Field(description="What is left to pay; 0 on a credit note.")
    days_overdue: int = Field(description="Days past `due_on` while something is open; 0 otherwise.")
    manager: UserRef | None = Field(description="The account's responsible manager on `issued_on`.")
    corrects_id: int | None = Field(description="The invoice a credit note corrects.")
    external_id: str
    note: str
    created_at: dt.datetime

    @staticmethod
    def resolve_days_overdue(obj) -> int:
        if obj.open_amount <= 0:
            return 0
        return max((timezone.localdate() - obj.due_on).days, 0)


class InvoiceDetail(InvoiceListItem):
    net_total_base: Money
    cost_total_base: Money
    order_id: int | None
    contract_id: int | None
    lines: list[InvoiceLineOut]
    credit_notes: list[CreditNoteRef] = Field(description="Credit notes that correct this invoice.")
    allocations: list[InvoiceAllocationOut] = Field(description="Payments allocated to this invoice.")

    @staticmethod
    def resolve_lines(obj) -> list:
        return list(obj.lines.all())

    @staticmethod
    def resolve_credit_notes(obj) -> list:
        return list(obj.credit_notes.all())

    @staticmethod
    def resolve_allocations(obj) -> list:
        return list(obj.allocations.all())


class InvoicePage(Schema):
    count: int = Field(description="Documents matching the filters that you may see, counted up to a cap.")
    count_exact: bool = Field(description="False when more match than `count`: narrow the filters.")
    limit: int
    offset: int
    items: list[InvoiceListItem]


class InvoiceQuery(Schema):
    account: Id | None = Field(None, description="Documents of this account.")
    manager: list[Id] = Field(
        default_factory=list, description="Responsible managers on the document's date."
    )
    kind: list[InvoiceKindValue] = Field(default_factory=list, description="Invoices, credit notes or both.")
    open: bool | None = Field(None, description="true: something is left to pay; false: settled.")
    overdue: bool | None = Field(None, description="true: open and past due today; false: not overdue.")
    issued_from: Day | None = None
    issued_to: Day | None = None
    external_id: Text = Field("", max_length=100, description="The document a system pushed with this id.")
    limit: int = _limit()
    offset: int = _offset()


# --- payments ---------------------------------------------------------------------------------------------


class AllocationIn(Schema):
    model_config = ConfigDict(extra="forbid")

    invoice: Id = Field(description="An open invoice of the payment's account, in its currency.")
    amount: Amount = Field(description="Positive; at most what is open on the invoice.")


class AllocationAddIn(Schema):
    model_config = ConfigDict(extra="forbid")

    invoice: Id = Field(description="An open invoice of the payment's account, in its currency.")
    amount: Amount | None = Field(
        None, description="Positive; left out: as much as both the invoice and the payment allow."
    )


class PaymentIn(Schema):
    model_config = ConfigDict(extra="forbid")

    account: Id = Field(description="Account id; must be visible to you and yours to bill.")
    received_on: Day
    amount: Amount = Field(
        description="Positive. More than is open stays the client's credit (`unallocated`)."
    )
    currency: CurrencyValue
    reference: Text = Field("", max_length=100, description="The payment document, e.g. «п/п № 512».")
    external_id: Text = Field(
        "",
        max_length=100,
        description="The pushing system's id: pushed again with the same content returns the existing payment "
        "(200), with other content 409.",
    )
    note: Text = Field("", max_length=500)
    allocations: list[AllocationIn] | None = Field(
        None,
        max_length=MAX_LINES,
        description="Explicit allocations; left out: to the account's open invoices in the payment's currency, "
        "oldest due first; []: all of it stays the client's credit.",
    )


class InvoiceRef(Schema):
    id: int
    number: str


class PaymentAllocationOut(Schema):
    id: int
    invoice: InvoiceRef
    amount: Money
    created_at: dt.datetime


class PaymentOut(Schema):
    id: int
    account: AccountRef
    received_on: dt.date
    amount: Money
    currency: CurrencyValue
    rate: Rate = Field(description="To the base currency on `received_on`.")
    amount_base: Money
    allocated_amount: Money
    unallocated: Money = Field(description="Not allocated to any invoice: the client's credit.")
    reference: str
    manager: UserRef | None = Field(description="The account's responsible manager on `received_on`.")
    external_id: str
    note: str
    allocations: list[PaymentAllocationOut]
    created_at: dt.datetime

    @staticmethod
    def resolve_unallocated(obj):
        return obj.amount - obj.allocated_amount

    @staticmethod
    def resolve_allocations(obj) -> list:
        return list(obj.allocations.all())


class PaymentPage(Schema):
    count: int = Field(description="Payments matching the filters that you may see, counted up to a cap.")
    count_exact: bool = Field(description="False when more match than `count`: narrow the filters.")
    limit: int
    offset: int
    items: list[PaymentOut]


class PaymentQuery(Schema):
    account: Id | None = Field(None, description="Payments of this account.")
    manager: list[Id] = Field(default_factory=list, description="Responsible managers on the payment's date.")
    received_from: Day | None = None
    received_to: Day | None = None
    unallocated: bool | None = Field(None, description="true: with something left as the client's credit.")
    external_id: Text = Field("", max_length=100, description="The payment a system pushed with this id.")
    limit: int = _limit()
    offset: int = _offset()


# --- balance ----------------------------------------------------------------------------------------------


class BucketsOut(Schema):
    """Open amounts by days past due (base currency); Orbit's ageing buckets."""

    not_due: Money
    d1_30: Money = Field(description="1–30 days overdue.")
    d31_60: Money
    d61_90: Money
    d90_plus: Money = Field(description="More than 90 days overdue.")


class BalanceOut(Schema):
    account_id: int
    on: dt.date = Field(description="Today: overdue and buckets are counted on this day.")
    currency: CurrencyValue = Field(description="The base currency every amount here is in.")
    invoiced: Money
    credited: Money
    paid: Money
    open: Money = Field(description="Left to pay on the invoices.")
    overdue: Money = Field(description="Open and past due.")
    credit: Money = Field(description="Payments not allocated to any invoice: the client's credit.")
    buckets: BucketsOut
    last_purchase_on: dt.date | None
    last_payment_on: dt.date | None
