"""orbit/common/keyset.py with what the ledger's and the requests' lists sort by: money and dates in a cursor,
sort fields of a related row (the receivables' account name), and a count the caller already made."""

import datetime as dt
from decimal import Decimal

from orbit.accounts.models import Account
from orbit.common import keyset
from orbit.common.pagination import CappedPaginator
from tests.factories import make_account


def test_a_cursor_carries_money_dates_and_times_exactly():
    order = ("-overdue_base", "issued_on", "received_at", "account__sort_name", "account_id")
    moment = dt.datetime(2026, 6, 15, 9, 30, 0, 123456, tzinfo=dt.UTC)
    values = (Decimal("1220.10"), dt.date(2026, 2, 1), moment, "ромашка", 5)
    token = keyset.encode(keyset.Cursor(values, True, 2), order)
    cursor = keyset.decode(token, order)
    assert cursor.values == ("1220.10", "2026-02-01", "2026-06-15T09:30:00.123456+00:00", "ромашка", 5)
    assert (cursor.forward, cursor.position) == (True, 2)


def test_a_page_reads_a_related_rows_sort_values_and_seeks_past_them(org, django_assert_num_queries):
    managers = [org.am_a, org.am_a1, org.lead_a, org.am_b]
    for n in range(7):
        make_account(org.head, managers[n % 4])
    qs = Account.objects.select_related("responsible_manager")
    order = ("-responsible_manager__username", "id")  # mixed directions, the first on the related row
    expected = list(qs.order_by(*order).values_list("pk", flat=True))
    page = keyset.page_of(qs.order_by(*order), order, None, per_page=3)
    with django_assert_num_queries(0):  # the manager came with the account
        token = page.next_cursor
    assert keyset.decode(token, order).values == (page[-1].responsible_manager.username, page[-1].pk)
    second = keyset.page_of(qs.order_by(*order), order, token, per_page=3)
    assert [a.pk for a in page] + [a.pk for a in second] == expected[:6]
    back = keyset.page_of(qs.order_by(*order), order, second.previous_cursor, per_page=3)
    assert [a.pk for a in back] == expected[:3]


def test_the_callers_count_is_kept_even_when_a_bad_cursor_falls_back(org, django_assert_num_queries):
    for _ in range(5):
        make_account(org.head, org.am_a)
    qs = Account.objects.order_by("sort_name", "id")
    with django_assert_num_queries(1):  # the rows; no COUNT: the caller counted 5 with its totals
        page = keyset.page_or_first(
            qs, ("sort_name", "id"), "forged", per_page=2, paginator=CappedPaginator(qs, 2, matched=5)
        )
        assert (page.number, page.num_pages, len(page)) == (1, 3, 2)
