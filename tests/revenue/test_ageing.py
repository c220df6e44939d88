"""Balances and ageing in the base currency: days overdue = today − due_on; not due (<= 0), 1–30, 31–60,
61–90, over 90; each document at its own rate (receivables are not revalued); bounded queries."""

import datetime as dt
from decimal import Decimal

from django.db import connection

from orbit.accounts.models import Account
from orbit.revenue import balances
from orbit.revenue.models import CurrencyRate
from tests.revenue.conftest import client_since_2024
from tests.revenue.ledger import credit, issue, manual, pay, routers

D = Decimal
TODAY = dt.date(2026, 6, 30)


def ageing_ladder(shop, account=None):
    """One invoice per edge, due `days` before TODAY, worth 100 × 2^k (without VAT)."""
    for k, days in enumerate((0, 1, 30, 31, 60, 61, 90, 91)):
        due = TODAY - dt.timedelta(days=days)
        issue(shop, due, manual(str(100 * 2**k)), due_on=due, account=account)


def test_buckets_at_their_edges(shop):
    ageing_ladder(shop)
    balance = balances.account_balance([shop.account.pk], today=TODAY)
    # 0 days → not due 100; 1 and 30 → 200 + 400; 31 and 60 → 800 + 1600; 61 and 90 → 3200 + 6400; 91 → 12800
    assert balance.buckets == {
        "not_due": D("100.00"),
        "d1_30": D("600.00"),
        "d31_60": D("2400.00"),
        "d61_90": D("9600.00"),
        "d90_plus": D("12800.00"),
    }
    # open: 100 + 200 + … + 12800 = 25500; overdue: all but the 100 not yet due = 25400
    assert (balance.open_base, balance.overdue_base, balance.invoiced_base) == (
        D("25500.00"),
        D("25400.00"),
        D("25500.00"),
    )
    assert balance.last_purchase_on == TODAY
    assert balance.last_payment_on is None


def test_the_balance_sums_invoices_credit_notes_payments_and_credit(shop):
    invoice = issue(shop, dt.date(2026, 6, 1), routers(shop, 2), due_on=dt.date(2026, 6, 15))  # 2440.00
    credit(shop, invoice, dt.date(2026, 6, 2), routers(shop, "-1"))  # −1220.00
    pay(shop, dt.date(2026, 6, 3), "1000.00")
    pay(shop, dt.date(2026, 6, 4), "50.00", allocate=[])
    balance = balances.account_balance([shop.account.pk], today=TODAY)
    # invoiced 2440, credited 1220, paid 1000 + 50 = 1050; open 2440 − 1220 − 1000 = 220, 15 days overdue;
    # credit: the 50.00 left unallocated
    assert (balance.invoiced_base, balance.credited_base, balance.paid_base) == (
        D("2440.00"),
        D("1220.00"),
        D("1050.00"),
    )
    assert (balance.open_base, balance.overdue_base, balance.credit_base) == (
        D("220.00"),
        D("220.00"),
        D("50.00"),
    )
    assert balance.buckets["d1_30"] == D("220.00")
    assert (balance.last_purchase_on, balance.last_payment_on) == (dt.date(2026, 6, 1), dt.date(2026, 6, 4))


def test_foreign_receivables_keep_their_documents_rate(shop):
    issue(shop, dt.date(2026, 3, 5), routers(shop, 3), currency="USD", due_on=dt.date(2026, 3, 5))
    CurrencyRate.objects.create(currency="USD", day=dt.date(2026, 6, 29), rate=D("95.000000"))
    balance = balances.account_balance([shop.account.pk], today=TODAY)
    # 45.75 USD open at the invoice's 80.123456 = 3665.648112 → 3665.65 (not 45.75 × 95 = 4346.25)
    assert balance.open_base == D("3665.65")
    assert balance.buckets["d90_plus"] == D("3665.65")  # due 2026-03-05: 117 days before 2026-06-30


