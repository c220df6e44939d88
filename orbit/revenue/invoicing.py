"""Issuing invoices and credit notes: the only writers of Invoice, InvoiceLine and (with payments) of the
derived settlement fields; `AccountRevenueMonth` is kept in the same transaction.

Arithmetic (every step to the kopeck, half up, `money.round_money`):
  net = round(quantity × unit_price × (1 − discount/100)); vat = round(net × vat% / 100) with the percent of the
  line's category on the document's date (exempt: vat 0, percent NULL); total = net + vat;
  cost = round(quantity × unit_cost); base amounts = round(amount × rate).
The document's totals are sums of its rounded lines; total_base = round(total × rate).
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from orbit.accounts import ownership
from orbit.accounts.models import Account, AccountStatus
from orbit.revenue import balances, numbering, pricing, rates
from orbit.revenue.fingerprints import fingerprint, replay
from orbit.revenue.models import (
    AccountRevenueMonth,
    Contract,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    Order,
    Payment,
    PaymentAllocation,
    PriceSource,
    Product,
    VatCategory,
)
from orbit.revenue.money import MONEY_LIMIT, decimal_places, round_money
from orbit.revenue.permissions import require_bill

ZERO = Decimal(0)
HUNDRED = Decimal(100)
# Orbit's default payment term when an invoice is issued without a due date (days after issue).
DEFAULT_PAYMENT_DAYS = 14
# The largest quantity a QUANTITY column (16 digits, 3 places) holds, exclusive; money: `money.MONEY_LIMIT`.
QUANTITY_LIMIT = Decimal(10) ** 13


@dataclass(frozen=True)
class LineInput:
    """One line as entered or pushed; None fields are filled from `pricing.quote` and the product (a line
    without a product needs unit_price, description and vat_category)."""

    product: Product | None = None
    quantity: Decimal = Decimal(1)
    unit_price: Decimal | None = None
    discount_percent: Decimal | None = None
    description: str = ""
    unit_cost: Decimal | None = None
    vat_category: str | None = None
    # Where a given unit_price came from (an order line passes its own); None: typed by hand.
    price_source: str | None = None


class _Errors:
    """Field errors gathered over the whole input, raised at once (the form shows them all)."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[str]] = defaultdict(list)

    def add(self, field: str, message: str) -> None:
        self.by_field[field].append(message)

    def absorb(self, error: ValidationError, *, line: int | None = None, field: str | None = None) -> None:
        for key, messages in error.message_dict.items():
            for message in messages:
                if line is not None:
                    self.add("lines", _line_message(line, message))
                else:
                    self.add(field or key, message)

    def raise_any(self) -> None:
        if self.by_field:
            raise ValidationError(dict(self.by_field))


def _line_message(n: int, message: str) -> str:
    return _("Line %(n)s: %(error)s") % {"n": n, "error": message}


def as_decimal(value: Decimal | int) -> Decimal:
    if isinstance(value, float):
        raise TypeError("money and quantities are Decimal, never float")
    return Decimal(value)


