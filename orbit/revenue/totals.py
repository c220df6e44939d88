"""The derived ledger data, rebuilt and checked.

`rebuild_month_totals` recomputes `AccountRevenueMonth` set-based (DELETE the accounts' rows, then one
INSERT ... SELECT ... GROUP BY over the invoice lines; portable to SQLite and PostgreSQL).
The receivables rows (`AccountReceivable`) are rebuilt by `balances.rebuild_receivables`.
`ledger_problems` recomputes every derived field of one account from its lines and allocations and says what
differs: [] when the ledger holds.
"""

from collections.abc import Iterable
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, DecimalField, Sum
from django.db.models.functions import Round, TruncMonth
from django.utils import timezone

from orbit.accounts.models import Account
from orbit.revenue import balances
from orbit.revenue.models import (
    MONEY,
    AccountReceivable,
    AccountRevenueMonth,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    Payment,
    PaymentAllocation,
)
from orbit.revenue.money import round_money

ZERO = Decimal(0)
MONEY_FIELD: DecimalField = DecimalField(
    max_digits=MONEY["max_digits"], decimal_places=MONEY["decimal_places"]
)
HUNDRED = Decimal(100)
# Accounts per statement when rebuilding a given list (SQLite allows 999 parameters per statement).
CHUNK = 500


def _month_groups(lines):
    """The lines summed per account, month and product line: the one definition the rebuild writes and the
    check recomputes. ROUND to the kopeck is exact on PostgreSQL (numeric) and removes SQLite's float noise
    (its SUM of 0.1, 0.2 and -0.29 is 0.010000000000000009)."""
    return (
        lines.annotate(m=TruncMonth("issued_on"))
        .values("account_id", "m", "product_line_id")
        .annotate(
            net=Round(Sum("net_amount_base"), 2, output_field=MONEY_FIELD),
            cost=Round(Sum("cost_amount_base"), 2, output_field=MONEY_FIELD),
            n=Count("id"),
        )
        .order_by()
    )


def _month_rows_select(account_ids: list[int] | None) -> tuple[str, tuple]:
    lines = InvoiceLine.objects.all()
    if account_ids is not None:
        lines = lines.filter(account_id__in=account_ids)
    grouped = _month_groups(lines).values_list("account_id", "m", "product_line_id", "net", "cost", "n")
    sql, params = grouped.query.sql_with_params()
    return sql, params


def _rebuild(account_ids: list[int] | None) -> int:
    table = AccountRevenueMonth._meta.db_table
    months = AccountRevenueMonth.objects.all()
    if account_ids is not None:
        months = months.filter(account_id__in=account_ids)
    months._raw_delete(months.db)
    select, params = _month_rows_select(account_ids)
    # The table name and the SELECT come from the ORM, the values are parameters.
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (account_id, month, product_line_id, net_base, cost_base, lines) {select}",
            params,
        )
        return cursor.rowcount


@transaction.atomic
def rebuild_month_totals(account_ids: Iterable[int] | None = None) -> int:
    """Recompute the monthly revenue rows of the accounts (None: all) from their invoice lines; returns the
    number of rows written."""
    if account_ids is None:
        return _rebuild(None)
    ids = sorted(set(account_ids))
    return sum(_rebuild(ids[i : i + CHUNK]) for i in range(0, len(ids), CHUNK))


def _line_problems(line: InvoiceLine, rate: Decimal) -> list[str]:
    net = round_money(line.quantity * line.unit_price * (1 - line.discount_percent / HUNDRED))
    vat = round_money(net * line.vat_percent / HUNDRED) if line.vat_percent is not None else ZERO
    cost = round_money(line.quantity * line.unit_cost)
    expected = {
        "net_amount": net,
        "vat_amount": vat,
        "total_amount": net + vat,
        "cost_amount": cost,
        "net_amount_base": round_money(net * rate),
        "cost_amount_base": round_money(cost * rate),
    }
    return [
        f"line {line.pk}: {name} is {getattr(line, name)}, expected {value}"
        for name, value in expected.items()
        if getattr(line, name) != value
    ]