def test_the_open_base_is_rounded_per_invoice(shop):
    # two USD invoices with 15.25 open each: 15.25 × 80.123456 = 1221.882704 → 1221.88 each, 2443.76 in all
    # (rounding the sum instead: 30.50 × 80.123456 = 2443.765408 → 2443.77)
    issue(shop, dt.date(2026, 3, 5), routers(shop), currency="USD")
    issue(shop, dt.date(2026, 3, 6), routers(shop), currency="USD")
    assert balances.account_balance([shop.account.pk], today=TODAY).open_base == D("2443.76")


def test_a_holdings_balance_adds_up_its_accounts(shop):
    other = client_since_2024(shop.org.head, shop.org.am_a)
    issue(shop, dt.date(2026, 6, 1), manual("100.00"))
    issue(shop, dt.date(2026, 6, 1), manual("250.00"), account=other)
    balance = balances.account_balance([shop.account.pk, other.pk], today=TODAY)
    assert balance.open_base == D("350.00")  # 100 + 250


def test_receivables_lists_only_accounts_with_something_open(shop):
    debtor = client_since_2024(shop.org.head, shop.org.am_a)
    payer = client_since_2024(shop.org.head, shop.org.am_a)
    ageing_ladder(shop, account=debtor)
    issue(shop, dt.date(2026, 6, 1), manual("70.00"), account=payer)
    pay(shop, dt.date(2026, 6, 2), "70.00", account=payer)
    rows = {a.pk: a for a in balances.receivables(Account.objects.all(), today=TODAY)}
    assert set(rows) == {debtor.pk}
    row = rows[debtor.pk]
    assert (row.open_base, row.overdue_base) == (D("25500.00"), D("25400.00"))
    assert [getattr(row, b) for b in balances.BUCKETS] == [
        D("100.00"),
        D("600.00"),
        D("2400.00"),
        D("9600.00"),
        D("12800.00"),
    ]


def test_receivables_can_be_ordered_and_sliced_like_any_list(shop):
    small = client_since_2024(shop.org.head, shop.org.am_a)
    large = client_since_2024(shop.org.head, shop.org.am_a)
    issue(shop, dt.date(2026, 6, 1), manual("10.00"), account=small)
    issue(shop, dt.date(2026, 6, 1), manual("900.00"), account=large)
    issue(shop, dt.date(2026, 6, 2), manual("5.00"), account=large)
    ordered = balances.receivables(Account.objects.all(), today=TODAY).order_by("-open_base")
    assert [(a.pk, a.open_base) for a in ordered[:2]] == [(large.pk, D("905.00")), (small.pk, D("10.00"))]


def test_account_balance_takes_two_queries(shop, django_assert_num_queries):
    ageing_ladder(shop)
    pay(shop, TODAY, "10.00", allocate=[])
    with django_assert_num_queries(2):
        balances.account_balance([shop.account.pk], today=TODAY)


def test_receivables_is_one_query_whatever_the_number_of_accounts(shop, django_assert_num_queries):
    for _ in range(5):
        ageing_ladder(shop, account=client_since_2024(shop.org.head, shop.org.am_a))
    with django_assert_num_queries(1):
        rows = list(balances.receivables(Account.objects.all(), today=TODAY))
    assert len(rows) == 5


def test_receivables_follow_the_visibility_of_the_accounts_given(shop):
    theirs = client_since_2024(shop.org.head, shop.org.am_b)
    issue(shop, dt.date(2026, 6, 1), manual("10.00"), account=theirs, by=shop.org.head)
    issue(shop, dt.date(2026, 6, 1), manual("20.00"))
    visible = Account.objects.visible_to(shop.org.am_a)
    assert [a.pk for a in balances.receivables(visible, today=TODAY)] == [shop.account.pk]


def test_receivables_of_a_managers_accounts_read_the_open_invoice_index(shop, postgres_only):
    ageing_ladder(shop)
    mine = balances.receivables(Account.objects.filter(responsible_manager=shop.org.am_a), today=TODAY)
    sql, params = mine.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            "SET LOCAL enable_seqscan = off"
        )  # the tables are tiny here; at scale the planner agrees
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "revenue_invoice_open" in plan, plan