def fill_line(
    n: int,
    line: LineInput,
    *,
    account: Account,
    currency: str,
    price_day: dt.date,
    vat_day: dt.date,
    rate: Decimal,
    credit: bool,
    errors: _Errors,
    template: dict[int, InvoiceLine] | None = None,
) -> InvoiceLine | None:
    """The unsaved line with every amount computed, or None with the reasons added to `errors` ("Line N: ...").
    `template`: for a credit note, the corrected invoice's lines by product (their price is the default)."""
    before = len(errors.by_field.get("lines", []))
    unit_price, discount, unit_cost, category = (
        line.unit_price,
        line.discount_percent,
        line.unit_cost,
        line.vat_category,
    )
    source = PriceSource(line.price_source) if line.price_source else PriceSource.MANUAL
    description = line.description.strip()
    if line.product is None:
        if unit_price is None:
            errors.add("lines", _line_message(n, _("enter the price or choose a product.")))
        if not description:
            errors.add("lines", _line_message(n, _("enter a description or choose a product.")))
        if category is None:
            errors.add("lines", _line_message(n, _("choose the VAT category.")))
    else:
        description = description or line.product.name
        category = category or line.product.vat_category
        original = (template or {}).get(line.product.pk)
        if original is not None and unit_price is None:
            unit_price, source = original.unit_price, PriceSource(original.price_source)
            discount = original.discount_percent if discount is None else discount
            unit_cost = original.unit_cost if unit_cost is None else unit_cost
        elif unit_price is None or unit_cost is None or discount is None:
            try:
                offer = pricing.quote(
                    account=account,
                    product=line.product,
                    day=price_day,
                    currency=currency,
                    quantity=line.quantity,
                )
            except ValidationError as exc:
                errors.absorb(exc, line=n)
            else:
                if unit_price is None:
                    unit_price = offer.unit_price
                    if discount is None:  # a discount typed over the quote makes the price manual
                        discount, source = offer.discount_percent, offer.source
                unit_cost = offer.unit_cost if unit_cost is None else unit_cost
    # Decimal(int) is exact; a float would carry binary noise into money, so it is a programming error here.
    discount = ZERO if discount is None else as_decimal(discount)
    unit_cost = ZERO if unit_cost is None else as_decimal(unit_cost)
    unit_price = None if unit_price is None else as_decimal(unit_price)
    quantity = as_decimal(line.quantity)
    if credit and quantity >= 0:
        errors.add(
            "lines", _line_message(n, _("a credit note's quantity must be negative (goods returned)."))
        )
    if not credit and quantity <= 0:
        errors.add(
            "lines",
            _line_message(n, _("the quantity must be positive; to return goods, issue a credit note.")),
        )
    if decimal_places(quantity) > 3:
        errors.add("lines", _line_message(n, _("at most 3 digits after the decimal point in the quantity.")))
    if abs(quantity) >= QUANTITY_LIMIT:
        errors.add("lines", _line_message(n, _("the quantity is too large.")))
    if len(description) > 300:
        errors.add("lines", _line_message(n, _("the description is longer than 300 characters.")))
    if unit_price is not None:
        if unit_price < 0:
            errors.add("lines", _line_message(n, _("the price cannot be negative.")))
        if decimal_places(unit_price) > 2 or unit_price >= MONEY_LIMIT:
            errors.add("lines", _line_message(n, _("the price must be an amount in kopecks.")))
    if unit_cost < 0 or decimal_places(unit_cost) > 2 or unit_cost >= MONEY_LIMIT:
        errors.add("lines", _line_message(n, _("the cost must be a non-negative amount in kopecks.")))
    if not (ZERO <= discount <= HUNDRED) or decimal_places(discount) > 2:
        errors.add("lines", _line_message(n, _("the discount must be between 0 and 100 %.")))
    percent: Decimal | None = None
    if category is not None:
        if category not in VatCategory.values:
            errors.add("lines", _line_message(n, _("unknown VAT category.")))
        else:
            try:
                percent = rates.vat_on(category, vat_day)
            except ValidationError as exc:
                errors.absorb(exc, line=n)
    if len(errors.by_field.get("lines", [])) > before or unit_price is None or category is None:
        return None
    net = round_money(quantity * unit_price * (1 - discount / HUNDRED))
    vat = round_money(net * percent / HUNDRED) if percent is not None else ZERO
    cost = round_money(quantity * unit_cost)
    if abs(net + vat) >= MONEY_LIMIT or abs(round_money((net + vat) * rate)) >= MONEY_LIMIT:
        errors.add("lines", _line_message(n, _("the amount is too large.")))
        return None
    return InvoiceLine(
        account=account,
        product=line.product,
        product_line_id=line.product.product_line_id if line.product else None,
        description=description,
        quantity=quantity,
        unit_price=unit_price,
        discount_percent=discount,
        price_source=source,
        net_amount=net,
        vat_category=category,
        vat_percent=percent,
        vat_amount=vat,
        total_amount=net + vat,
        unit_cost=unit_cost,
        cost_amount=cost,
        net_amount_base=round_money(net * rate),
        cost_amount_base=round_money(cost * rate),
    )


def apply_totals(document: Invoice, lines: list[InvoiceLine]) -> None:
    """The document's totals: sums of its rounded lines (never the rounding of an unrounded sum)."""
    document.net_total = sum((x.net_amount for x in lines), ZERO)
    document.vat_total = sum((x.vat_amount for x in lines), ZERO)
    document.total = sum((x.total_amount for x in lines), ZERO)
    document.net_total_base = sum((x.net_amount_base for x in lines), ZERO)
    document.cost_total_base = sum((x.cost_amount_base for x in lines), ZERO)
    document.total_base = round_money(document.total * document.rate)


