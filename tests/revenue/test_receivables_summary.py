"""The stored receivables rows (AccountReceivable) equal a recompute from the open invoices after every
service that changes an open amount, the morning run ages them, `ledger_problems` reports a stale one, and the
page reading them costs a fixed number of queries.

Today is 2026-06-15 (Moscow). A router is 1000 + 22 % VAT = 1220 in 2026; invoices are due 14 days after issue."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.urls import reverse

from orbit.notifications.reminders import send_reminders
from orbit.revenue import balances, payments, totals
from orbit.revenue.models import AccountReceivable
from tests.factories import Org, make_account
from tests.revenue.conftest import build_shop
from tests.revenue.ledger import credit, issue, pay, routers
from tests.revenue.story import NOON, TODAY

D = Decimal
NOTHING = {"open_base": D(0), "overdue_base": D(0), **dict.fromkeys(balances.BUCKETS, D(0))}


def stored(account) -> dict | None:
    """The account's row; asserts it is what a recompute on its day gives."""
    row = AccountReceivable.objects.filter(account=account).first()
    values = {c: getattr(row, c) for c in balances.SUMMARY_COLUMNS} if row else None
    assert values == balances.receivable_expected(account.pk, today=row.as_of if row else TODAY)
    return values


def expect(account, oldest: dt.date, as_of: dt.date = TODAY, **amounts: str) -> dict:
    money = {**NOTHING, **{k: D(v) for k, v in amounts.items()}}
    return {"account_id": account.pk, "as_of": as_of, **money, "oldest_due_on": oldest}


@pytest.fixture
def noon(time_machine):
    time_machine.move_to(NOON)


def test_each_service_keeps_the_row_and_a_cleared_account_has_none(shop, noon):
    account = shop.account
    assert stored(account) is None
    # A: 2026-05-01, due 05-15: 31 days past due on 06-15 → 31–60.
    a = issue(shop, dt.date(2026, 5, 1), routers(shop))
    assert stored(account) == expect(
        account, dt.date(2026, 5, 15), open_base="1220", overdue_base="1220", d31_60="1220"
    )
    # B: 2026-06-10, due 06-24: not due. open 1220 + 1220 = 2440.
    b = issue(shop, dt.date(2026, 6, 10), routers(shop))
    assert stored(account) == expect(
        account, dt.date(2026, 5, 15), open_base="2440", overdue_base="1220", not_due="1220", d31_60="1220"
    )
    # A credited in full (−1220): only B is open, the oldest due day moves to B's.
    credit(shop, a, dt.date(2026, 6, 12), routers(shop, "-1"))
    assert stored(account) == expect(account, dt.date(2026, 6, 24), open_base="1220", not_due="1220")
    # 500 kept as credit: nothing open changes; then applied to B: 1220 − 500 = 720.
    payment = pay(shop, dt.date(2026, 6, 13), "500.00", allocate=[])
    assert stored(account) == expect(account, dt.date(2026, 6, 24), open_base="1220", not_due="1220")
    payments.payment_allocate(by=shop.org.am_a, payment=payment, invoice=b)
    assert stored(account) == expect(account, dt.date(2026, 6, 24), open_base="720", not_due="720")
    # 720 oldest first clears B: nothing is open, the row is gone.
    pay(shop, dt.date(2026, 6, 14), "720.00")
    assert stored(account) is None


def test_foreign_invoices_count_at_their_own_rate_rounded_per_invoice(shop, noon):
    # Two USD invoices of one router (12.50 + 22 % = 15.25 USD) at 80.123456: 15.25 × 80.123456 = 1221.882704
    # → 1221.88 each, 2443.76 in all; due 03-19 and 03-20: 88 and 87 days past due on 06-15 → 61–90.
    issue(shop, dt.date(2026, 3, 5), routers(shop), currency="USD")
    issue(shop, dt.date(2026, 3, 6), routers(shop), currency="USD")
    assert stored(shop.account) == expect(
        shop.account, dt.date(2026, 3, 19), open_base="2443.76", overdue_base="2443.76", d61_90="2443.76"
    )


def test_the_morning_run_ages_the_buckets(shop, noon):
    issue(shop, dt.date(2026, 5, 1), routers(shop))  # due 05-15
    assert stored(shop.account)["d31_60"] == D("1220.00")  # 31 days on 06-15
    count = send_reminders(today=dt.date(2026, 7, 15))  # 61 days past due → 61–90
    assert count.receivables == 1
    assert stored(shop.account) == expect(
        shop.account,
        dt.date(2026, 5, 15),
        as_of=dt.date(2026, 7, 15),
        open_base="1220",
        overdue_base="1220",
        d61_90="1220",
    )


