"""Three years of money for the demo: the catalog and its price list, currency rates, agreements and the
loyalty scheme, contracts, recent orders, and the invoices, credit notes and payments up to `today`.

The shape a head of department would recognise (the numbers are Orbit's demo defaults): account sizes are
heavy-tailed (a Pareto draw, so about a fifth of the clients bring most of the revenue), demand dips in
January and peaks in the fourth quarter, some clients always pay 30-90 days late and a few have bills more
than 90 days overdue, some pay in parts, a few overpay (the rest stays as their credit), a few invoices are
corrected by credit notes, some accounts grow, some went quiet for months and came back, churned accounts
have bought nothing for a year or more, and holdings buy through their subsidiaries.

Rows are computed here and written with bulk_create, following the ledger's rules exactly (see
`orbit.revenue.invoicing`): every line rounded to the kopeck on its own, totals as sums of rounded lines, base
amounts at the document's rate, prices as `pricing.quote` gives them (agreement, else loyalty, else list),
VAT by date, and the manager of every document the account's responsible manager on its day. Deterministic:
the same seed and day give the same documents. Cost: about 1.3 s of CPU on top of the small demo's ~6.5 s
(measured back to back with main's generator, 2026-12-04), most of it building the rows in Python.
"""

import bisect
import datetime as dt
import functools
import importlib
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max
from django.utils import timezone

from orbit.accounts.models import Account, AccountStatus, OwnershipPeriod, Tier
from orbit.demo import catalog
from orbit.revenue import balances
from orbit.revenue.models import (
    AccountRevenueMonth,
    Contract,
    ContractStatus,
    CurrencyRate,
    DocumentCounter,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    LoyaltyDiscount,
    Order,
    OrderLine,
    OrderStatus,
    Payment,
    PaymentAllocation,
    PriceAgreement,
    PriceSource,
    Product,
    ProductLine,
    ProductPrice,
    VatRate,
)
from orbit.revenue.money import round_money

YEARS = 3
ZERO = Decimal(0)
HUNDRED = Decimal(100)
BATCH = 500
BILLED = (
    AccountStatus.ACTIVE,
    AccountStatus.DORMANT,
    AccountStatus.CHURNED,
    AccountStatus.REACTIVATED,
    AccountStatus.HANDOFF,
)
# Payers: (share, kind). Prompt ones pay around the due day; late ones 30-90 days after it; very late ones
# 60-150 days after it and leave some bills unpaid; the rest pay in two parts.
PAYERS = ((0.62, "prompt"), (0.20, "late"), (0.08, "very_late"), (0.10, "parts"))
TERMS = (14, 30, 30, 45, 60)
TIER_SIZE: dict[str, float] = {Tier.KEY: 3.0, Tier.A: 1.8, Tier.B: 1.0, Tier.C: 0.6}
# Loyalty scheme (Orbit's demo defaults): by 12-month volume for anyone, and a standing discount for key clients.
LOYALTY = (("", Decimal("3000000"), Decimal("3")), ("", Decimal("12000000"), Decimal("5")))
LOYALTY_KEY = Decimal("4")
# Foreign-currency prices are the rouble list at these levels, per unit (Orbit's demo defaults).
FOREIGN_PRICE_LEVEL = {"USD": Decimal("90"), "EUR": Decimal("98")}


@dataclass
class Catalog:
    products: list[Product]
    info: dict[int, catalog.ProductInfo]  # product id -> its catalog entry
    prices: dict[tuple[int, str, int], tuple[Decimal, Decimal]]  # (product, currency, year) -> (price, cost)
    lines: dict[str, ProductLine]


@dataclass
class Story:
    """One account's buying and paying habits over the three years."""

    account: Account
    windows: list[tuple[dt.date, dt.date]]
    per_year: float
    size: float
    payer: str
    terms: int
    currency: str
    favourite_lines: list[str]
    growing: bool = False
    buying: bool = False  # active or back: has bought in the last quarter
    # A client on a monthly supply (consumables, a support subscription): one invoice a month of much the same
    # order, the quantities within ±steady of the usual — the steady buyers of XYZ's X and Y. 0: buys at random.
    steady: float = 0.0


@dataclass(slots=True)
class Line:
    """An invoice line as `invoicing` computes it (written with one INSERT per batch, not the ORM)."""

    invoice: "Doc"
    product: Product
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    price_source: str
    vat_percent: Decimal | None
    unit_cost: Decimal
    rate: Decimal
    description: str = ""
    net_amount: Decimal = ZERO
    vat_amount: Decimal = ZERO
    cost_amount: Decimal = ZERO

    def __post_init__(self) -> None:
        self.net_amount = round_money(self.quantity * self.unit_price * (1 - self.discount_percent / HUNDRED))
        if self.vat_percent is not None:
            self.vat_amount = round_money(self.net_amount * self.vat_percent / HUNDRED)
        self.cost_amount = round_money(self.quantity * self.unit_cost)

    @property
    def total_amount(self) -> Decimal:
        return self.net_amount + self.vat_amount

    @property
    def net_amount_base(self) -> Decimal:
        return round_money(self.net_amount * self.rate)

    @property
    def cost_amount_base(self) -> Decimal:
        return round_money(self.cost_amount * self.rate)


@dataclass(slots=True)
class Doc:
    """An invoice or a credit note; totals are sums of its rounded lines."""

    id: int
    account_id: int
    kind: str
    number: str
    issued_on: dt.date
    due_on: dt.date
    currency: str
    rate: Decimal
    manager_id: int | None
    corrects: "Doc | None" = None
    order: Order | None = None
    note: str = ""
    lines: list[Line] = field(default_factory=list)
    credited_total: Decimal = ZERO
    paid_total: Decimal = ZERO
    open_amount: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return sum((x.total_amount for x in self.lines), ZERO)