def add_to_months(lines: list[InvoiceLine]) -> None:
    """Add the lines' base net, cost and count to their (account, month, product line) rows. The caller holds
    the account's lock, so the update-or-create cannot race another writer of the same account."""
    sums: dict[tuple[int, dt.date, int | None], list[Any]] = {}
    for x in lines:
        key = (x.account_id, x.issued_on.replace(day=1), x.product_line_id)
        row = sums.setdefault(key, [ZERO, ZERO, 0])
        row[0] += x.net_amount_base
        row[1] += x.cost_amount_base
        row[2] += 1
    for (account_id, month, product_line_id), (net, cost, count) in sums.items():
        updated = AccountRevenueMonth.objects.filter(
            account_id=account_id, month=month, product_line_id=product_line_id
        ).update(net_base=F("net_base") + net, cost_base=F("cost_base") + cost, lines=F("lines") + count)
        if not updated:
            AccountRevenueMonth.objects.create(
                account_id=account_id,
                month=month,
                product_line_id=product_line_id,
                net_base=net,
                cost_base=cost,
                lines=count,
            )


def _lines_content(lines: list[LineInput]) -> list[dict[str, Any]]:
    return [
        {
            "product": x.product.pk if x.product else None,
            "quantity": x.quantity,
            "unit_price": x.unit_price,
            "discount_percent": x.discount_percent,
            "description": x.description.strip(),
            "unit_cost": x.unit_cost,
            "vat_category": x.vat_category,
        }
        for x in lines
    ]


def check_account_billable(account: Account, errors: _Errors) -> None:
    if account.archived_at is not None:
        errors.add("account", _("The account is archived: restore it before issuing documents."))
    elif account.status == AccountStatus.PROSPECT:
        errors.add(
            "account", _("The account is a prospect: documents are issued to clients (won accounts) only.")
        )


def _locked_account(account: Account) -> Account:
    return Account.objects.select_for_update().get(pk=account.pk)


def _insert(document: Invoice, lines: list[InvoiceLine], conflict_message: str) -> Invoice:
    """Insert the document in a savepoint: a concurrent push of the same external id that committed first
    makes the unique constraint fire; then that document is the answer (or a conflict)."""
    try:
        with transaction.atomic():
            document.save(force_insert=True)
    except IntegrityError:
        if document.external_id:
            existing = Invoice.objects.filter(kind=document.kind, external_id=document.external_id).first()
            if existing is not None:
                return replay(existing, document.fingerprint, conflict_message)
        if Invoice.objects.filter(kind=document.kind, number=document.number).exists():
            raise ValidationError(
                {"number": _("The number %(number)s is already taken.") % {"number": document.number}}
            ) from None
        raise
    for x in lines:
        x.invoice = document
        x.issued_on = document.issued_on
    InvoiceLine.objects.bulk_create(lines)
    add_to_months(lines)
    return document


def too_long(model: type[models.Model], field: str, value: str) -> str | None:
    """The error for text longer than its column (never cut silently), or None."""
    limit = getattr(model._meta.get_field(field), "max_length", None)
    if limit is not None and len(value) > limit:
        return _("At most %(limit)s characters (now %(length)s).") % {"limit": limit, "length": len(value)}
    return None


def check_lengths(errors: _Errors, **values: str) -> None:
    for field, value in values.items():
        if message := too_long(Invoice, field, value):
            errors.add(field, message)


def _check_number(kind: str, number: str, errors: _Errors) -> None:
    if number and Invoice.objects.filter(kind=kind, number=number).exists():
        errors.add("number", _("The number %(number)s is already taken.") % {"number": number})


