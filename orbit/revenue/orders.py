"""Orders: the client's application with its lines, tracked new → confirmed → shipped → delivered (or
cancelled), and made into an invoice. One keyword-only function per use case, permission first.

Prices. A line without a price takes `pricing.quote` on the day the order was received (the client's agreement,
else the loyalty discount, else the list price) and records where the price came from; a price typed by hand is
`manual`. VAT is the rate in force on the received day (`rates.vat_on`). Each line is rounded to the kopeck on its
own (half up) and the order's totals are the sums of its rounded lines, as the ledger's rules say (models.py).

Invoicing. An order is invoiced once, from its lines, when it is confirmed, shipped or delivered (not while new,
never when cancelled). A second invoice is refused while the first stands; once it is fully credited (the
correction took it all back) the order may be invoiced again. The invoice takes the VAT of its own date (the tax
point), so across a change of the rate its VAT differs from the order's, which was an estimate on the received day.
"""

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from orbit.access.policy import can_view_account
from orbit.accounts import open_work
from orbit.accounts.models import Account, AccountStatus, Currency
from orbit.common.errors import ConflictError
from orbit.common.validators import validate_reasonable_date
from orbit.org.models import User
from orbit.revenue import invoicing, pricing
from orbit.revenue.models import (
    Contract,
    ContractStatus,
    Invoice,
    InvoiceKind,
    Order,
    OrderLine,
    OrderStatus,
    PriceSource,
    Product,
)
from orbit.revenue.money import round_money
from orbit.revenue.permissions import can_bill
from orbit.revenue.rates import vat_on

# A clock a few minutes ahead on the client's or Orbit's side is not "the future" (as touches allow).
CLOCK_SKEW = dt.timedelta(minutes=5)
HUNDRED = Decimal(100)
QUANTITY_PLACES = Decimal("0.001")
OPEN = (OrderStatus.NEW, OrderStatus.CONFIRMED, OrderStatus.SHIPPED)
INVOICEABLE = (OrderStatus.CONFIRMED, OrderStatus.SHIPPED, OrderStatus.DELIVERED)


@dataclass(frozen=True)
class OrderLineInput:
    product: Product
    quantity: Decimal
    unit_price: Decimal | None = None  # None: the quote's price on the received day
    discount_percent: Decimal | None = None  # None: the quote's discount (0 with a price typed by hand)


def line_amounts(
    quantity: Decimal, unit_price: Decimal, discount_percent: Decimal, vat_percent: Decimal | None
) -> tuple[Decimal, Decimal]:
    """(net, VAT) of one line, each rounded to the kopeck half up: net = qty × price × (100 − discount) / 100,
    VAT = net × rate / 100 (0 without VAT)."""
    net = round_money(quantity * unit_price * (HUNDRED - discount_percent) / HUNDRED)
    vat = round_money(net * vat_percent / HUNDRED) if vat_percent is not None else Decimal("0.00")
    return net, vat


def _require_bill(by: User, account: Account) -> None:
    if not can_bill(by, account):
        raise PermissionDenied(_("You may not change this account's orders."))


def _check_account(account: Account) -> None:
    if account.archived_at is not None:
        raise ValidationError(
            {"account": _("The account is archived: restore it before taking its orders.")}, code="archived"
        )
    if account.status == AccountStatus.PROSPECT:
        raise ValidationError(
            {"account": _("A prospect places no orders yet: hand the client over to a manager first.")},
            code="prospect",
        )


def _check_version(order: Order, expected: int | None) -> None:
    if expected is not None and order.version != expected:
        raise ConflictError(
            _(
                "The order was changed by someone else meanwhile (version %(theirs)s, yours %(yours)s). "
                "Reload to see its state."
            )
            % {"theirs": order.version, "yours": expected},
            current=order,
        )


def _price_lines(
    account: Account, day: dt.date, currency: str, lines: list[OrderLineInput]
) -> tuple[list[OrderLine], list[str]]:
    """The lines with their prices, VAT and amounts; the problems as "Line N: ..." messages."""
    built: list[OrderLine] = []
    problems: list[str] = []
    for n, line in enumerate(lines, start=1):
        try:
            built.append(_price_line(account, day, currency, line))
        except ValidationError as exc:
            problems.extend(_("Line %(n)s: %(problem)s") % {"n": n, "problem": m} for m in exc.messages)
    return built, problems


