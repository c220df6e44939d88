"""The money ledger: what a client is offered (catalog, prices, agreements, contracts), what he orders, what he
is invoiced and what he pays.

Rules the schema keeps (the services in this app are the only writers):
- Amounts are `numeric`, never float: money with 2 places (kopecks), quantities with 3, rates with 6. Every
  document stores its currency, the rate to the base currency (`settings.ORBIT_BASE_CURRENCY`) on its date and
  its base-currency amounts, so reports never re-convert history.
- An issued invoice is never edited: a correction is a credit note (kind `credit_note`, negative lines,
  `corrects` the invoice). Payments are allocated to invoices through `PaymentAllocation`; the unallocated
  rest of a payment is the client's credit (an overpayment is kept, not lost).
- `Invoice.paid_total`, `credited_total`, `open_amount`, `Payment.allocated_amount` and `AccountRevenueMonth` are
  derived data kept by the services in the same transaction as the documents; a test recomputes them from
  lines and allocations.
- Every invoice and payment records the account's responsible manager on its date (`ownership.responsible_on`),
  not today's owner: the bonus on paid money is paid on it.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from orbit.access.querysets import AccountScopedManager
from orbit.accounts.models import Account, Currency, Tier
from orbit.common.models import ReferenceItem, TrackedModel

MONEY = {"max_digits": 18, "decimal_places": 2}
QUANTITY = {"max_digits": 16, "decimal_places": 3}
PERCENT = {"max_digits": 5, "decimal_places": 2}
RATE = {"max_digits": 18, "decimal_places": 6}


def _currency_field(**kwargs):
    return models.CharField(_("currency"), max_length=3, choices=Currency.choices, **kwargs)


# --- Reference data: the admin edits or loads it; nothing here belongs to an account ----------------------


class ProductLine(ReferenceItem):
    """A group of products margin and whitespace are counted by (e.g. "Equipment", "Service contracts")."""

    class Meta(ReferenceItem.Meta):
        verbose_name = _("product line")
        verbose_name_plural = _("product lines")


class VatCategory(models.TextChoices):
    STANDARD = "standard", _("Standard rate")
    REDUCED = "reduced", _("Reduced rate")
    ZERO = "zero", _("0 %")
    EXEMPT = "exempt", _("Without VAT")


class VatRate(models.Model):
    """The VAT percent of a category from a day on: dated data, not a constant (Russia's standard rate is 20 %
    up to 2025-12-31 and 22 % from 2026-01-01). "Without VAT" has no percent."""

    category = models.CharField(_("VAT category"), max_length=10, choices=VatCategory.choices)
    valid_from = models.DateField(_("valid from"))
    percent = models.DecimalField(_("rate, %"), null=True, blank=True, **PERCENT)

    class Meta:
        verbose_name = _("VAT rate")
        verbose_name_plural = _("VAT rates")
        ordering = ["category", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["category", "valid_from"], name="revenue_vat_one_per_day"),
            models.CheckConstraint(
                condition=(Q(category="exempt") & Q(percent__isnull=True))
                | (~Q(category="exempt") & Q(percent__gte=0) & Q(percent__lt=100)),
                name="revenue_vat_percent_matches_category",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.percent if self.percent is not None else '—'} ({self.valid_from})"


class CurrencyRate(models.Model):
    """How many units of the base currency one unit of `currency` costs from `day` on (the admin edits the
    table or loads it, e.g. from the Bank of Russia's daily rates). The base currency needs no row."""

    currency = _currency_field()
    day = models.DateField(_("date"))
    rate = models.DecimalField(_("rate"), **RATE)
    source = models.CharField(_("source"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("currency rate")
        verbose_name_plural = _("currency rates")
        ordering = ["currency", "-day"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "day"], name="revenue_rate_one_per_day"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="revenue_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.day}: {self.rate}"


class Product(models.Model):
    sku = models.CharField(_("article"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=300)
    product_line = models.ForeignKey(
        ProductLine, verbose_name=_("product line"), on_delete=models.PROTECT, related_name="products"
    )
    unit = models.CharField(_("unit"), max_length=20, default="шт")
    vat_category = models.CharField(
        _("VAT category"), max_length=10, choices=VatCategory.choices, default=VatCategory.STANDARD
    )
    is_active = models.BooleanField(_("on sale"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})"


class ProductPrice(models.Model):
    """The list price (net of VAT) and the cost of a product in a currency from a day on: the price list by
    date. The cost makes margin known per line."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="prices")
    currency = _currency_field(default=Currency.RUB)
    valid_from = models.DateField(_("valid from"))
    price = models.DecimalField(_("list price"), **MONEY)
    cost = models.DecimalField(_("cost"), **MONEY)

    class Meta:
        verbose_name = _("price")
        verbose_name_plural = _("price list")
        ordering = ["product_id", "currency", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "currency", "valid_from"], name="revenue_price_one_per_day"
            ),
            models.CheckConstraint(
                condition=Q(price__gte=0) & Q(cost__gte=0), name="revenue_price_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} {self.currency} {self.valid_from}: {self.price}"


class LoyaltyDiscount(models.Model):
    """The loyalty scheme for regular clients: a discount by tier and/or by the client's invoiced volume over
    the last 12 months (net, base currency). Applied when no client-specific agreement covers the product."""

    tier = models.CharField(
        _("tier"), max_length=8, choices=Tier.choices, blank=True, help_text=_("Empty: any tier.")
    )
    min_volume = models.DecimalField(_("from 12-month volume"), default=0, **MONEY)
    discount_percent = models.DecimalField(_("discount, %"), **PERCENT)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        verbose_name = _("loyalty discount")
        verbose_name_plural = _("loyalty scheme")
        ordering = ["-valid_from", "tier", "min_volume"]
        constraints = [
            models.CheckConstraint(
                condition=Q(discount_percent__gt=0) & Q(discount_percent__lt=100) & Q(min_volume__gte=0),
                name="revenue_loyalty_sane",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="revenue_loyalty_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tier or '*'} from {self.min_volume}: {self.discount_percent} %"


# --- Agreements with one client --------------------------------------------------------------------------


class PriceAgreement(TrackedModel):
    """A client-specific price for a product, or a discount on a product, a product line or the whole
    catalog, for a span of dates. The most specific agreement wins (product, then line, then catalog)."""

    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.PROTECT, related_name="price_agreements"
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    product_line = models.ForeignKey(
        ProductLine,
        verbose_name=_("product line"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    fixed_price = models.DecimalField(_("agreed price"), null=True, blank=True, **MONEY)
    currency = _currency_field(default=Currency.RUB)
    discount_percent = models.DecimalField(_("discount, %"), null=True, blank=True, **PERCENT)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    objects = AccountScopedManager("account")

    class Meta:
        verbose_name = _("price agreement")
        verbose_name_plural = _("price agreements")
        ordering = ["account_id", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(fixed_price__isnull=False, discount_percent__isnull=True, product__isnull=False))
                | (Q(fixed_price__isnull=True, discount_percent__gt=0, discount_percent__lt=100)),
                name="revenue_agreement_price_or_discount",
            ),
            models.CheckConstraint(
                condition=Q(product__isnull=True) | Q(product_line__isnull=True),
                name="revenue_agreement_product_or_line",
            ),
            models.CheckConstraint(
                condition=Q(fixed_price__isnull=True) | Q(fixed_price__gte=0),
                name="revenue_agreement_price_positive",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="revenue_agreement_ends_after_start",
            ),
        ]


class ContractStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    TERMINATED = "terminated", _("Terminated")


class Contract(TrackedModel):
    """A contract with the client. Its renewal day and the last day to give notice (renewal day minus the
    notice period) are deadlines on the day of `manager` — the responsible manager, moving with the account."""

    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.PROTECT, related_name="contracts"
    )
    number = models.CharField(_("number"), max_length=60)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    signed_on = models.DateField(_("signed"), null=True, blank=True)
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"), null=True, blank=True)
    amount = models.DecimalField(_("amount"), null=True, blank=True, **MONEY)
    currency = _currency_field(default=Currency.RUB)
    terms = models.TextField(_("terms"), blank=True)
    auto_renewal = models.BooleanField(_("renews automatically"), default=False)
    renewal_months = models.PositiveSmallIntegerField(_("renews for, months"), null=True, blank=True)
    renewal_on = models.DateField(_("renewal date"), null=True, blank=True)
    notice_days = models.PositiveSmallIntegerField(_("notice period, days"), default=0)
    status = models.CharField(
        _("status"), max_length=12, choices=ContractStatus.choices, default=ContractStatus.ACTIVE
    )
    terminated_on = models.DateField(_("terminated on"), null=True, blank=True)
    termination_reason = models.CharField(_("reason for terminating"), max_length=300, blank=True)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("watched by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="watched_contracts",
    )
    objects = AccountScopedManager("account")

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["account_id", "-starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["account", "number"], name="revenue_contract_number_per_account"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="revenue_contract_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0), name="revenue_contract_amount"
            ),
            models.CheckConstraint(
                condition=~Q(status="terminated") | Q(terminated_on__isnull=False),
                name="revenue_contract_terminated_dated",
            ),
        ]
        indexes = [models.Index(fields=["manager", "status", "renewal_on"])]

    def __str__(self) -> str:
        return self.number


# --- Orders ------------------------------------------------------------------------------------------------


class OrderStatus(models.TextChoices):
    NEW = "new", _("New")
    CONFIRMED = "confirmed", _("Confirmed")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")


class PriceSource(models.TextChoices):
    LIST = "list", _("Price list")
    AGREEMENT = "agreement", _("Client agreement")
    LOYALTY = "loyalty", _("Loyalty discount")
    MANUAL = "manual", _("Entered by hand")


class Order(TrackedModel):
    """The client's application with its lines, tracked to delivery. `received_at` is when the client sent
    it, `created_at` when it was entered (entered on time = the gap between them)."""

    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.PROTECT, related_name="orders"
    )
    number = models.CharField(_("number"), max_length=60, unique=True)
    contract = models.ForeignKey(
        Contract,
        verbose_name=_("contract"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    # The won opportunity this order fulfils: its invoices count as that kind of sale (upsell, renewal, a
    # project...) in the managers' figures and bonuses (orbit/growth/sale_kinds.py). A string reference: the
    # ledger does not import growth.
    opportunity = models.ForeignKey(
        "growth.Opportunity",
        verbose_name=_("fulfils the opportunity"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    received_at = models.DateTimeField(_("received from the client"))
    status = models.CharField(
        _("status"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.NEW
    )
    currency = _currency_field(default=Currency.RUB)
    promised_on = models.DateField(_("delivery promised for"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("shipped"), null=True, blank=True)
    delivered_on = models.DateField(_("delivered"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="managed_orders",
    )
    net_total = models.DecimalField(_("net amount"), default=0, **MONEY)
    vat_total = models.DecimalField(_("VAT"), default=0, **MONEY)
    total = models.DecimalField(_("total"), default=0, **MONEY)
    note = models.TextField(_("note"), blank=True)
    objects = AccountScopedManager("account")

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["account", "received_at"]),
            models.Index(fields=["manager", "status", "promised_on"]),
        ]

    def __str__(self) -> str:
        return self.number


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    unit_price = models.DecimalField(_("price"), **MONEY)
    discount_percent = models.DecimalField(_("discount, %"), default=0, **PERCENT)
    price_source = models.CharField(
        _("price from"), max_length=10, choices=PriceSource.choices, default=PriceSource.LIST
    )
    net_amount = models.DecimalField(_("net amount"), **MONEY)
    vat_category = models.CharField(_("VAT category"), max_length=10, choices=VatCategory.choices)
    vat_percent = models.DecimalField(_("VAT, %"), null=True, blank=True, **PERCENT)
    vat_amount = models.DecimalField(_("VAT"), **MONEY)
    objects = AccountScopedManager("order__account")

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order_id", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="revenue_order_line_quantity_positive")
        ]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.product_id} x {self.quantity}"


# --- Invoices, credit notes, payments ----------------------------------------------------------------------


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    CREDIT_NOTE = "credit_note", _("Credit note")


class Invoice(models.Model):
    """An issued invoice or a credit note (negative amounts, `corrects` the invoice). Never edited once issued.

    For an invoice: open_amount = total − credited_total − paid_total (never below zero: a credit note on a paid
    invoice releases the payment's allocation back to the client's credit). A credit note's own open_amount is 0.
    """

    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.PROTECT, related_name="invoices"
    )
    kind = models.CharField(
        _("kind"), max_length=12, choices=InvoiceKind.choices, default=InvoiceKind.INVOICE
    )
    number = models.CharField(_("number"), max_length=60)
    issued_on = models.DateField(_("date"))
    due_on = models.DateField(_("due"))
    currency = _currency_field(default=Currency.RUB)
    rate = models.DecimalField(_("rate to the base currency"), **RATE)
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("corrects invoice"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_notes",
    )
    order = models.ForeignKey(
        Order,
        verbose_name=_("order"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invoices",
    )
    contract = models.ForeignKey(
        Contract,
        verbose_name=_("contract"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="invoices",
    )
    # The responsible manager on issued_on (ownership ledger); None only for a date before any ownership.
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    net_total = models.DecimalField(_("net amount"), **MONEY)
    vat_total = models.DecimalField(_("VAT"), **MONEY)
    total = models.DecimalField(_("total"), **MONEY)
    net_total_base = models.DecimalField(_("net amount, base currency"), **MONEY)
    cost_total_base = models.DecimalField(_("cost, base currency"), **MONEY)
    total_base = models.DecimalField(_("total, base currency"), **MONEY)
    credited_total = models.DecimalField(_("credited"), default=0, **MONEY)
    paid_total = models.DecimalField(_("paid"), default=0, **MONEY)
    open_amount = models.DecimalField(_("open"), default=0, **MONEY)
    # A pushing system's id (1C, billing): a retried push with the same id and content returns this document,
    # with other content it is refused. `fingerprint` is the hash of the content pushed.
    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    objects = AccountScopedManager("account")

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "number"], name="revenue_invoice_number_unique"),
            models.UniqueConstraint(
                fields=["kind", "external_id"],
                condition=~Q(external_id=""),
                name="revenue_invoice_external_id_unique",
            ),
            models.CheckConstraint(
                condition=(Q(kind="invoice") & Q(corrects__isnull=True) & Q(total__gte=0))
                | (Q(kind="credit_note") & Q(corrects__isnull=False) & Q(total__lte=0) & Q(open_amount=0)),
                name="revenue_invoice_kind_shape",
            ),
            models.CheckConstraint(
                condition=Q(due_on__gte=F("issued_on")), name="revenue_invoice_due_after_issue"
            ),
            models.CheckConstraint(
                condition=Q(paid_total__gte=0) & Q(credited_total__gte=0) & Q(open_amount__gte=0),
                name="revenue_invoice_settlement_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["account", "issued_on"]),
            # The invoices list, newest first (-issued_on, -id), and its keyset pages' row comparison
            # (issued_on, id) < (…): read backwards, for whoever sees many accounts' documents.
            models.Index(fields=["issued_on", "id"], name="revenue_invoice_recent"),
            # An account's first invoice (the kind of sale: new business in its first months) in one index step.
            models.Index(fields=["account", "kind", "issued_on"], name="revenue_invoice_first_of_kind"),
            models.Index(fields=["manager", "issued_on"]),
            # Covering (open_amount, rate): receivables and balances sum round(open_amount × rate) per account
            # from the index alone, without reading the invoice rows (bench/README.md, issue 11). Key columns,
            # not INCLUDE, which SQLite (the demo) does not have.
            models.Index(
                fields=["account", "due_on", "open_amount", "rate"],
                condition=Q(open_amount__gt=0),
                name="revenue_invoice_open_cover",
            ),
            models.Index(fields=["due_on"], condition=Q(open_amount__gt=0), name="revenue_invoice_open_due"),
        ]

    def __str__(self) -> str:
        return self.number


class InvoiceLine(models.Model):
    """A line, rounded to the kopeck (half up) on its own; the invoice's totals are sums of rounded lines.
    `account`, `issued_on` and `product_line` are copies of the invoice's and product's, for set-based
    analytics over tens of millions of lines without joins."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    issued_on = models.DateField()
    product = models.ForeignKey(
        Product, verbose_name=_("product"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    product_line = models.ForeignKey(
        ProductLine, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    unit_price = models.DecimalField(_("price"), **MONEY)
    discount_percent = models.DecimalField(_("discount, %"), default=0, **PERCENT)
    price_source = models.CharField(
        _("price from"), max_length=10, choices=PriceSource.choices, default=PriceSource.MANUAL
    )
    net_amount = models.DecimalField(_("net amount"), **MONEY)
    vat_category = models.CharField(_("VAT category"), max_length=10, choices=VatCategory.choices)
    vat_percent = models.DecimalField(_("VAT, %"), null=True, blank=True, **PERCENT)
    vat_amount = models.DecimalField(_("VAT"), **MONEY)
    total_amount = models.DecimalField(_("total"), **MONEY)
    unit_cost = models.DecimalField(_("unit cost"), default=0, **MONEY)
    cost_amount = models.DecimalField(_("cost"), default=0, **MONEY)
    net_amount_base = models.DecimalField(_("net amount, base currency"), **MONEY)
    cost_amount_base = models.DecimalField(_("cost, base currency"), **MONEY)
    objects = AccountScopedManager("account")

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["invoice_id", "id"]
        indexes = [models.Index(fields=["account", "issued_on"])]

    def __str__(self) -> str:
        return f"{self.invoice_id}: {self.description or self.product_id} x {self.quantity}"


class Payment(models.Model):
    """Money received from the client, allocated to his invoices (explicitly or oldest first); what is not
    allocated is his credit."""

    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.PROTECT, related_name="payments"
    )
    received_on = models.DateField(_("received"))
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = _currency_field(default=Currency.RUB)
    rate = models.DecimalField(_("rate to the base currency"), **RATE)
    amount_base = models.DecimalField(_("amount, base currency"), **MONEY)
    allocated_amount = models.DecimalField(_("allocated"), default=0, **MONEY)
    reference = models.CharField(_("payment document"), max_length=100, blank=True)
    # The responsible manager on received_on (ownership ledger): the bonus on paid money goes to him.
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    objects = AccountScopedManager("account")

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-received_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~Q(external_id=""),
                name="revenue_payment_external_id_unique",
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0) & Q(allocated_amount__gte=0) & Q(allocated_amount__lte=F("amount")),
                name="revenue_payment_allocation_within_amount",
            ),
        ]
        indexes = [
            models.Index(fields=["account", "received_on"]),
            models.Index(fields=["manager", "received_on"]),
            models.Index(
                fields=["account"],
                condition=Q(allocated_amount__lt=F("amount")),
                name="revenue_payment_unallocated",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.received_on} {self.amount} {self.currency}"


class PaymentAllocation(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="allocations")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="allocations")
    amount = models.DecimalField(_("amount"), **MONEY)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    objects = AccountScopedManager("invoice__account")

    class Meta:
        verbose_name = _("payment allocation")
        verbose_name_plural = _("payment allocations")
        constraints = [
            models.UniqueConstraint(fields=["payment", "invoice"], name="revenue_allocation_once_per_pair"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="revenue_allocation_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.payment_id} -> {self.invoice_id}: {self.amount}"


class AccountRevenueMonth(models.Model):
    """Per account, month and product line: net revenue and cost in the base currency of the invoice lines
    issued that month (credit notes negative, in their own month). Kept by the invoicing services; cards,
    charts and analytics read it instead of the lines."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="The first day of the month.")
    product_line = models.ForeignKey(
        ProductLine, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    net_base = models.DecimalField(**MONEY)
    cost_base = models.DecimalField(**MONEY)
    lines = models.PositiveIntegerField(default=0)
    objects = AccountScopedManager("account")

    class Meta:
        verbose_name = _("monthly revenue")
        verbose_name_plural = _("monthly revenue")
        constraints = [
            models.UniqueConstraint(
                fields=["account", "month", "product_line"],
                condition=Q(product_line__isnull=False),
                name="revenue_month_one_per_line",
            ),
            models.UniqueConstraint(
                fields=["account", "month"],
                condition=Q(product_line__isnull=True),
                name="revenue_month_one_unlined",
            ),
        ]
        indexes = [models.Index(fields=["account", "month"])]

    def __str__(self) -> str:
        return f"{self.account_id} {self.month:%Y-%m} {self.product_line_id}: {self.net_base}"


class DocumentCounter(models.Model):
    """The last number given to a kind of document in a year ("СЧ-2026-000041"): the row is locked (select for
    update) while a number is taken, so concurrent issues never get the same one and numbering costs one
    indexed row, not a scan of the invoices."""

    kind = models.CharField(max_length=12)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "year"], name="revenue_counter_one_per_year")]

    def __str__(self) -> str:
        return f"{self.kind} {self.year}: {self.last}"


class AccountReceivable(models.Model):
    """What an account owes, in the base currency, aged on `as_of`: the receivables page reads these rows
    instead of summing every open invoice per request. Derived: kept by the services that change an
    invoice's open amount (balances.refresh_receivable, same transaction) and rebuilt each morning, when the
    buckets shift (balances.rebuild_receivables). A row exists only while something is open on the account."""

    account = models.OneToOneField(Account, primary_key=True, on_delete=models.CASCADE, related_name="+")
    as_of = models.DateField(help_text="The day the buckets are aged at.")
    open_base = models.DecimalField(**MONEY)
    overdue_base = models.DecimalField(**MONEY)
    not_due = models.DecimalField(**MONEY)
    d1_30 = models.DecimalField(**MONEY)
    d31_60 = models.DecimalField(**MONEY)
    d61_90 = models.DecimalField(**MONEY)
    d90_plus = models.DecimalField(**MONEY)
    oldest_due_on = models.DateField()
    objects = AccountScopedManager("account")

    class Meta:
        verbose_name = _("receivable")
        verbose_name_plural = _("receivables")
        indexes = [
            models.Index(F("overdue_base").desc(), name="revenue_receivable_overdue"),
            models.Index(F("open_base").desc(), name="revenue_receivable_open"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} on {self.as_of}: {self.open_base}"