@dataclass(slots=True)
class Pay:
    id: int
    account_id: int
    received_on: dt.date
    amount: Decimal
    currency: str
    rate: Decimal
    allocated: Decimal
    reference: str
    manager_id: int | None
    invoice: Doc


@dataclass
class Books:
    """The documents being written, with the running numbers of the year."""

    docs: list[Doc] = field(default_factory=list)
    payments: list[Pay] = field(default_factory=list)
    numbers: dict[tuple[str, int], int] = field(default_factory=lambda: defaultdict(int))
    next_doc: int = 1
    next_payment: int = 1


def write_revenue(*, seed: int, today: dt.date) -> dict[str, int]:
    """Write the money ledger of the demo; returns the count of each kind of row."""
    rng = random.Random(f"{seed}-revenue")
    first = dt.date(today.year - YEARS, today.month, 1)
    cat = _write_catalog(first, today)
    rates = _write_rates(seed, first, today)
    vat = _vat_table()
    _write_loyalty(first)
    accounts = list(Account.objects.filter(status__in=BILLED).select_related("parent").order_by("id"))
    owners = _ownership(accounts)
    agreements = _write_agreements(rng, accounts, cat, first, today)
    contracts = _write_contracts(rng, accounts, first, today)
    ledger = _Ledger(
        rng=rng, cat=cat, rates=rates, vat=vat, owners=owners, agreements=agreements, today=today
    )
    for account in accounts:
        story = _story(rng, account, first, today)
        if story is not None:
            ledger.account(story)
    orders = _write_orders(rng, ledger, accounts, contracts, today)
    written = ledger.write()
    # The demo writes open amounts straight to the tables: its receivables rows are derived afterwards.
    written["receivables"] = balances.rebuild_receivables(today=today)
    return {"contracts": len(contracts), "orders": orders, **written}


# Reference data -------------------------------------------------------------------------------------------


def _write_catalog(first: dt.date, today: dt.date) -> Catalog:
    """Product lines, products, and a price list per year (RUB; USD and EUR for equipment and software)."""
    existing = {line.code: line for line in ProductLine.objects.all()}
    ProductLine.objects.bulk_create(
        [
            ProductLine(code=x.code, name_ru=x.name_ru, name_en=x.name_en)
            for x in catalog.LINES
            if x.code not in existing
        ]
    )
    lines = {line.code: line for line in ProductLine.objects.all()}
    known = set(Product.objects.values_list("sku", flat=True))
    Product.objects.bulk_create(
        [
            Product(
                sku=p.sku, name=p.name, product_line=lines[p.line], unit=p.unit, vat_category=p.vat_category
            )
            for p in catalog.PRODUCTS
            if p.sku not in known
        ]
    )
    by_sku = {p.sku: p for p in catalog.PRODUCTS}
    products = list(Product.objects.filter(sku__in=by_sku).order_by("id"))
    prices: dict[tuple[int, str, int], tuple[Decimal, Decimal]] = {}
    rows = []
    for product in products:
        info = by_sku[product.sku]
        for year in range(first.year, today.year + 1):
            price = catalog.list_price(info, year, first.year)
            cost = catalog.unit_cost(info, price)
            prices[(product.id, "RUB", year)] = (price, cost)
            currencies = ("RUB", "USD", "EUR") if info.line in ("equipment", "software") else ("RUB",)
            for currency in currencies:
                if currency != "RUB":
                    level = FOREIGN_PRICE_LEVEL[currency]
                    price, cost = (
                        round_money(prices[(product.id, "RUB", year)][0] / level),
                        round_money(prices[(product.id, "RUB", year)][1] / level),
                    )
                    prices[(product.id, currency, year)] = (price, cost)
                valid_from = dt.date(year, 1, 1) if year > first.year else first.replace(month=1, day=1)
                rows.append(
                    ProductPrice(
                        product=product, currency=currency, valid_from=valid_from, price=price, cost=cost
                    )
                )
    ProductPrice.objects.filter(product__in=products).delete()
    ProductPrice.objects.bulk_create(rows, batch_size=BATCH)
    return Catalog(
        products=products,
        info={p.id: by_sku[p.sku] for p in products},
        prices=prices,
        lines=lines,
    )


class _Rates:
    """The demo's published rates, looked up like `rates.rate_on` (latest on or before the day)."""

    def __init__(self, days: list[dt.date], walks: dict[str, list[Decimal]]):
        self.days = days
        self.walks = walks

    def on(self, currency: str, day: dt.date) -> Decimal:
        if currency == "RUB":
            return Decimal(1)
        k = bisect.bisect_right(self.days, day) - 1
        return self.walks[currency][k]


def _write_rates(seed: int, first: dt.date, today: dt.date) -> _Rates:
    days = catalog.business_days(first - dt.timedelta(days=40), today)
    walks = catalog.rate_walk(seed, days)
    CurrencyRate.objects.filter(day__gte=days[0], day__lte=days[-1]).delete()
    CurrencyRate.objects.bulk_create(
        [
            CurrencyRate(currency=currency, day=day, rate=walks[currency][k], source="demo")
            for currency in sorted(walks)
            for k, day in enumerate(days)
        ],
        batch_size=BATCH,
    )
    return _Rates(days, walks)


