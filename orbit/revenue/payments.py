"""Recording payments and allocating them to invoices: the only writers of Payment and PaymentAllocation.

A payment is allocated explicitly or oldest first (due_on, issued_on, id) over the account's open invoices in
the payment's currency; what is not allocated stays the client's credit (an overpayment is kept, never lost)
and `payment_allocate` applies it later. Every write locks the account first, then the invoices it touches.
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from orbit.accounts import ownership
from orbit.accounts.models import Account, AccountStatus
from orbit.revenue import balances, rates
from orbit.revenue.fingerprints import fingerprint, replay
from orbit.revenue.invoicing import as_decimal, too_long
from orbit.revenue.models import Invoice, InvoiceKind, Payment, PaymentAllocation
from orbit.revenue.money import MONEY_LIMIT, decimal_places, round_money
from orbit.revenue.permissions import require_bill

ZERO = Decimal(0)


def _check_amount(amount: Decimal, field: str) -> None:
    if amount <= 0:
        raise ValidationError({field: _("The amount must be greater than zero.")})
    if decimal_places(amount) > 2 or amount >= MONEY_LIMIT:
        raise ValidationError({field: _("The amount must be in kopecks (at most 2 digits after the point).")})


def _allocate(payment: Payment, invoice: Invoice, amount: Decimal, *, by) -> PaymentAllocation:
    """Move `amount` of the payment's rest onto the locked `invoice` (checked by the caller)."""
    allocation = PaymentAllocation.objects.filter(payment=payment, invoice=invoice).first()
    if allocation is None:
        allocation = PaymentAllocation.objects.create(
            payment=payment, invoice=invoice, amount=amount, created_by=by
        )
    else:
        allocation.amount += amount
        allocation.save(update_fields=["amount"])
    invoice.paid_total += amount
    invoice.open_amount -= amount
    invoice.save(update_fields=["paid_total", "open_amount"])
    payment.allocated_amount += amount
    return allocation


def _allocation_errors(
    payment: Payment, invoice: Invoice, amount: Decimal, rest: Decimal
) -> tuple[str, str] | None:
    """Why `amount` of the payment cannot go to `invoice` (locked, fresh): (field, message), or None. The field
    is "invoice" when the invoice itself is wrong, "amount" when the amount is."""
    label = {"number": invoice.number}
    if invoice.account_id != payment.account_id:
        return "invoice", _("Invoice %(number)s belongs to another account.") % label
    if invoice.kind != InvoiceKind.INVOICE:
        return "invoice", _("%(number)s is a credit note: payments go to invoices.") % label
    if invoice.currency != payment.currency:
        return "invoice", _("Invoice %(number)s is in %(currency)s, the payment in %(paid)s.") % {
            **label,
            "currency": invoice.currency,
            "paid": payment.currency,
        }
    if amount <= 0 or decimal_places(amount) > 2:
        return "amount", _("The amount for invoice %(number)s must be a positive amount in kopecks.") % label
    if amount > invoice.open_amount:
        return "amount", _("%(amount)s is more than invoice %(number)s has open (%(open)s).") % {
            **label,
            "amount": amount,
            "open": invoice.open_amount,
        }
    if amount > rest:
        return "amount", _(
            "%(amount)s for invoice %(number)s is more than the payment has left (%(rest)s)."
        ) % {
            **label,
            "amount": amount,
            "rest": rest,
        }
    return None


def _allocate_oldest_first(payment: Payment, *, by) -> None:
    open_invoices = (
        Invoice.objects.select_for_update()
        .filter(
            account_id=payment.account_id,
            kind=InvoiceKind.INVOICE,
            currency=payment.currency,
            open_amount__gt=0,
        )
        .order_by("due_on", "issued_on", "id")
    )
    for invoice in open_invoices:
        rest = payment.amount - payment.allocated_amount
        if rest <= 0:
            break
        _allocate(payment, invoice, min(rest, invoice.open_amount), by=by)