def ledger_problems(account: Account) -> list[str]:
    """Every derived field of the account's ledger recomputed from its lines and allocations; each mismatch
    is one sentence naming the row, the field, the stored and the expected value."""
    problems: list[str] = []
    invoices = list(Invoice.objects.filter(account=account).prefetch_related("lines").order_by("id"))
    paid: dict[int, Decimal] = {}
    allocated: dict[int, Decimal] = {}
    for allocation in PaymentAllocation.objects.filter(invoice__account=account):
        paid[allocation.invoice_id] = paid.get(allocation.invoice_id, ZERO) + allocation.amount
        allocated[allocation.payment_id] = allocated.get(allocation.payment_id, ZERO) + allocation.amount
    credited: dict[int, Decimal] = {}
    for doc in invoices:
        if doc.kind == InvoiceKind.CREDIT_NOTE and doc.corrects_id is not None:
            credited[doc.corrects_id] = credited.get(doc.corrects_id, ZERO) - doc.total

    for doc in invoices:
        lines = list(doc.lines.all())
        for line in lines:
            problems.extend(_line_problems(line, doc.rate))
            if line.account_id != doc.account_id or line.issued_on != doc.issued_on:
                problems.append(f"line {line.pk}: account or date differs from {doc.number}")
        total = sum((x.total_amount for x in lines), ZERO)
        expected = {
            "net_total": sum((x.net_amount for x in lines), ZERO),
            "vat_total": sum((x.vat_amount for x in lines), ZERO),
            "total": total,
            "net_total_base": sum((x.net_amount_base for x in lines), ZERO),
            "cost_total_base": sum((x.cost_amount_base for x in lines), ZERO),
            "total_base": round_money(total * doc.rate),
            "paid_total": paid.get(doc.pk, ZERO),
            "credited_total": credited.get(doc.pk, ZERO),
        }
        if doc.kind == InvoiceKind.INVOICE:
            expected["open_amount"] = total - expected["credited_total"] - expected["paid_total"]
        else:
            expected["open_amount"] = ZERO
        problems.extend(
            f"{doc.number}: {name} is {getattr(doc, name)}, expected {value}"
            for name, value in expected.items()
            if getattr(doc, name) != value
        )
        if not lines:
            problems.append(f"{doc.number}: no lines")

    for payment in Payment.objects.filter(account=account).order_by("id"):
        expected_allocated = allocated.get(payment.pk, ZERO)
        if payment.allocated_amount != expected_allocated:
            problems.append(
                f"payment {payment.pk}: allocated_amount is {payment.allocated_amount}, "
                f"expected {expected_allocated}"
            )
        if payment.amount_base != round_money(payment.amount * payment.rate):
            problems.append(f"payment {payment.pk}: amount_base is {payment.amount_base}")

    stored = {
        (m.month, m.product_line_id): (m.net_base, m.cost_base, m.lines)
        for m in AccountRevenueMonth.objects.filter(account=account)
    }
    recomputed = {
        (row["m"], row["product_line_id"]): (row["net"], row["cost"], row["n"])
        for row in _month_groups(InvoiceLine.objects.filter(account=account))
    }
    for key in sorted(set(stored) | set(recomputed), key=lambda k: (k[0], k[1] or 0)):
        if stored.get(key) != recomputed.get(key):
            problems.append(
                f"month {key[0]:%Y-%m} line {key[1]}: stored {stored.get(key)}, expected {recomputed.get(key)}"
            )
    problems.extend(_receivable_problems(account))
    return problems


def _receivable_problems(account: Account) -> list[str]:
    """The stored receivables row against a recompute aged on the same day (today when there is no row)."""
    row = AccountReceivable.objects.filter(account=account).first()
    on = row.as_of if row else timezone.localdate()
    stored = {c: getattr(row, c) for c in balances.SUMMARY_COLUMNS} if row else None
    expected = balances.receivable_expected(account.pk, today=on)
    if stored == expected:
        return []
    if stored is None or expected is None:
        return [f"receivables on {on}: stored {stored}, expected {expected}"]
    return [
        f"receivables on {on}: {c} is {stored[c]}, expected {expected[c]}"
        for c in balances.SUMMARY_COLUMNS
        if stored[c] != expected[c]
    ]
