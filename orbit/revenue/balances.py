"""What an account owes and how late: balances and ageing, in the base currency.

Every amount is converted at each document's own rate (the rate on its date, stored on it): receivables are
NOT revalued at today's rate. The open base amount of an invoice is round_money(open_amount × rate).
Ageing: days overdue = today − due_on; `not_due` is <= 0 days, then 1–30, 31–60, 61–90 and over 90.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, Max, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Round

from orbit.accounts.models import Account
from orbit.revenue.models import Invoice, InvoiceKind, Payment

BUCKETS = ("not_due", "d1_30", "d31_60", "d61_90", "d90_plus")
ZERO = Decimal(0)
_MONEY: DecimalField = DecimalField(max_digits=18, decimal_places=2)


@dataclass
class Balance:
    invoiced_base: Decimal = ZERO
    credited_base: Decimal = ZERO
    paid_base: Decimal = ZERO
    open_base: Decimal = ZERO
    overdue_base: Decimal = ZERO
    credit_base: Decimal = ZERO  # payments' unallocated rest: the client's credit
    buckets: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(BUCKETS, ZERO))
    last_purchase_on: dt.date | None = None
    last_payment_on: dt.date | None = None


def bucket_filters(today: dt.date, prefix: str = "") -> dict[str, Q]:
    """The due-date condition of each bucket on `today` (days overdue = today − due_on)."""

    def due(lookup: str, days: int) -> Q:
        return Q(**{f"{prefix}due_on__{lookup}": today - dt.timedelta(days=days)})

    return {
        "not_due": due("gte", 0),
        "d1_30": due("lte", 1) & due("gte", 30),
        "d31_60": due("lte", 31) & due("gte", 60),
        "d61_90": due("lte", 61) & due("gte", 90),
        "d90_plus": due("lt", 90),
    }


def _open_base(prefix: str = ""):
    """round(open_amount × rate, 2) per invoice, in SQL (numeric ROUND is half away from zero on PostgreSQL)."""
    product = ExpressionWrapper(F(f"{prefix}open_amount") * F(f"{prefix}rate"), output_field=_MONEY)
    return Round(product, 2, output_field=_MONEY)


def _sum(expression, condition: Q | None = None):
    return Coalesce(Sum(expression, filter=condition), Value(ZERO), output_field=_MONEY)


def account_balance(account_ids: Iterable[int], *, today: dt.date) -> Balance:
    """The balance of one account or of a holding's accounts (two queries: invoices, payments)."""
    ids = list(account_ids)
    buckets = bucket_filters(today)
    invoices = Invoice.objects.filter(account_id__in=ids).aggregate(
        invoiced_base=_sum("total_base", Q(kind=InvoiceKind.INVOICE)),
        credited_base=_sum("total_base", Q(kind=InvoiceKind.CREDIT_NOTE)),
        open_base=_sum(_open_base(), Q(open_amount__gt=0)),
        overdue_base=_sum(_open_base(), Q(open_amount__gt=0, due_on__lt=today)),
        last_purchase_on=Max("issued_on", filter=Q(kind=InvoiceKind.INVOICE)),
        **{name: _sum(_open_base(), Q(open_amount__gt=0) & q) for name, q in buckets.items()},
    )
    unallocated = ExpressionWrapper((F("amount") - F("allocated_amount")) * F("rate"), output_field=_MONEY)
    payments = Payment.objects.filter(account_id__in=ids).aggregate(
        paid_base=_sum("amount_base"),
        credit_base=_sum(Round(unallocated, 2, output_field=_MONEY), Q(allocated_amount__lt=F("amount"))),
        last_payment_on=Max("received_on"),
    )
    return Balance(
        invoiced_base=invoices["invoiced_base"],
        credited_base=-invoices["credited_base"],
        paid_base=payments["paid_base"],
        open_base=invoices["open_base"],
        overdue_base=invoices["overdue_base"],
        credit_base=payments["credit_base"],
        buckets={name: invoices[name] for name in BUCKETS},
        last_purchase_on=invoices["last_purchase_on"],
        last_payment_on=payments["last_payment_on"],
    )


def receivables(accounts: QuerySet[Account], *, today: dt.date) -> QuerySet[Account]:
    """`accounts` with something open, annotated with open_base, overdue_base and one field per bucket: one
    grouped query joining the open invoices through the partial index `revenue_invoice_open_cover`
    (account_id, due_on WHERE open_amount > 0)."""
    prefix = "invoices__"
    opened = Q(invoices__open_amount__gt=0)
    return accounts.filter(opened).annotate(
        open_base=_sum(_open_base(prefix)),
        overdue_base=_sum(_open_base(prefix), Q(invoices__due_on__lt=today)),
        **{name: _sum(_open_base(prefix), q) for name, q in bucket_filters(today, prefix).items()},
    )