def test_rebuilding_some_accounts_leaves_the_others_and_drops_what_is_settled(shop, noon):
    other = make_account(shop.org.head, shop.org.am_a, legal_name="ООО «Другой»")
    issue(shop, dt.date(2026, 6, 1), routers(shop))  # due 06-15: not due today
    issue(shop, dt.date(2026, 6, 1), routers(shop), account=other)
    kept = stored(other)
    settled = make_account(shop.org.head, shop.org.am_a, legal_name="ООО «Рассчитавшийся»")
    AccountReceivable.objects.create(**{**kept, "account_id": settled.pk})  # owes nothing: must go
    written = balances.rebuild_receivables(
        today=dt.date(2026, 6, 20), account_ids=[shop.account.pk, settled.pk]
    )
    assert written == 1
    assert not AccountReceivable.objects.filter(account=settled).exists()
    assert stored(shop.account) == expect(
        shop.account,
        dt.date(2026, 6, 15),
        as_of=dt.date(2026, 6, 20),
        open_base="1220",
        overdue_base="1220",
        d1_30="1220",
    )  # 5 days past due on 06-20
    assert stored(other) == kept  # not in the list: untouched


def test_ledger_problems_reports_a_stale_row(shop, noon, corrupts_ledger):
    issue(shop, dt.date(2026, 5, 1), routers(shop))
    AccountReceivable.objects.filter(account=shop.account).update(overdue_base=D("1000.00"))
    assert totals.ledger_problems(shop.account) == [
        "receivables on 2026-06-15: overdue_base is 1000.00, expected 1220.00"
    ]
    AccountReceivable.objects.filter(account=shop.account).delete()
    [missing] = totals.ledger_problems(shop.account)
    assert missing.startswith("receivables on 2026-06-15: stored None, expected {")


def test_the_page_costs_the_same_few_queries_for_a_lead_with_filters(
    client, shop, noon, django_assert_max_num_queries
):
    for n in range(30):
        account = make_account(shop.org.head, shop.org.am_a, legal_name=f"ООО «Должник {n}»")
        issue(shop, dt.date(2026, 4, 1) + dt.timedelta(days=n), routers(shop), account=account)
    client.force_login(shop.org.lead_a)
    url = reverse("revenue:receivables")
    client.get(url, {"team": shop.org.team_a.pk, "overdue": "1"})
    # session, user, access context, teams under the team, totals with the count, page (rows with accounts and
    # managers), managers, teams
    with django_assert_max_num_queries(8):
        response = client.get(url, {"team": shop.org.team_a.pk, "overdue": "1", "sort": "name"})
    assert response.context["page"].paginator.count == 30
    assert response.context["totals"]["open_base"] == D("36600.00")  # 30 × 1220


@pytest.mark.django_db(transaction=True)
def test_the_morning_rebuild_waits_for_a_service_writing_meanwhile_and_keeps_its_row(postgres_only):
    # An invoice is being issued (its row written, not committed) when the morning run starts: the rebuild waits
    # for it and then counts it. Without the lock a service committing between the rebuild's DELETE and its
    # INSERT ... SELECT makes the INSERT meet that row's key (the morning step fails); with it, no writer runs
    # inside the rebuild.
    shop = build_shop(Org())
    written, release = threading.Event(), threading.Event()
    errors: list[Exception] = []

    def issuing():
        try:
            with transaction.atomic():
                issue(shop, dt.date(2026, 6, 10), routers(shop))
                written.set()
                release.wait(10)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    def rebuilding():
        try:
            balances.rebuild_receivables(today=dt.date(2026, 6, 15))
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    first = threading.Thread(target=issuing)
    first.start()
    assert written.wait(10)
    second = threading.Thread(target=rebuilding)
    second.start()
    second.join(1)
    assert second.is_alive()  # it waits for the issuing transaction
    release.set()
    first.join(10)
    second.join(10)
    assert not errors
    # 1000 + 22 % = 1220, due 06-24: not due on 06-15.
    row = AccountReceivable.objects.get(account=shop.account)
    assert (row.open_base, row.not_due, row.as_of) == (D("1220.00"), D("1220.00"), dt.date(2026, 6, 15))