def _vat_table() -> dict[str, list[tuple[dt.date, Decimal | None]]]:
    """The VAT rates by date. `demo seed --reset` flushes the rows migration 0002 wrote: they are put back."""
    seeded = importlib.import_module("orbit.revenue.migrations.0002_vat_rates_of_russia")
    for category, valid_from, percent in seeded.RATES:
        VatRate.objects.get_or_create(category=category, valid_from=valid_from, defaults={"percent": percent})
    table: dict[str, list[tuple[dt.date, Decimal | None]]] = defaultdict(list)
    for row in VatRate.objects.order_by("category", "valid_from"):
        table[row.category].append((row.valid_from, row.percent))
    return table


def _vat_on(table: dict, category: str, day: dt.date) -> Decimal | None:
    rows = table[category]
    k = bisect.bisect_right([d for d, _p in rows], day) - 1
    return rows[k][1]


def _write_loyalty(first: dt.date) -> None:
    LoyaltyDiscount.objects.bulk_create(
        [LoyaltyDiscount(tier=t, min_volume=v, discount_percent=p, valid_from=first) for t, v, p in LOYALTY]
        + [LoyaltyDiscount(tier=Tier.KEY, min_volume=ZERO, discount_percent=LOYALTY_KEY, valid_from=first)]
    )


def _ownership(accounts: list[Account]) -> dict[int, list[tuple[dt.datetime, dt.datetime | None, int]]]:
    """Every account's periods (start, end, manager), in order: one query for all, looked up in memory."""
    periods: dict[int, list[tuple[dt.datetime, dt.datetime | None, int]]] = defaultdict(list)
    ids = {a.id for a in accounts}
    for account_id, started, ended, manager in OwnershipPeriod.objects.order_by(
        "account_id", "started_at"
    ).values_list("account_id", "started_at", "ended_at", "manager_id"):
        if account_id in ids:
            periods[account_id].append((started, ended, manager))
    return periods


@functools.cache
def _end_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min)) - dt.timedelta(
        microseconds=1
    )


def responsible_on(periods: list[tuple[dt.datetime, dt.datetime | None, int]], day: dt.date) -> int | None:
    """The manager responsible at the end of the local day, as `ownership.responsible_on` decides it."""
    end = _end_of(day)
    for started, ended, manager in periods:
        if started <= end and (ended is None or ended > end):
            return manager
    return None


def _write_agreements(
    rng: random.Random, accounts: list[Account], cat: Catalog, first: dt.date, today: dt.date
) -> dict[int, list[PriceAgreement]]:
    """Key clients and a few A clients have agreements: a discount on a product line or the whole catalog,
    and for some a fixed price of one product."""
    big = [a for a in accounts if a.tier == Tier.KEY or (a.tier == Tier.A and rng.random() < 0.25)]
    rows = []
    for account in big:
        since = max(first, timezone.localtime(account.created_at).date())
        line = rng.choice(list(cat.lines.values()))
        rows.append(
            PriceAgreement(
                account=account,
                product_line=line,
                discount_percent=Decimal(rng.choice((5, 7, 10))),
                valid_from=since,
                note=f"Скидка на линейку «{line.name_ru}» по договору",
            )
        )
        if rng.random() < 0.4:
            rows.append(
                PriceAgreement(
                    account=account,
                    discount_percent=Decimal(rng.choice((2, 3))),
                    valid_from=since,
                    valid_to=today + dt.timedelta(days=rng.randint(60, 300)),
                    note="Общая скидка на каталог",
                )
            )
        if rng.random() < 0.5:
            product = rng.choice(cat.products)
            price = cat.prices[(product.id, "RUB", today.year)][0]
            rows.append(
                PriceAgreement(
                    account=account,
                    product=product,
                    fixed_price=round_money(price * Decimal("0.88")),
                    currency="RUB",
                    valid_from=dt.date(today.year, 1, 1),
                    note="Фиксированная цена на год",
                )
            )
    PriceAgreement.objects.bulk_create(rows)
    by_account: dict[int, list[PriceAgreement]] = defaultdict(list)
    for row in rows:
        by_account[row.account_id].append(row)
    return by_account


def _write_contracts(
    rng: random.Random, accounts: list[Account], first: dt.date, today: dt.date
) -> dict[int, Contract]:
    """A supply contract for most clients: yearly, many renewing automatically; for some the notice deadline
    (renewal day minus the notice period) falls in the next three weeks, so it shows on the manager's day."""
    rows = []
    for n, account in enumerate(accounts, start=1):
        if rng.random() > 0.7 or account.status == AccountStatus.HANDOFF:
            continue
        signed = max(first - dt.timedelta(days=365), timezone.localtime(account.created_at).date())
        signed += dt.timedelta(days=rng.randint(0, 60))
        auto = rng.random() < 0.6
        notice = rng.choice((30, 30, 60, 90))
        churned = account.status == AccountStatus.CHURNED
        soon = rng.random() < 0.18 and not churned
        if soon:  # the last day to give notice is within the next 3 weeks
            renewal = today + dt.timedelta(days=notice + rng.randint(1, 21))
        else:
            renewal = signed.replace(year=today.year, day=min(signed.day, 28))
            if renewal <= today:
                renewal = renewal.replace(year=today.year + 1)
        ends = renewal - dt.timedelta(days=1)
        starts = min(signed, ends)
        if churned:
            status, ends = ContractStatus.EXPIRED, today - dt.timedelta(days=rng.randint(60, 400))
            starts = min(starts, ends)
        else:
            status = ContractStatus.ACTIVE
        rows.append(
            Contract(
                account=account,
                number=f"Д-{signed.year}/{n:04d}",
                subject="Поставка оборудования, запасных частей и сервисное обслуживание",
                signed_on=starts,
                starts_on=starts,
                ends_on=ends,
                amount=Decimal(rng.randint(5, 400) * 100_000),
                currency="RUB",
                terms=f"Оплата в течение {rng.choice(TERMS)} дней с даты счёта.",
                auto_renewal=auto and not churned,
                renewal_months=12 if auto else None,
                renewal_on=None if churned else renewal,
                notice_days=notice,
                status=status,
                manager_id=account.responsible_manager_id,
            )
        )
    Contract.objects.bulk_create(rows, batch_size=BATCH)
    return {c.account_id: c for c in rows}