def _price_line(account: Account, day: dt.date, currency: str, line: OrderLineInput) -> OrderLine:
    product = line.product
    if product is None:
        raise ValidationError(_("choose a product."))
    if not product.is_active:
        raise ValidationError(_("%(product)s is not on sale.") % {"product": product})
    quantity = line.quantity
    if quantity is None or quantity <= 0:
        raise ValidationError(_("the quantity must be above zero."))
    if quantity != quantity.quantize(QUANTITY_PLACES):
        raise ValidationError(_("at most three digits after the decimal point in the quantity."))
    if line.unit_price is not None and line.unit_price < 0:
        raise ValidationError(_("the price cannot be negative."))
    if line.discount_percent is not None and not (0 <= line.discount_percent < HUNDRED):
        raise ValidationError(_("the discount is from 0 to 99.99 %."))
    if line.unit_price is None:
        quote = pricing.quote(account=account, product=product, day=day, currency=currency, quantity=quantity)
        unit_price = quote.unit_price
        discount = quote.discount_percent if line.discount_percent is None else line.discount_percent
        source = quote.source if line.discount_percent is None else PriceSource.MANUAL
    else:
        unit_price = line.unit_price
        discount = line.discount_percent if line.discount_percent is not None else Decimal(0)
        source = PriceSource.MANUAL
    vat_percent = vat_on(product.vat_category, day)
    net, vat = line_amounts(quantity, unit_price, discount, vat_percent)
    return OrderLine(
        product=product,
        quantity=quantity,
        unit_price=unit_price,
        discount_percent=discount,
        price_source=source,
        net_amount=net,
        vat_category=product.vat_category,
        vat_percent=vat_percent,
        vat_amount=vat,
    )


def _next_number(order: Order) -> str:
    """ORD-000123 from the order's id; a hand-typed number that took it gets a suffix."""
    base = f"ORD-{order.pk:06d}"
    number, n = base, 1
    while Order.objects.filter(number=number).exclude(pk=order.pk).exists():
        n += 1
        number = f"{base}-{n}"
    return number