@transaction.atomic
def payment_record(
    *,
    by,
    account: Account,
    received_on: dt.date,
    amount: Decimal,
    currency: str,
    allocate: list[tuple[Invoice, Decimal]] | None = None,
    reference: str = "",
    external_id: str = "",
    note: str = "",
) -> Payment:
    """Record money received. `allocate=None`: oldest first over the account's open invoices in `currency`;
    `[]`: all of it stays credit; a list: exactly those amounts (each within the invoice's open amount and the
    payment's rest, same account and currency). The manager is the account's responsible one on received_on."""
    require_bill(by, account)
    amount = as_decimal(amount)
    allocate = None if allocate is None else [(invoice, as_decimal(part)) for invoice, part in allocate]
    reference, external_id = reference.strip(), external_id.strip()
    digest = ""
    conflict_message = _("A payment with external id “%(id)s” was already received with other content.") % {
        "id": external_id
    }
    if external_id:
        digest = fingerprint(
            {
                "account": account.pk,
                "received_on": received_on,
                "amount": amount,
                "currency": currency,
                "allocate": None if allocate is None else [[i.pk, a] for i, a in allocate],
            }
        )
        existing = Payment.objects.filter(external_id=external_id).first()
        if existing is not None:
            return replay(existing, digest, conflict_message)

    if account.archived_at is not None:
        raise ValidationError(
            {"account": _("The account is archived: restore it before recording payments.")}
        )
    if account.status == AccountStatus.PROSPECT:
        raise ValidationError({"account": _("The account is a prospect: it has nothing to pay for.")})
    _check_amount(amount, "amount")
    for field, value in (("reference", reference), ("external_id", external_id), ("note", note.strip())):
        if message := too_long(Payment, field, value):
            raise ValidationError({field: message})
    rate = rates.rate_on(currency, received_on)
    invoice_ids = [i.pk for i, _a in (allocate or [])]
    if len(set(invoice_ids)) != len(invoice_ids):
        raise ValidationError({"allocate": _("Each invoice may appear once in the allocation.")})

    locked = Account.objects.select_for_update().get(pk=account.pk)
    if external_id:
        existing = Payment.objects.filter(external_id=external_id).first()
        if existing is not None:
            return replay(existing, digest, conflict_message)
    payment = Payment(
        account=locked,
        received_on=received_on,
        amount=amount,
        currency=currency,
        rate=rate,
        amount_base=round_money(amount * rate),
        reference=reference,
        manager=ownership.responsible_on(locked, received_on),
        external_id=external_id,
        fingerprint=digest,
        note=note.strip(),
        created_by=by,
    )
    try:
        with transaction.atomic():
            payment.save(force_insert=True)
    except IntegrityError:
        existing = Payment.objects.filter(external_id=external_id).first() if external_id else None
        if existing is None:
            raise
        return replay(existing, digest, conflict_message)

    if allocate is None:
        _allocate_oldest_first(payment, by=by)
    else:
        invoices = Invoice.objects.select_for_update().in_bulk(invoice_ids)
        problems = []
        for invoice, part in allocate:
            fresh = invoices[invoice.pk]
            problem = _allocation_errors(payment, fresh, part, payment.amount - payment.allocated_amount)
            if problem:
                problems.append(problem[1])
                continue
            _allocate(payment, fresh, part, by=by)
        if problems:
            raise ValidationError({"allocate": problems})
    Payment.objects.filter(pk=payment.pk).update(allocated_amount=payment.allocated_amount)
    balances.refresh_receivable(payment.account_id, today=timezone.localdate())
    return payment


@transaction.atomic
def payment_allocate(
    *, by, payment: Payment, invoice: Invoice, amount: Decimal | None = None
) -> PaymentAllocation:
    """Apply a payment's unallocated rest (the client's credit) to an open invoice of the same account and
    currency: `amount`, or as much as both allow."""
    require_bill(by, payment.account)
    Account.objects.select_for_update().get(pk=payment.account_id)
    fresh_payment = Payment.objects.select_for_update().get(pk=payment.pk)
    fresh_invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    rest = fresh_payment.amount - fresh_payment.allocated_amount
    if rest <= 0:
        raise ValidationError({"payment": _("The payment is fully allocated already.")})
    part = min(rest, fresh_invoice.open_amount) if amount is None else as_decimal(amount)
    problem = _allocation_errors(fresh_payment, fresh_invoice, part, rest)
    if amount is None and problem is not None and problem[0] == "amount":
        problem = "invoice", _("Invoice %(number)s has nothing open.") % {"number": fresh_invoice.number}
    if problem:
        raise ValidationError({problem[0]: problem[1]})
    allocation = _allocate(fresh_payment, fresh_invoice, part, by=by)
    Payment.objects.filter(pk=payment.pk).update(allocated_amount=F("allocated_amount") + part)
    balances.refresh_receivable(fresh_invoice.account_id, today=timezone.localdate())
    payment.allocated_amount = fresh_payment.allocated_amount
    invoice.paid_total, invoice.open_amount = fresh_invoice.paid_total, fresh_invoice.open_amount
    return allocation
