"""Document numbers: "СЧ-2026-000001" for invoices, "КР-2026-000001" for credit notes, one sequence per kind
and year.

Concurrency: the (kind, year) row of `DocumentCounter` is locked with SELECT ... FOR UPDATE for the rest of
the issuing transaction, so two issues of the same kind wait for each other instead of taking the same number
(a row lock, not a unique-constraint retry). The counter's first row of a year is created in a savepoint; if a
concurrent issue created it first, the IntegrityError is caught and the row is locked as above.
"""

import datetime as dt

from django.db import IntegrityError, transaction

from orbit.revenue.models import DocumentCounter, Invoice, InvoiceKind

PREFIXES = {InvoiceKind.INVOICE: "СЧ", InvoiceKind.CREDIT_NOTE: "КР"}


def _locked_counter(kind: str, year: int) -> DocumentCounter:
    counter = DocumentCounter.objects.select_for_update().filter(kind=kind, year=year).first()
    if counter is not None:
        return counter
    try:
        with transaction.atomic():
            DocumentCounter.objects.create(kind=kind, year=year)
    except IntegrityError:
        pass  # created by a concurrent issue a moment ago: lock that one
    return DocumentCounter.objects.select_for_update().get(kind=kind, year=year)


def next_number(kind: str, day: dt.date) -> str:
    """The next free number of `kind` in `day`'s year. Must run inside the issuing transaction (the lock lasts
    until it commits). Numbers typed by hand or pushed by an integration in the same format are skipped."""
    counter = _locked_counter(kind, day.year)
    prefix = f"{PREFIXES[InvoiceKind(kind)]}-{day.year}-"
    while True:
        counter.last += 1
        number = f"{prefix}{counter.last:06d}"
        if not Invoice.objects.filter(kind=kind, number=number).exists():
            break
    counter.save(update_fields=["last"])
    return number
