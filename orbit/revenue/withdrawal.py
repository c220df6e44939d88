"""Taking back a document that should never have been written — an imported invoice, credit note or payment
whose import is undone. An issued document is otherwise never edited nor deleted (a correction is a credit
note); this is the one way out, and only while nothing else stands on the document:
- an invoice: no payment is allocated to it and no credit note corrects it;
- a credit note: its invoice gets the credited amount back (open again); money the note released stays credit;
- a payment: its allocations are taken off the invoices (open again), then it goes.
Every derived figure (invoice settlement, the payment's allocation, `AccountRevenueMonth`, the receivables row)
is brought back in the same transaction, so the ledger check (`totals.ledger_problems`) holds afterwards.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from orbit.accounts.models import Account
from orbit.revenue import balances
from orbit.revenue.models import AccountRevenueMonth, Invoice, InvoiceKind, Payment, PaymentAllocation
from orbit.revenue.permissions import require_bill


def _take_from_months(invoice: Invoice) -> None:
    for line in invoice.lines.all():
        month = AccountRevenueMonth.objects.filter(
            account_id=line.account_id,
            month=line.issued_on.replace(day=1),
            product_line_id=line.product_line_id,
        )
        month.update(
            net_base=F("net_base") - line.net_amount_base,
            cost_base=F("cost_base") - line.cost_amount_base,
            lines=F("lines") - 1,
        )
        month.filter(lines=0).delete()  # no line left in the month: the row goes, as if never written


@transaction.atomic
def invoice_withdraw(*, by, invoice: Invoice) -> None:
    """Delete an invoice or credit note nothing stands on (see the module); ValidationError otherwise."""
    require_bill(by, invoice.account)
    Account.objects.select_for_update().get(pk=invoice.account_id)
    doc = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if doc.kind == InvoiceKind.INVOICE:
        if PaymentAllocation.objects.filter(invoice=doc).exists():
            raise ValidationError(
                _("Invoice %(number)s has payments allocated to it.") % {"number": doc.number}
            )
        if doc.credit_notes.exists():
            raise ValidationError(
                _("Invoice %(number)s has a credit note correcting it.") % {"number": doc.number}
            )
    else:
        target = Invoice.objects.select_for_update().get(pk=doc.corrects_id)
        target.credited_total -= -doc.total
        target.open_amount = target.total - target.credited_total - target.paid_total
        target.save(update_fields=["credited_total", "open_amount"])
    _take_from_months(doc)
    doc.delete()
    balances.refresh_receivable(doc.account_id, today=timezone.localdate())


@transaction.atomic
def payment_withdraw(*, by, payment: Payment) -> None:
    """Delete a payment: what it paid on invoices is open again."""
    require_bill(by, payment.account)
    Account.objects.select_for_update().get(pk=payment.account_id)
    for allocation in PaymentAllocation.objects.select_for_update().filter(payment_id=payment.pk):
        Invoice.objects.filter(pk=allocation.invoice_id).update(
            paid_total=F("paid_total") - allocation.amount, open_amount=F("open_amount") + allocation.amount
        )
    Payment.objects.filter(pk=payment.pk).delete()
    balances.refresh_receivable(payment.account_id, today=timezone.localdate())
