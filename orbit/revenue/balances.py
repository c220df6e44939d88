"""What an account owes and how late: balances and ageing, in the base currency.

Every amount is converted at each document's own rate (the rate on its date, stored on it): receivables are
NOT revalued at today's rate. The open base amount of an invoice is round_money(open_amount × rate).
Ageing: days overdue = today − due_on; `not_due` is <= 0 days, then 1–30, 31–60, 61–90 and over 90.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import DateField, DecimalField, ExpressionWrapper, F, Max, Min, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Round

from orbit.accounts.models import Account
from orbit.revenue.models import AccountReceivable, Invoice, InvoiceKind, Payment

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


# --- The stored receivables summary (AccountReceivable) ---------------------------------------------------

SUMMARY_COLUMNS = ("account_id", "as_of", "open_base", "overdue_base", *BUCKETS, "oldest_due_on")
# Accounts per statement when rebuilding a given list (SQLite allows 999 parameters per statement).
CHUNK = 500


def _summary_rows(account_ids: list[int] | None, *, today: dt.date) -> QuerySet:
    """One row per account with something open, in SUMMARY_COLUMNS order: the same arithmetic as
    `account_balance` (round(open_amount × rate, 2) per invoice), grouped in SQL."""
    opened = Invoice.objects.filter(open_amount__gt=0)
    if account_ids is not None:
        opened = opened.filter(account_id__in=account_ids)
    return (
        opened.values("account_id")
        .annotate(
            as_of=Value(today, output_field=DateField()),
            open_base=_sum(_open_base()),
            overdue_base=_sum(_open_base(), Q(due_on__lt=today)),
            **{name: _sum(_open_base(), q) for name, q in bucket_filters(today).items()},
            oldest_due_on=Min("due_on"),
        )
        .values_list(*SUMMARY_COLUMNS)
        .order_by()
    )


def _rebuild(account_ids: list[int] | None, *, today: dt.date) -> int:
    stored = AccountReceivable.objects.all()
    if account_ids is not None:
        stored = stored.filter(account_id__in=account_ids)
    stored._raw_delete(stored.db)
    select, params = _summary_rows(account_ids, today=today).query.sql_with_params()
    # The table name and the SELECT come from the ORM, the values are parameters.
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {AccountReceivable._meta.db_table} ({', '.join(SUMMARY_COLUMNS)}) {select}", params
        )
        return cursor.rowcount


@transaction.atomic
def rebuild_receivables(*, today: dt.date, account_ids: Iterable[int] | None = None) -> int:
    """Recompute the receivables rows of the accounts (None: all) aged on `today`, set-based (a DELETE and an
    INSERT ... SELECT); returns the number of rows written. The morning run calls it: buckets shift each day.

    On PostgreSQL the table is locked against writers first (SHARE ROW EXCLUSIVE: readers go on): a service
    that wrote its row before waits to be committed and is then seen; one that writes after waits and then
    overwrites the rebuilt row with its own, fresher one. Without it the rebuild's INSERT could meet a row a
    service inserted meanwhile (a duplicate key) or write a row from before that service's change. SQLite has
    one writer at a time anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {AccountReceivable._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")
    if account_ids is None:
        return _rebuild(None, today=today)
    ids = sorted(set(account_ids))
    return sum(_rebuild(ids[i : i + CHUNK], today=today) for i in range(0, len(ids), CHUNK))


def receivable_expected(account_id: int, *, today: dt.date) -> dict | None:
    """The account's receivables row as recomputed from its open invoices (None: nothing open)."""
    row = next(iter(_summary_rows([account_id], today=today)), None)
    return dict(zip(SUMMARY_COLUMNS, row, strict=True)) if row else None


def refresh_receivable(account_id: int, *, today: dt.date) -> None:
    """Bring one account's receivables row up to date; the services that change an invoice's open amount call
    it in their transaction, with the account locked. An upsert; during the morning rebuild it waits for it."""
    expected = receivable_expected(account_id, today=today)
    if expected is None:
        AccountReceivable.objects.filter(account_id=account_id).delete()
        return
    AccountReceivable.objects.bulk_create(
        [AccountReceivable(**expected)],
        update_conflicts=True,
        unique_fields=["account"],
        update_fields=[c for c in SUMMARY_COLUMNS if c != "account_id"],
    )