# Who buys what, when ---------------------------------------------------------------------------------------


def _pareto(rng: random.Random, alpha: float = 1.15, cap: float = 80.0) -> float:
    return min(cap, (1 - rng.random()) ** (-1 / alpha))


def currency_is_rub(story: "Story") -> bool:
    return story.currency == "RUB"


def _story(rng: random.Random, account: Account, first: dt.date, today: dt.date) -> Story | None:
    since = max(first, timezone.localtime(account.created_at).date() + dt.timedelta(days=7))
    changed = timezone.localtime(account.status_changed_at).date() if account.status_changed_at else today
    last = today - dt.timedelta(days=1)
    status = account.status
    size = _pareto(rng) * TIER_SIZE.get(account.tier, 1.0) * (1.5 if account.parent_id else 1.0)
    windows: list[tuple[dt.date, dt.date]]
    if status == AccountStatus.CHURNED:
        # Nothing bought for the last 12 months or more.
        stop = min(changed - dt.timedelta(days=30), today - dt.timedelta(days=365 + rng.randint(0, 200)))
        windows = [(since, stop)]
    elif status == AccountStatus.DORMANT:
        windows = [(since, min(changed - dt.timedelta(days=20), today - dt.timedelta(days=130)))]
    elif status == AccountStatus.REACTIVATED:
        quiet_from = changed - dt.timedelta(days=rng.randint(150, 270))
        windows = [(since, quiet_from), (changed, last)]
    elif status == AccountStatus.HANDOFF:
        windows = [(max(since, changed), last)]
        size = min(size, 2.0)
    elif rng.random() < 0.12:  # went quiet for 4-7 months in the middle and came back
        pause = first + dt.timedelta(days=rng.randint(200, 650))
        windows = [(since, pause), (pause + dt.timedelta(days=rng.randint(120, 210)), last)]
    else:
        windows = [(since, last)]
    windows = [(a, b) for a, b in windows if b > a]
    if not windows:
        return None
    payer = rng.choices([k for _s, k in PAYERS], [s for s, _k in PAYERS])[0]
    currency = "RUB"
    if account.tier in (Tier.KEY, Tier.A) and rng.random() < 0.12:
        currency = rng.choice(("USD", "EUR"))
    codes = [x.code for x in catalog.LINES]
    return Story(
        account=account,
        windows=windows,
        per_year=min(24.0, 1.2 + size * 1.6),
        size=size,
        payer=payer,
        terms=rng.choice(TERMS),
        currency=currency,
        favourite_lines=rng.sample(codes, 3) if currency == "RUB" else ["equipment", "software"],
        growing=status == AccountStatus.ACTIVE and rng.random() < 0.15,
        buying=status in (AccountStatus.ACTIVE, AccountStatus.REACTIVATED),
        steady=rng.choice((0.05, 0.3)) if status == AccountStatus.ACTIVE and rng.random() < 0.25 else 0.0,
    )


@functools.cache
def _calendar(today: dt.date) -> list[dt.date]:
    return catalog.business_days(dt.date(today.year - YEARS - 1, 1, 1), today)


def _business_days(first: dt.date, last: dt.date, today: dt.date) -> list[dt.date]:
    days = _calendar(today)
    return days[bisect.bisect_left(days, first) : bisect.bisect_right(days, last)]


def _next_business_day(day: dt.date) -> dt.date:
    while day.weekday() >= 5 or (day.month == 1 and day.day <= 8):
        day += dt.timedelta(days=1)
    return day