@transaction.atomic
def invoice_issue(
    *,
    by,
    account: Account,
    issued_on: dt.date,
    currency: str,
    lines: list[LineInput],
    due_on: dt.date | None = None,
    number: str = "",
    order: Order | None = None,
    contract: Contract | None = None,
    external_id: str = "",
    note: str = "",
) -> Invoice:
    """Issue an invoice. Refused (ValidationError, nothing saved): an archived account or a prospect, a
    currency with no rate on issued_on, due_on before issued_on, no lines, a line with a non-positive quantity,
    a negative price or a discount outside 0–100. A repeated push (same external_id and content) returns the
    first invoice; other content under the same external_id is a conflict."""
    require_bill(by, account)
    number, external_id = number.strip(), external_id.strip()
    digest = ""
    conflict_message = _("An invoice with external id “%(id)s” was already received with other content.") % {
        "id": external_id
    }
    if external_id:
        digest = fingerprint(
            {
                "kind": InvoiceKind.INVOICE,
                "account": account.pk,
                "issued_on": issued_on,
                "due_on": due_on,
                "currency": currency,
                "number": number,
                "order": order.pk if order else None,
                "contract": contract.pk if contract else None,
                "lines": _lines_content(lines),
            }
        )
        existing = Invoice.objects.filter(kind=InvoiceKind.INVOICE, external_id=external_id).first()
        if existing is not None:
            return replay(existing, digest, conflict_message)

    errors = _Errors()
    check_account_billable(account, errors)
    due = due_on or issued_on + dt.timedelta(days=DEFAULT_PAYMENT_DAYS)
    if due < issued_on:
        errors.add("due_on", _("The due date cannot be earlier than the invoice date."))
    if order is not None and order.account_id != account.pk:
        errors.add("order", _("The order belongs to another account."))
    if contract is not None and contract.account_id != account.pk:
        errors.add("contract", _("The contract belongs to another account."))
    check_lengths(errors, number=number, external_id=external_id, note=note.strip())
    _check_number(InvoiceKind.INVOICE, number, errors)
    rate = Decimal(1)
    try:
        rate = rates.rate_on(currency, issued_on)
    except ValidationError as exc:
        errors.absorb(exc, field="currency")
    if not lines:
        errors.add("lines", _("Add at least one line."))
    built = [
        fill_line(
            n,
            line,
            account=account,
            currency=currency,
            price_day=issued_on,
            vat_day=issued_on,
            rate=rate,
            credit=False,
            errors=errors,
        )
        for n, line in enumerate(lines, start=1)
    ]
    errors.raise_any()
    computed = [x for x in built if x is not None]

    locked = _locked_account(account)
    if external_id:  # a concurrent push may have committed while we waited for the lock
        existing = Invoice.objects.filter(kind=InvoiceKind.INVOICE, external_id=external_id).first()
        if existing is not None:
            return replay(existing, digest, conflict_message)
    invoice = Invoice(
        account=locked,
        kind=InvoiceKind.INVOICE,
        number=number or numbering.next_number(InvoiceKind.INVOICE, issued_on),
        issued_on=issued_on,
        due_on=due,
        currency=currency,
        rate=rate,
        order=order,
        contract=contract,
        manager=ownership.responsible_on(locked, issued_on),
        external_id=external_id,
        fingerprint=digest,
        note=note.strip(),
        created_by=by,
    )
    apply_totals(invoice, computed)
    invoice.open_amount = invoice.total
    result = _insert(invoice, computed, conflict_message)
    balances.refresh_receivable(locked.pk, today=timezone.localdate())
    return result


def release_overpaid(invoice: Invoice) -> Decimal:
    """Take back allocations (latest first) until paid_total <= total − credited_total; the released money
    becomes the payments' unallocated rest, the client's credit. Returns the amount released. The caller holds
    the account's lock and has locked `invoice`."""
    excess = invoice.paid_total - (invoice.total - invoice.credited_total)
    released = ZERO
    if excess <= 0:
        return released
    allocations = (
        PaymentAllocation.objects.select_for_update()
        .filter(invoice=invoice)
        .order_by("-payment__received_on", "-created_at", "-id")
    )
    for allocation in allocations:
        if excess <= 0:
            break
        take = min(allocation.amount, excess)
        Payment.objects.filter(pk=allocation.payment_id).update(allocated_amount=F("allocated_amount") - take)
        if take == allocation.amount:
            allocation.delete()
        else:
            allocation.amount -= take
            allocation.save(update_fields=["amount"])
        excess -= take
        released += take
    invoice.paid_total -= released
    return released


