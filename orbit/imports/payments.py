"""Importing payments received: each row one payment, recorded through the ledger (`payments.payment_record`),
so its rate, manager on its date, allocation and the receivables are what a typed-in payment gets.

- Allocation as the ledger does it: a row naming an invoice ("Счёт", "Invoice") pays that invoice, up to what
  it has open; the rest (an overpayment) stays the client's credit. Without an invoice: oldest open invoice
  first, in the payment's currency.
- Duplicates: a payment is the same one when the client already has a payment with its reference (the bank
  document's number, "Номер п/п"); it is skipped (a recorded payment is never edited) and the report says so.
  The same reference twice for one client in the file is an error on the second row. Without a reference
  nothing tells two equal payments apart: each row is a new payment.
- Counts are payments.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from orbit.imports import money_undo, records
from orbit.imports.account_ref import AccountFinder
from orbit.imports.engine import Kind, Report, Row, RowFailed, import_file, readable_rows
from orbit.imports.invoices import may_import
from orbit.imports.ledger_rows import CURRENCY_FIELD, INN_FIELDS, parse_currency
from orbit.imports.mapping import Field
from orbit.imports.reading import Table
from orbit.imports.values import parse_date, parse_number, parse_text
from orbit.org.models import User
from orbit.revenue import payments
from orbit.revenue.models import Invoice, InvoiceKind, Payment

FIELDS = (
    Field(
        "received_on",
        _lazy("payment date"),
        ("дата", "дата платежа", "дата оплаты", "дата поступления", "date", "payment date"),
        required=True,
    ),
    Field("amount", _lazy("amount paid"), ("сумма", "сумма платежа", "amount", "amount paid"), required=True),
    CURRENCY_FIELD,
    *INN_FIELDS,
    Field(
        "invoice",
        _lazy("invoice paid"),
        ("счет", "номер счета", "оплата по счету", "invoice", "invoice number"),
    ),
    Field(
        "reference",
        _lazy("payment document number"),
        ("номер", "номер платежа", "номер п п", "платежное поручение", "номер документа", "reference"),
    ),
)
# The ledger's field errors, by the file's column.
_FIELD_OF_SERVICE = {
    "amount": "amount",
    "currency": "currency",
    "account": "inn",
    "allocate": "invoice",
    "reference": "reference",
}


def _one(
    by: User, row: Row, accounts: AccountFinder, seen: dict[tuple[int, str], int], report: Report
) -> str:
    received_on = row.require("received_on", parse_date, _("Fill in the payment date."))
    amount = row.require("amount", parse_number, _("Fill in the amount."))
    currency = row.read("currency", parse_currency, "")
    account = accounts.for_row(row)
    number = row.read("invoice", lambda c: parse_text(c, max_length=60), "")
    reference = row.read("reference", lambda c: parse_text(c, max_length=100), "")
    if account is not None and reference:
        key = (account.pk, reference)
        if key in seen:
            row.fail(
                "reference",
                _("Payment %(reference)s is in row %(row)s too.")
                % {"reference": reference, "row": seen[key]},
            )
        seen.setdefault(key, row.number)
    invoice = None
    if account is not None and number:
        invoice = Invoice.objects.visible_to(by).filter(kind=InvoiceKind.INVOICE, number=number).first()
        if invoice is None or invoice.account_id != account.pk:
            row.fail(
                "invoice",
                _("No invoice %(number)s of this client among the invoices you see.") % {"number": number},
            )
    if row.errors or account is None or amount is None or received_on is None:
        return "failed"
    if reference and Payment.objects.filter(account=account, reference=reference).exists():
        report.notes.append(
            _(
                "Row %(row)s: payment %(reference)s is already in the base; a recorded payment is never edited: skipped."
            )
            % {"row": row.number, "reference": reference}
        )
        return "unchanged"
    allocate = None
    if invoice is not None:  # that invoice, up to what it has open; the rest is the client's credit
        part = min(amount, invoice.open_amount) if amount > 0 else amount
        allocate = [(invoice, part)] if part > 0 else []
    try:
        with transaction.atomic():
            payment = payments.payment_record(
                by=by,
                account=account,
                received_on=received_on,
                amount=amount,
                currency=currency,
                allocate=allocate,
                reference=reference,
            )
    except (ValidationError, PermissionDenied) as exc:
        row.service_errors(exc, _FIELD_OF_SERVICE, fallback="inn")
        return "failed"
    report.touched[payment.pk] = (
        row.number,
        "new",
        {"allocated": str(payment.allocated_amount)},
        payment.account_id,
    )
    return "new"


def _run(by: User, table: Table, columns: dict[int, str], on_duplicate: str, report: Report) -> None:
    """`on_duplicate` does not apply: a recorded payment is never updated, a known reference is skipped."""
    accounts = AccountFinder(by, by_name=False)
    seen: dict[tuple[int, str], int] = {}  # (account, reference) -> its first row
    for row in readable_rows(table, columns, report):
        try:
            outcome = _one(by, row, accounts, seen, report)
        except RowFailed:
            outcome = "failed"
        report.errors.extend(row.errors)
        report.count(outcome)


KIND = Kind(
    name="payments",
    label=_lazy("Payments"),
    fields=FIELDS,
    presets={},
    may_import=may_import,
    run=_run,
    remember=records.remember(Payment, "revenue.payment"),
    undo=money_undo.undo_payments,
)


def import_payments(**options) -> Report:
    return import_file(KIND, **options)