class _Ledger:
    """Builds one account's invoices, credit notes and payments at a time, as the services would."""

    def __init__(self, *, rng, cat: Catalog, rates: _Rates, vat, owners, agreements, today: dt.date):
        self.rng = rng
        self.cat = cat
        self.rates = rates
        self.vat = vat
        self.owners = owners
        self.agreements = agreements
        self.today = today
        self.books = Books()
        self.by_line: dict[str, list[Product]] = defaultdict(list)
        for product in cat.products:
            self.by_line[cat.info[product.id].line].append(product)
        # Each account's invoiced net base by day, for the loyalty scheme's 12-month volume.
        self.volumes: dict[int, list[tuple[dt.date, Decimal]]] = defaultdict(list)

    # Pricing: pricing.quote over the rows written above ------------------------------------------------

    def _quote(self, account: Account, product: Product, day: dt.date, currency: str):
        price, cost = self.cat.prices[(product.id, currency, day.year)]
        live = [
            a
            for a in self.agreements.get(account.id, [])
            if a.valid_from <= day and (a.valid_to is None or a.valid_to >= day)
        ]
        fixed = [
            a
            for a in live
            if a.product_id == product.id and a.fixed_price is not None and a.currency == currency
        ]
        own = [a for a in live if a.product_id == product.id and a.fixed_price is None]
        line = [a for a in live if a.product_id is None and a.product_line_id == product.product_line_id]
        whole = [a for a in live if a.product_id is None and a.product_line_id is None]
        for group in (fixed + own, line, whole):
            if group:
                best = sorted(group, key=lambda a: a.valid_from, reverse=True)[0]
                if best.fixed_price is not None:
                    return best.fixed_price, ZERO, PriceSource.AGREEMENT, cost
                return price, best.discount_percent, PriceSource.AGREEMENT, cost
        offers = [(ZERO, LOYALTY_KEY)] if account.tier == Tier.KEY else []
        volume = self._volume_before(account.id, day)
        offers += [(v, p) for _t, v, p in LOYALTY if v <= volume]
        if offers:
            return price, max(p for _v, p in offers), PriceSource.LOYALTY, cost
        return price, ZERO, PriceSource.LIST, cost

    def _volume_before(self, account_id: int, day: dt.date) -> Decimal:
        try:
            year_ago = day.replace(year=day.year - 1)
        except ValueError:
            year_ago = day.replace(year=day.year - 1, day=28)
        return sum((v for d, v in self.volumes[account_id] if year_ago <= d < day), ZERO)

    # Documents ---------------------------------------------------------------------------------------------

    def _number(self, kind: str, day: dt.date) -> str:
        self.books.numbers[(kind, day.year)] += 1
        prefix = "СЧ" if kind == InvoiceKind.INVOICE else "КР"
        return f"{prefix}-{day.year}-{self.books.numbers[(kind, day.year)]:06d}"

    def _doc(
        self, account_id: int, kind: str, day: dt.date, due: dt.date, currency: str, rate: Decimal
    ) -> Doc:
        doc = Doc(
            id=self.books.next_doc,
            account_id=account_id,
            kind=kind,
            number=self._number(kind, day),
            issued_on=day,
            due_on=due,
            currency=currency,
            rate=rate,
            manager_id=responsible_on(self.owners.get(account_id, []), day),
        )
        self.books.next_doc += 1
        self.books.docs.append(doc)
        return doc

    def _count_volume(self, doc: Doc) -> None:
        self.volumes[doc.account_id].extend((doc.issued_on, x.net_amount_base) for x in doc.lines)

    def invoice(
        self,
        story: Story,
        day: dt.date,
        picks: list[tuple[Product, Decimal]],
        order_lines: list[OrderLine] | None = None,
        order: Order | None = None,
    ) -> Doc:
        account = story.account
        rate = self.rates.on(story.currency, day)
        doc = self._doc(
            account.id, InvoiceKind.INVOICE, day, day + dt.timedelta(days=story.terms), story.currency, rate
        )
        doc.order = order
        for product, quantity in picks:
            unit_price, discount, source, unit_cost = self._quote(account, product, day, story.currency)
            percent = _vat_on(self.vat, product.vat_category, day)
            doc.lines.append(
                Line(
                    doc,
                    product,
                    quantity,
                    unit_price,
                    discount,
                    source,
                    percent,
                    unit_cost,
                    rate,
                    product.name,
                )
            )
        for x in order_lines or []:  # the order's prices, as the client accepted them
            unit_cost = self.cat.prices[(x.product.id, story.currency, day.year)][1]
            percent = _vat_on(self.vat, x.product.vat_category, day)
            doc.lines.append(
                Line(
                    doc,
                    x.product,
                    x.quantity,
                    x.unit_price,
                    x.discount_percent,
                    x.price_source,
                    percent,
                    unit_cost,
                    rate,
                    x.product.name,
                )
            )
        self._count_volume(doc)
        return doc

    def _credit_note(self, story: Story, invoice: Doc, day: dt.date) -> Decimal:
        """Part of the invoice's first line back (negative quantity) at its price, discount, VAT percent and
        the invoice's rate (a correction of that document)."""
        original = invoice.lines[0]
        back = -max(Decimal(1), (original.quantity / 2).to_integral_value(rounding=ROUND_FLOOR))
        note = self._doc(story.account.id, InvoiceKind.CREDIT_NOTE, day, day, invoice.currency, invoice.rate)
        note.corrects = invoice
        note.note = "Возврат части поставки"
        note.lines.append(
            Line(
                note,
                original.product,
                back,
                original.unit_price,
                original.discount_percent,
                original.price_source,
                original.vat_percent,
                original.unit_cost,
                invoice.rate,
                f"Возврат: {original.description}",
            )
        )
        self._count_volume(note)
        return -note.total

    def _pay(
        self, story: Story, invoice: Doc, day: dt.date, amount: Decimal, extra: Decimal = ZERO
    ) -> Decimal:
        """A payment received on `day` (moved to a business day), allocated to the invoice; `extra` stays as
        credit. Returns what was allocated (nothing if the day has not come yet)."""
        day = _next_business_day(day)
        if day >= self.today or amount <= 0:
            return ZERO
        self.books.payments.append(
            Pay(
                id=self.books.next_payment,
                account_id=story.account.id,
                received_on=day,
                amount=amount + extra,
                currency=invoice.currency,
                rate=self.rates.on(invoice.currency, day),
                allocated=amount,
                reference=f"п/п {self.rng.randint(100, 9999)} от {day:%d.%m.%Y}",
                manager_id=responsible_on(self.owners.get(story.account.id, []), day),
                invoice=invoice,
            )
        )
        self.books.next_payment += 1
        return amount

    def settle(self, story: Story, invoice: Doc) -> None:
        rng = self.rng
        credited = ZERO
        settle_from = invoice.issued_on
        if rng.random() < 0.025:
            note_day = _next_business_day(invoice.issued_on + dt.timedelta(days=rng.randint(3, 20)))
            if note_day < self.today:
                credited = self._credit_note(story, invoice, note_day)
                settle_from = note_day
        owed = invoice.total - credited
        due = invoice.due_on
        paid = ZERO
        if story.payer == "prompt":
            day = max(settle_from, due + dt.timedelta(days=rng.randint(-10, 5)))
            extra = ZERO
            if rng.random() < 0.02:  # paid a round sum over the bill: the rest is the client's credit
                extra = (owed / 10000).to_integral_value(rounding=ROUND_CEILING) * 10000 - owed + 10000
            paid = self._pay(story, invoice, day, owed, extra)
        elif story.payer == "late":
            paid = self._pay(
                story, invoice, max(settle_from, due + dt.timedelta(days=rng.randint(30, 90))), owed
            )
        elif story.payer == "very_late":
            if rng.random() < 0.7:
                day = max(settle_from, due + dt.timedelta(days=rng.randint(60, 150)))
                paid = self._pay(story, invoice, day, owed)
        else:
            part = round_money(owed * Decimal(rng.choice((50, 60, 70))) / HUNDRED)
            day = max(settle_from, due + dt.timedelta(days=rng.randint(-5, 10)))
            paid = self._pay(story, invoice, day, part)
            if paid:
                paid += self._pay(story, invoice, day + dt.timedelta(days=rng.randint(20, 60)), owed - part)
        invoice.credited_total = credited
        invoice.paid_total = paid
        invoice.open_amount = owed - paid

    def _picks(self, story: Story, day: dt.date, scale: float) -> list[tuple[Product, Decimal]]:
        rng = self.rng
        picks: list[tuple[Product, Decimal]] = []
        for _n in range(rng.choice((1, 1, 2, 2, 3, 4))):
            wander = story.currency == "RUB" and rng.random() < 0.15
            line = rng.choice(catalog.LINES).code if wander else rng.choice(story.favourite_lines)
            if line == "equipment" and rng.random() < 0.6 and story.currency == "RUB":
                line = "parts"  # equipment is bought rarely; its parts often
            candidates = self.by_line[line]
            if story.currency != "RUB":
                candidates = [p for p in candidates if (p.id, story.currency, day.year) in self.cat.prices]
            product = rng.choice(candidates)
            usual = self.cat.info[product.id].usual_quantity
            quantity = max(1, round(usual * rng.uniform(0.5, 1.5) * scale))
            if any(p.id == product.id for p, _q in picks):
                continue
            picks.append((product, Decimal(quantity)))
        return picks

    def account(self, story: Story) -> None:
        """Every invoice of the account over its windows, settled as its payer pays."""
        rng = self.rng
        days: list[dt.date] = []
        weights: list[float] = []
        total_days = 0
        for start, end in story.windows:
            for day in _business_days(start, end, self.today):
                days.append(day)
                total_days += 1
        if not days:
            return
        span = max(1, (days[-1] - days[0]).days)
        for day in days:
            trend = 1.0 + (2.5 * (day - days[0]).days / span if story.growing else 0.0)
            weights.append(catalog.SEASON[day.month] * trend)
        count = max(1, round(story.per_year * total_days / 250 * rng.uniform(0.8, 1.2)))
        chosen = sorted(rng.choices(days, weights, k=count))
        recent = [d for d in days if (self.today - d).days <= 90]
        if story.buying and recent and (self.today - chosen[-1]).days > 90:
            chosen.append(rng.choice(recent))  # a client called active bought something this quarter
        scale = 1 + story.size / 6
        if story.steady and currency_is_rub(story):
            self._monthly(story, days, scale)
            return
        for day in chosen:
            growth = 1 + (1.5 * (day - days[0]).days / span if story.growing else 0.0)
            invoice = self.invoice(story, day, self._picks(story, day, scale * growth))
            self.settle(story, invoice)

    def _monthly(self, story: Story, days: list[dt.date], scale: float) -> None:
        """The first business day from the account's day of the month, every month of its windows, the same
        products each time in quantities within ±steady of the usual."""
        rng = self.rng
        order = self._picks(story, days[0], scale)
        by_month: dict[tuple[int, int], dt.date] = {}
        day_of_month = rng.randint(1, 20)
        for day in days:
            if day.day >= day_of_month:
                by_month.setdefault((day.year, day.month), day)
        for day in sorted(by_month.values()):
            jitter = [
                (p, Decimal(max(1, round(float(q) * rng.uniform(1 - story.steady, 1 + story.steady)))))
                for p, q in order
            ]
            self.settle(story, self.invoice(story, day, jitter))

    # Writing -----------------------------------------------------------------------------------------------

    def write(self) -> dict[str, int]:
        """INSERT the documents, lines, payments, allocations and monthly totals in batches (the ORM's
        bulk_create spends seconds per ten thousand rows building model instances the demo does not need)."""
        books = self.books
        base_doc = Invoice.objects.aggregate(m=Max("id"))["m"] or 0
        base_line = InvoiceLine.objects.aggregate(m=Max("id"))["m"] or 0
        base_pay = Payment.objects.aggregate(m=Max("id"))["m"] or 0
        base_alloc = PaymentAllocation.objects.aggregate(m=Max("id"))["m"] or 0
        docs = []
        for d in books.docs:
            total = d.total
            docs.append(
                (
                    base_doc + d.id,
                    d.account_id,
                    d.kind,
                    d.number,
                    d.issued_on,
                    d.due_on,
                    d.currency,
                    d.rate,
                    base_doc + d.corrects.id if d.corrects else None,
                    d.order.pk if d.order else None,
                    d.manager_id,
                    sum((x.net_amount for x in d.lines), ZERO),
                    sum((x.vat_amount for x in d.lines), ZERO),
                    total,
                    sum((x.net_amount_base for x in d.lines), ZERO),
                    sum((x.cost_amount_base for x in d.lines), ZERO),
                    round_money(total * d.rate),
                    d.credited_total,
                    d.paid_total,
                    d.open_amount,
                    "",
                    "",
                    d.note,
                    (_at(d.issued_on, 10)),
                )
            )
        _insert(Invoice, INVOICE_FIELDS, docs)
        lines: list[tuple] = []
        months: dict[tuple[int, dt.date, int | None], list] = {}
        for d in books.docs:
            for x in d.lines:
                net_base, cost_base = x.net_amount_base, x.cost_amount_base
                lines.append(
                    (
                        base_line + len(lines) + 1,
                        base_doc + d.id,
                        d.account_id,
                        d.issued_on,
                        x.product.id,
                        x.product.product_line_id,
                        x.description,
                        x.quantity,
                        x.unit_price,
                        x.discount_percent,
                        x.price_source,
                        x.net_amount,
                        x.product.vat_category,
                        x.vat_percent,
                        x.vat_amount,
                        x.total_amount,
                        x.unit_cost,
                        x.cost_amount,
                        net_base,
                        cost_base,
                    )
                )
                row = months.setdefault(
                    (d.account_id, d.issued_on.replace(day=1), x.product.product_line_id), [ZERO, ZERO, 0]
                )
                row[0] += net_base
                row[1] += cost_base
                row[2] += 1
        _insert(InvoiceLine, LINE_FIELDS, lines)
        _insert(
            Payment,
            PAYMENT_FIELDS,
            [
                (
                    base_pay + p.id,
                    p.account_id,
                    p.received_on,
                    p.amount,
                    p.currency,
                    p.rate,
                    round_money(p.amount * p.rate),
                    p.allocated,
                    p.reference,
                    p.manager_id,
                    "",
                    "",
                    "",
                    (_at(p.received_on, 15)),
                )
                for p in books.payments
            ],
        )
        _insert(
            PaymentAllocation,
            ["id", "payment_id", "invoice_id", "amount", "created_at"],
            [
                (
                    base_alloc + p.id,
                    base_pay + p.id,
                    base_doc + p.invoice.id,
                    p.allocated,
                    (_at(p.received_on, 15)),
                )
                for p in books.payments
            ],
        )
        AccountRevenueMonth.objects.filter(account_id__in={d.account_id for d in books.docs}).delete()
        _insert(
            AccountRevenueMonth,
            ["account_id", "month", "product_line_id", "net_base", "cost_base", "lines"],
            [(a, m, pl, n, c, k) for (a, m, pl), (n, c, k) in months.items()],
        )
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(
                no_style(), [Invoice, InvoiceLine, Payment, PaymentAllocation]
            ):
                cursor.execute(sql)
        for (kind, year), last in books.numbers.items():
            DocumentCounter.objects.update_or_create(kind=kind, year=year, defaults={"last": last})
        return {
            "invoices": sum(1 for d in books.docs if d.kind == InvoiceKind.INVOICE),
            "credit_notes": sum(1 for d in books.docs if d.kind == InvoiceKind.CREDIT_NOTE),
            "invoice_lines": len(lines),
            "payments": len(books.payments),
        }