@transaction.atomic
def credit_note_issue(
    *,
    by,
    invoice: Invoice,
    issued_on: dt.date,
    lines: list[LineInput],
    number: str = "",
    external_id: str = "",
    note: str = "",
) -> Invoice:
    """Issue a credit note correcting `invoice` (lines with NEGATIVE quantities). It reduces the invoice's open
    amount; if the invoice was already paid beyond what remains, the excess allocations are released (latest
    first) and become the client's credit. A line with a product and no price takes the invoice's own line's
    price; VAT is at the rates of the corrected invoice's date (a correction keeps the original rate), the
    currency rate is the credit note's own date's."""
    account = invoice.account
    require_bill(by, account)
    number, external_id = number.strip(), external_id.strip()
    digest = ""
    conflict_message = _(
        "A credit note with external id “%(id)s” was already received with other content."
    ) % {"id": external_id}
    if external_id:
        digest = fingerprint(
            {
                "kind": InvoiceKind.CREDIT_NOTE,
                "corrects": invoice.pk,
                "issued_on": issued_on,
                "number": number,
                "lines": _lines_content(lines),
            }
        )
        existing = Invoice.objects.filter(kind=InvoiceKind.CREDIT_NOTE, external_id=external_id).first()
        if existing is not None:
            return replay(existing, digest, conflict_message)

    errors = _Errors()
    check_account_billable(account, errors)
    if invoice.kind != InvoiceKind.INVOICE:
        errors.add("invoice", _("A credit note corrects an invoice, not another credit note."))
    if issued_on < invoice.issued_on:
        errors.add("issued_on", _("A credit note cannot be dated before the invoice it corrects."))
    check_lengths(errors, number=number, external_id=external_id, note=note.strip())
    _check_number(InvoiceKind.CREDIT_NOTE, number, errors)
    rate = Decimal(1)
    try:
        rate = rates.rate_on(invoice.currency, issued_on)
    except ValidationError as exc:
        errors.absorb(exc, field="currency")
    if not lines:
        errors.add("lines", _("Add at least one line."))
    template = {x.product_id: x for x in invoice.lines.all() if x.product_id is not None}
    built = [
        fill_line(
            n,
            line,
            account=account,
            currency=invoice.currency,
            price_day=invoice.issued_on,
            vat_day=invoice.issued_on,
            rate=rate,
            credit=True,
            errors=errors,
            template=template,
        )
        for n, line in enumerate(lines, start=1)
    ]
    errors.raise_any()
    computed = [x for x in built if x is not None]

    locked = _locked_account(account)
    if external_id:
        existing = Invoice.objects.filter(kind=InvoiceKind.CREDIT_NOTE, external_id=external_id).first()
        if existing is not None:
            return replay(existing, digest, conflict_message)
    target = Invoice.objects.select_for_update().get(pk=invoice.pk)
    note_doc = Invoice(
        account=locked,
        kind=InvoiceKind.CREDIT_NOTE,
        issued_on=issued_on,
        due_on=issued_on,
        currency=invoice.currency,
        rate=rate,
        corrects=target,
        manager=ownership.responsible_on(locked, issued_on),
        external_id=external_id,
        fingerprint=digest,
        note=note.strip(),
        created_by=by,
        open_amount=ZERO,
    )
    apply_totals(note_doc, computed)
    room = target.total - target.credited_total
    if -note_doc.total > room:
        raise ValidationError(
            {
                "lines": _(
                    "The credit note (%(credit)s) is larger than what is left to credit on invoice %(number)s "
                    "(%(room)s)."
                )
                % {"credit": -note_doc.total, "number": target.number, "room": room}
            },
            code="too_large",
        )
    note_doc.number = number or numbering.next_number(InvoiceKind.CREDIT_NOTE, issued_on)
    result = _insert(note_doc, computed, conflict_message)
    if result.pk != note_doc.pk:
        return result
    target.credited_total += -note_doc.total
    release_overpaid(target)
    target.open_amount = target.total - target.credited_total - target.paid_total
    target.save(update_fields=["credited_total", "paid_total", "open_amount"])
    balances.refresh_receivable(target.account_id, today=timezone.localdate())
    invoice.credited_total, invoice.paid_total, invoice.open_amount = (
        target.credited_total,
        target.paid_total,
        target.open_amount,
    )
    return result
