"""The derived data holds after every sequence of issues, credit notes and payments: `ledger_problems`
recomputes it and finds nothing, `rebuild_month_totals` rebuilds the same month rows set-based, and a
corrupted field is reported."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orbit.revenue import payments, totals
from orbit.revenue.models import AccountRevenueMonth, CurrencyRate, Invoice, InvoiceKind, InvoiceLine, Payment
from tests.factories import Org
from tests.revenue.conftest import build_shop, client_since_2024
from tests.revenue.ledger import credit, issue, manual, pay, routers

D = Decimal
MARCH = dt.date(2026, 3, 2)


def a_busy_ledger(shop):
    """Two RUB invoices and a USD one, an oldest-first payment, a credit note that releases part of it, a
    payment left as credit."""
    a = issue(shop, dt.date(2026, 1, 10), routers(shop, 2), manual("33.33", quantity="3", vat="standard"))
    issue(shop, dt.date(2026, 3, 5), routers(shop), currency="USD")
    c = issue(shop, dt.date(2026, 2, 10), manual("500.00"))
    pay(shop, dt.date(2026, 2, 1), "1500.00")
    credit(shop, a, dt.date(2026, 2, 15), routers(shop, "-1"))
    pay(shop, dt.date(2026, 2, 20), "1000.00", allocate=[])
    return a, c


def months_of(account) -> set[tuple]:
    return set(
        AccountRevenueMonth.objects.filter(account=account).values_list(
            "month", "product_line_id", "net_base", "cost_base", "lines"
        )
    )


def test_a_busy_ledger_has_no_problems(shop):
    a_busy_ledger(shop)
    assert totals.ledger_problems(shop.account) == []


def test_rebuilding_the_month_totals_gives_the_rows_the_services_kept(shop):
    a_busy_ledger(shop)
    other = client_since_2024(shop.org.head, shop.org.am_a)
    issue(shop, MARCH, routers(shop), account=other)
    kept, kept_other = months_of(shop.account), months_of(other)
    AccountRevenueMonth.objects.filter(account=shop.account).update(net_base=0)
    AccountRevenueMonth.objects.create(
        account=shop.account, month=dt.date(2020, 1, 1), net_base=1, cost_base=1
    )
    written = totals.rebuild_month_totals([shop.account.pk])
    assert months_of(shop.account) == kept and written == len(kept)
    assert months_of(other) == kept_other  # another account's rows are not touched
    assert totals.rebuild_month_totals() == len(kept) + len(kept_other)
    assert months_of(shop.account) == kept and months_of(other) == kept_other


def test_a_corrupted_invoice_total_is_reported(shop, corrupts_ledger):
    a, _c = a_busy_ledger(shop)
    Invoice.objects.filter(pk=a.pk).update(vat_total=F("vat_total") + D("0.01"))
    problems = totals.ledger_problems(shop.account)
    assert len(problems) == 1 and a.number in problems[0] and "vat_total" in problems[0]


def test_a_corrupted_open_amount_paid_total_and_allocation_are_reported(shop, corrupts_ledger):
    _a, c = a_busy_ledger(shop)
    Invoice.objects.filter(pk=c.pk).update(open_amount=F("open_amount") + 1)
    Payment.objects.filter(account=shop.account).update(allocated_amount=0)
    problems = totals.ledger_problems(shop.account)
    assert any("open_amount" in p for p in problems)
    assert any("allocated_amount" in p for p in problems)


def test_a_corrupted_line_and_month_row_are_reported(shop, corrupts_ledger):
    a, _c = a_busy_ledger(shop)
    line = InvoiceLine.objects.filter(invoice=a).first()
    InvoiceLine.objects.filter(pk=line.pk).update(net_amount_base=F("net_amount_base") + 1)
    AccountRevenueMonth.objects.filter(account=shop.account).update(lines=F("lines") + 1)
    problems = totals.ledger_problems(shop.account)
    assert any(f"line {line.pk}: net_amount_base" in p for p in problems)
    assert any(p.startswith("month ") for p in problems)


def test_a_credited_total_that_misses_a_credit_note_is_reported(shop, corrupts_ledger):
    a, _c = a_busy_ledger(shop)
    Invoice.objects.filter(pk=a.pk).update(
        credited_total=0, open_amount=F("open_amount") + F("credited_total")
    )
    assert any("credited_total" in p for p in totals.ledger_problems(shop.account))


# A random sequence of ledger operations on one account; each step may be refused (too large a credit note,
# nothing open to pay): a refusal must leave the ledger as consistent as a success.
step = st.one_of(
    st.tuples(
        st.sampled_from(["issue", "issue_usd"]), st.integers(1, 5), st.sampled_from(["0.01", "0.35", "99.99"])
    ),
    st.tuples(
        st.just("credit"), st.integers(1, 3), st.sampled_from(["0.01", "0.35", "99.99", "1234.56", "9999.99"])
    ),
    st.tuples(
        st.sampled_from(["pay", "pay_usd"]),
        st.integers(1, 5000),
        st.sampled_from(["auto", "credit", "apply", "explicit"]),
    ),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(step, min_size=1, max_size=10))
def test_any_sequence_of_issues_credits_and_payments_keeps_the_ledger(db, steps):
    with transaction.atomic():
        shop = build_shop(Org())
        # the days run from 2026-01-05 to at most 2026-01-14 (0 + 1 + 2 + 0 + … over 10 steps): two USD rates
        CurrencyRate.objects.create(currency="USD", day=dt.date(2026, 1, 4), rate=D("78.555555"))
        CurrencyRate.objects.create(currency="USD", day=dt.date(2026, 1, 10), rate=D("79.123457"))
        day = dt.date(2026, 1, 5)
        refused = 0
        for n, (kind, count, detail) in enumerate(steps):
            day += dt.timedelta(days=n % 3)
            try:
                currency = "USD" if kind.endswith("_usd") else "RUB"
                if kind.startswith("issue"):
                    line = manual(detail, quantity=str(count), vat="standard")
                    issue(shop, day, line, routers(shop), currency=currency)
                elif kind == "credit":
                    invoices = list(Invoice.objects.filter(kind=InvoiceKind.INVOICE).order_by("id"))
                    if invoices:
                        target = invoices[count % len(invoices)]
                        line = manual(detail, quantity=f"-{count}", vat="standard")
                        credit(shop, target, max(day, target.issued_on), line)
                elif detail == "apply":
                    rest = Payment.objects.filter(allocated_amount__lt=F("amount"), currency=currency).first()
                    target = Invoice.objects.filter(open_amount__gt=0, currency=currency).first()
                    if rest is not None and target is not None:
                        payments.payment_allocate(by=shop.org.am_a, payment=rest, invoice=target)
                elif detail == "explicit":
                    amount = D(f"{count}.{n:02d}")
                    target = Invoice.objects.filter(open_amount__gt=0, currency=currency).first()
                    parts = [(target, min(amount, target.open_amount))] if target else []
                    pay(shop, day, str(amount), currency=currency, allocate=parts)
                else:
                    allocate = None if detail == "auto" else []
                    pay(shop, day, f"{count}.{n:02d}", currency=currency, allocate=allocate)
            except ValidationError as error:
                assert "lines" in error.message_dict  # only a credit note larger than what is left is refused
                refused += 1
        assert totals.ledger_problems(shop.account) == []
        assert refused < len(steps) or all(kind == "credit" for kind, _c, _d in steps)
        transaction.set_rollback(True)


def test_month_sums_are_exact_to_the_kopeck_on_every_database(shop):
    """SQLite sums decimals as floats (0.1 + 0.2 + 0.33 − … leaves noise such as 0.00999999999999091): the
    month rows the rebuild writes and the ones the check recomputes are rounded to the kopeck in SQL."""
    invoice = issue(shop, MARCH, manual("0.10"), manual("0.20"), manual("0.33"), manual("0.07"))
    credit(shop, invoice, MARCH, manual("0.29", quantity="-1"), manual("0.40", quantity="-1"))
    # 0.10 + 0.20 + 0.33 + 0.07 − 0.29 − 0.40 = 0.01
    totals.rebuild_month_totals([shop.account.pk])
    assert {row[2] for row in months_of(shop.account)} == {D("0.01")}
    assert totals.ledger_problems(shop.account) == []