INVOICE_FIELDS = [
    "id",
    "account_id",
    "kind",
    "number",
    "issued_on",
    "due_on",
    "currency",
    "rate",
    "corrects_id",
    "order_id",
    "manager_id",
    "net_total",
    "vat_total",
    "total",
    "net_total_base",
    "cost_total_base",
    "total_base",
    "credited_total",
    "paid_total",
    "open_amount",
    "external_id",
    "fingerprint",
    "note",
    "created_at",
]
LINE_FIELDS = [
    "id",
    "invoice_id",
    "account_id",
    "issued_on",
    "product_id",
    "product_line_id",
    "description",
    "quantity",
    "unit_price",
    "discount_percent",
    "price_source",
    "net_amount",
    "vat_category",
    "vat_percent",
    "vat_amount",
    "total_amount",
    "unit_cost",
    "cost_amount",
    "net_amount_base",
    "cost_amount_base",
]
PAYMENT_FIELDS = [
    "id",
    "account_id",
    "received_on",
    "amount",
    "currency",
    "rate",
    "amount_base",
    "allocated_amount",
    "reference",
    "manager_id",
    "external_id",
    "fingerprint",
    "note",
    "created_at",
]


@functools.cache
def _at(day: dt.date, hour: int):
    """The moment a document was entered, as the database stores it."""
    return connection.ops.adapt_datetimefield_value(
        timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
    )


