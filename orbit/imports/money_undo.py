"""Undoing an invoices or payments import (see undo.py): its documents are taken back through the ledger's
`withdrawal` services, refusing, with every reason, when something stands on them since the import:
- an invoice: a payment allocated to it, or a credit note correcting it that this import did not bring;
- a payment: its allocation changed since (its credit applied later, or released by a credit note).
Credit notes go before the invoices they correct."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from orbit.imports.models import ImportBatch, ImportedRow
from orbit.org.models import User
from orbit.revenue import withdrawal
from orbit.revenue.models import Invoice, InvoiceKind, Payment, PaymentAllocation


def undo_invoices(by: User, batch: ImportBatch, rows: list[ImportedRow]) -> None:
    ids = {r.object_id: r for r in rows}
    documents = Invoice.objects.select_for_update().in_bulk(list(ids))
    problems = []
    for pk, r in ids.items():
        doc = documents.get(pk)
        if doc is None:
            problems.append(_("Row %(row)s: the document is no longer in the base.") % {"row": r.row})
            continue
        if doc.kind != InvoiceKind.INVOICE:
            continue
        if PaymentAllocation.objects.filter(invoice=doc).exists():
            problems.append(
                _("Row %(row)s: invoice %(number)s has been paid since the import.")
                % {"row": r.row, "number": doc.number}
            )
        if doc.credit_notes.exclude(pk__in=ids).exists():
            problems.append(
                _("Row %(row)s: invoice %(number)s has been corrected by a credit note since the import.")
                % {"row": r.row, "number": doc.number}
            )
    if problems:
        raise ValidationError(problems)
    ordered = sorted(documents.values(), key=lambda d: d.kind == InvoiceKind.INVOICE)
    try:
        for doc in ordered:
            withdrawal.invoice_withdraw(by=by, invoice=doc)
    except PermissionDenied as exc:
        raise ValidationError(str(exc)) from None


def undo_payments(by: User, batch: ImportBatch, rows: list[ImportedRow]) -> None:
    payments = Payment.objects.select_for_update().in_bulk([r.object_id for r in rows])
    problems = []
    for r in rows:
        payment = payments.get(r.object_id)
        if payment is None:
            problems.append(_("Row %(row)s: the payment is no longer in the base.") % {"row": r.row})
        elif payment.allocated_amount != Decimal(r.before.get("allocated", "0")):
            problems.append(
                _("Row %(row)s: the payment's allocation to invoices has changed since the import.")
                % {"row": r.row}
            )
    if problems:
        raise ValidationError(problems)
    try:
        for payment in payments.values():
            withdrawal.payment_withdraw(by=by, payment=payment)
    except PermissionDenied as exc:
        raise ValidationError(str(exc)) from None