@transaction.atomic
def order_create(
    *,
    by: User,
    account: Account,
    received_at: dt.datetime,
    currency: str,
    lines: list[OrderLineInput],
    promised_on: dt.date | None = None,
    contract: Contract | None = None,
    number: str = "",
    note: str = "",
    manager: User | None = None,
    opportunity=None,
) -> Order:
    """A new order with its priced lines; `manager` defaults to the account's responsible manager. `opportunity`:
    the won opportunity of this account the order fulfils (growth's Opportunity; the kind of sale)."""
    _require_bill(by, account)
    locked = Account.objects.select_for_update().get(pk=account.pk)
    _check_account(locked)
    errors: dict[str, list[str]] = {}

    def error(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    number = (number or "").strip()
    if number and Order.objects.filter(number=number).exists():
        error("number", _("An order numbered %(number)s exists already.") % {"number": number})
    if currency not in Currency.values:
        error("currency", _("Choose a currency from the list."))
    if received_at is None:
        error("received_at", _("Say when the client sent the order."))
    elif received_at > timezone.now() + CLOCK_SKEW:
        error("received_at", _("An order cannot be received in the future."))
    else:
        try:
            validate_reasonable_date(received_at)
        except ValidationError as exc:
            error("received_at", exc.messages[0])
    received_day = timezone.localdate(received_at) if "received_at" not in errors else None
    if promised_on is not None:
        try:
            validate_reasonable_date(promised_on)
        except ValidationError as exc:
            error("promised_on", exc.messages[0])
        else:
            if received_day is not None and promised_on < received_day:
                error("promised_on", _("Delivery cannot be promised before the order was received."))
    if contract is not None:
        if contract.account_id != locked.pk:
            error("contract", _("Choose a contract of this account."))
        elif contract.status == ContractStatus.TERMINATED:
            error("contract", _("The contract is terminated: choose another one or none."))
    if opportunity is not None:
        if opportunity.account_id != locked.pk:
            error("opportunity", _("Choose an opportunity of this account."))
        elif opportunity.status != "won":
            error("opportunity", _("Only a won opportunity is fulfilled by an order."))
    if manager is None:
        manager = locked.responsible_manager
    elif not (manager.is_active and can_view_account(manager, locked)):
        error(
            "manager",
            _("%(name)s cannot see this account: choose someone who works with it.") % {"name": manager},
        )
    if not lines:
        error("lines", _("Add at least one line."))
    built: list[OrderLine] = []
    if received_day is not None and "currency" not in errors and lines:
        built, problems = _price_lines(locked, received_day, currency, lines)
        for problem in problems:
            error("lines", problem)
    if errors:
        raise ValidationError(errors)
    assert received_day is not None
    net = sum((line.net_amount for line in built), Decimal("0.00"))
    vat = sum((line.vat_amount for line in built), Decimal("0.00"))
    order = Order(
        account=locked,
        number=number or f"new-{uuid.uuid4()}",  # replaced by ORD-<id> below, in this transaction
        contract=contract,
        opportunity=opportunity,
        received_at=received_at,
        currency=currency,
        promised_on=promised_on,
        manager=manager,
        net_total=net,
        vat_total=vat,
        total=net + vat,
        note=note,
        created_by=by,
    )
    try:
        with transaction.atomic():
            order.save()
    except IntegrityError as exc:  # a concurrent order took the number between the check and the save
        raise ValidationError(
            {"number": _("An order numbered %(number)s exists already.") % {"number": number}}
        ) from exc
    if not number:
        order.number = _next_number(order)
        order.save(update_fields=["number"])
    for line in built:
        line.order = order
    OrderLine.objects.bulk_create(built)
    return order


def _locked(order: Order, version: int | None) -> Order:
    locked = Order.objects.select_for_update().select_related("account").get(pk=order.pk)
    _check_version(locked, version)
    return locked


def _save_step(order: Order, *fields: str) -> Order:
    order.version += 1
    order.save(update_fields=["status", *fields, "version", "updated_at"])
    return order


def _status_label(order: Order) -> str:
    return str(OrderStatus(order.status).label)


@transaction.atomic
def order_confirm(*, by: User, order: Order, version: int | None = None) -> Order:
    _require_bill(by, order.account)
    locked = _locked(order, version)
    if locked.status != OrderStatus.NEW:
        raise ValidationError(
            {
                "status": _("Only a new order can be confirmed; this one is «%(status)s».")
                % {"status": _status_label(locked)}
            }
        )
    locked.status, locked.confirmed_at = OrderStatus.CONFIRMED, timezone.now()
    return _save_step(locked, "confirmed_at")


@transaction.atomic
def order_ship(*, by: User, order: Order, version: int | None = None) -> Order:
    _require_bill(by, order.account)
    locked = _locked(order, version)
    if locked.status == OrderStatus.NEW:
        raise ValidationError({"status": _("Confirm the order before shipping it.")})
    if locked.status != OrderStatus.CONFIRMED:
        raise ValidationError(
            {
                "status": _("Only a confirmed order can be shipped; this one is «%(status)s».")
                % {"status": _status_label(locked)}
            }
        )
    locked.status, locked.shipped_at = OrderStatus.SHIPPED, timezone.now()
    return _save_step(locked, "shipped_at")


@transaction.atomic
def order_deliver(*, by: User, order: Order, delivered_on: dt.date, version: int | None = None) -> Order:
    """The client received the goods on `delivered_on` (the actual day: today or earlier, not before shipping)."""
    _require_bill(by, order.account)
    locked = _locked(order, version)
    if locked.status in (OrderStatus.NEW, OrderStatus.CONFIRMED):
        raise ValidationError({"status": _("Ship the order before marking it delivered.")})
    if locked.status != OrderStatus.SHIPPED:
        raise ValidationError(
            {
                "status": _("Only a shipped order can be delivered; this one is «%(status)s».")
                % {"status": _status_label(locked)}
            }
        )
    if delivered_on is None:
        raise ValidationError({"delivered_on": _("Enter the day the client received the goods.")})
    if delivered_on > timezone.localdate():
        raise ValidationError({"delivered_on": _("The delivery day cannot be in the future.")})
    assert locked.shipped_at is not None
    shipped_day = timezone.localdate(locked.shipped_at)
    if delivered_on < shipped_day:
        raise ValidationError(
            {
                "delivered_on": _("The order was shipped on %(day)s: it cannot be delivered before that.")
                % {"day": shipped_day.strftime("%d.%m.%Y")}
            }
        )
    locked.status, locked.delivered_on = OrderStatus.DELIVERED, delivered_on
    return _save_step(locked, "delivered_on")


@transaction.atomic
def order_cancel(*, by: User, order: Order, reason: str, version: int | None = None) -> Order:
    _require_bill(by, order.account)
    locked = _locked(order, version)
    if locked.status not in OPEN:
        raise ValidationError(
            {
                "status": _("A %(status)s order cannot be cancelled.")
                % {"status": _status_label(locked).lower()}
            }
        )
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the order is cancelled.")})
    if locked.invoices.filter(kind=InvoiceKind.INVOICE, credited_total__lt=F("total")).exists():
        raise ValidationError(
            {"status": _("The order is invoiced: credit its invoice in full before cancelling the order.")}
        )
    locked.status, locked.cancelled_at = OrderStatus.CANCELLED, timezone.now()
    locked.cancel_reason = reason.strip()[:300]
    return _save_step(locked, "cancelled_at", "cancel_reason")


def standing_invoice(order: Order) -> Invoice | None:
    """The order's invoice that is not fully credited (at most one: `order_invoice` keeps it so)."""
    return (
        Invoice.objects.filter(order=order, kind=InvoiceKind.INVOICE)
        .filter(Q(credited_total__lt=F("total")) | Q(total=0))
        .order_by("-issued_on", "-id")
        .first()
    )


@transaction.atomic
def order_invoice(*, by: User, order: Order, issued_on: dt.date, due_on: dt.date | None = None) -> Invoice:
    """An invoice of the order's lines, at the order's prices and discounts, linked to the order (and its
    contract). Refused while an earlier invoice of the order stands (not fully credited)."""
    _require_bill(by, order.account)
    locked = _locked(order, None)
    if locked.status not in INVOICEABLE:
        raise ValidationError(
            {
                "status": _("Confirm the order before invoicing it.")
                if locked.status == OrderStatus.NEW
                else _("A cancelled order is not invoiced.")
            }
        )
    earlier = standing_invoice(locked)
    if earlier is not None:
        raise ValidationError(
            {
                "status": _(
                    "The order is invoiced already (%(number)s). Credit that invoice in full to invoice it again."
                )
                % {"number": earlier.number}
            }
        )
    lines = [
        invoicing.LineInput(
            product=line.product,
            quantity=line.quantity,
            unit_price=line.unit_price,
            discount_percent=line.discount_percent,
            vat_category=line.vat_category,
            price_source=line.price_source,
        )
        for line in locked.lines.select_related("product").order_by("id")
    ]
    return invoicing.invoice_issue(
        by=by,
        account=locked.account,
        issued_on=issued_on,
        currency=locked.currency,
        lines=lines,
        due_on=due_on,
        order=locked,
        contract=locked.contract,
    )


# Responsibility moves: the open orders follow the account to its new manager ---------------------------------


@open_work.register
def move_open_orders(*, account: Account, frm: User, to: User) -> int:
    return Order.objects.filter(account=account, manager=frm, status__in=OPEN).update(
        manager=to, version=F("version") + 1, updated_at=timezone.now()
    )


@open_work.register_release
def release_open_orders(*, account: Account, frm: User, to: User | None) -> int:
    """He leaves the account's team and nobody takes his work: his open orders lose their manager (an order is
    the client's, it is not cancelled for that); with someone to take them, the mover above moved them."""
    if to is not None:
        return 0
    return Order.objects.filter(account=account, manager=frm, status__in=OPEN).update(
        manager=None, version=F("version") + 1, updated_at=timezone.now()
    )