def _insert(model, fields: list[str], rows: list[tuple]) -> None:
    """INSERT rows (values in `fields` order, already in the database's types) in batches."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(model._meta.get_field(f).column) for f in fields)
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 2000):
            cursor.executemany(sql, rows[start : start + 2000])


# Orders ----------------------------------------------------------------------------------------------------


def _write_orders(
    rng: random.Random, ledger: _Ledger, accounts: list[Account], contracts: dict, today: dt.date
) -> int:
    """Recent orders in every state: new, confirmed (some past their promised day), shipped (some late),
    delivered (some late, each with its invoice) and cancelled."""
    live = [a for a in accounts if a.status in (AccountStatus.ACTIVE, AccountStatus.REACTIVATED)]
    states = (
        [OrderStatus.NEW] * 3
        + [OrderStatus.CONFIRMED] * 4
        + [OrderStatus.SHIPPED] * 3
        + [OrderStatus.DELIVERED] * 6
        + [OrderStatus.CANCELLED]
    )
    orders: list[tuple[Order, list[OrderLine]]] = []
    last_night = timezone.make_aware(dt.datetime.combine(today, dt.time.min)) - dt.timedelta(minutes=1)

    def past(moment: dt.datetime) -> dt.datetime:
        return min(moment, last_night)

    for n, account in enumerate(rng.sample(live, min(len(live), max(12, len(live) // 3))), start=1):
        status = states[n % len(states)]
        age = {OrderStatus.NEW: (0, 4), OrderStatus.CANCELLED: (5, 40)}.get(status, (6, 50))
        received_day = _next_business_day(today - dt.timedelta(days=rng.randint(*age)))
        if received_day >= today:
            received_day = today - dt.timedelta(days=1)
        received = timezone.make_aware(
            dt.datetime.combine(received_day, dt.time(rng.randint(9, 17), 5 * rng.randint(0, 11)))
        )
        promised = received_day + dt.timedelta(days=rng.randint(7, 30))
        late = rng.random() < 0.35
        manager = responsible_on(ledger.owners.get(account.id, []), received_day)
        order = Order(
            account=account,
            number=f"З-{received_day.year}-{n:05d}",
            contract=contracts.get(account.id) if rng.random() < 0.6 else None,
            received_at=received,
            status=status,
            currency="RUB",
            promised_on=promised,
            manager_id=manager,
        )
        # Entered within hours, or a day or two late; nothing later than last night (the demo's "now" may be
        # any moment of today).
        entered = past(
            received + dt.timedelta(minutes=rng.randint(1500, 4000) if late else rng.randint(10, 600))
        )
        if status != OrderStatus.NEW:
            order.confirmed_at = past(entered + dt.timedelta(hours=rng.randint(2, 30)))
        if status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED):
            ship_day = promised + dt.timedelta(days=rng.randint(5, 15) if late else -rng.randint(1, 5))
            shipped = timezone.make_aware(dt.datetime.combine(ship_day, dt.time(14)))
            assert order.confirmed_at is not None
            order.shipped_at = past(max(order.confirmed_at, shipped))
        if status == OrderStatus.DELIVERED:
            delivered = timezone.localtime(order.shipped_at).date() + dt.timedelta(days=rng.randint(1, 4))
            order.delivered_on = min(delivered, today - dt.timedelta(days=1))
            if not late:
                order.delivered_on = min(order.delivered_on, promised)
        if status == OrderStatus.CANCELLED:
            order.cancelled_at = past(entered + dt.timedelta(days=rng.randint(1, 5)))
            order.cancel_reason = rng.choice(
                ("Клиент нашёл поставщика дешевле", "Проект заморожен", "Заказ продублирован")
            )
        if status in (OrderStatus.CONFIRMED, OrderStatus.SHIPPED) and late:
            order.promised_on = today - dt.timedelta(days=rng.randint(1, 12))  # overdue: on the manager's day
        story = Story(
            account=account,
            windows=[],
            per_year=0,
            size=1,
            payer="prompt",
            terms=30,
            currency="RUB",
            favourite_lines=rng.sample([x.code for x in catalog.LINES], 2),
        )
        picks = ledger._picks(story, received_day, 1.0)
        lines = []
        for product, quantity in picks:
            unit_price, discount, source, _cost = ledger._quote(account, product, received_day, "RUB")
            percent = _vat_on(ledger.vat, product.vat_category, received_day)
            net = round_money(quantity * unit_price * (1 - discount / HUNDRED))
            vat = round_money(net * percent / HUNDRED) if percent is not None else ZERO
            lines.append(
                OrderLine(
                    order=order,
                    product=product,
                    quantity=quantity,
                    unit_price=unit_price,
                    discount_percent=discount,
                    price_source=source,
                    net_amount=net,
                    vat_category=product.vat_category,
                    vat_percent=percent,
                    vat_amount=vat,
                )
            )
        order.net_total = sum((x.net_amount for x in lines), ZERO)
        order.vat_total = sum((x.vat_amount for x in lines), ZERO)
        order.total = order.net_total + order.vat_total
        orders.append((order, lines))
        order._entered = entered  # type: ignore[attr-defined]
        if status == OrderStatus.DELIVERED and order.delivered_on and order.delivered_on < today:
            day = _next_business_day(order.delivered_on)
            if day < today:
                story.terms = rng.choice(TERMS)
                invoice = ledger.invoice(story, day, [], order_lines=lines, order=order)
                ledger.settle(story, invoice)
    Order.objects.bulk_create([o for o, _l in orders], batch_size=BATCH)
    OrderLine.objects.bulk_create([x for _o, lines in orders for x in lines], batch_size=BATCH)
    _backdate_orders([o for o, _l in orders])
    return len(orders)


def _backdate_orders(orders: list[Order]) -> None:
    """Entered when the manager typed it in (created_at; some a day or two after the client sent it)."""
    for order in orders:
        Order.objects.filter(pk=order.pk).update(created_at=order._entered, updated_at=order._entered)  # type: ignore[attr-defined]
