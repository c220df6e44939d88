"""The invoices list pages by keyset (orbit/common/keyset.py), newest first with the id breaking ties:
next/previous/first/last walk every visible document once, filters kept, whoever reads it."""

import datetime as dt

import pytest
from django.urls import reverse

from orbit.common import keyset
from orbit.revenue.models import Invoice
from tests.keyset_walk import assert_deep_pages_cost_as_the_first, cursor, link, walk
from tests.revenue.conftest import client_since_2024
from tests.revenue.ledger import issue, manual

DAYS = [dt.date(2026, 2, 2), dt.date(2026, 2, 9), dt.date(2026, 3, 2), dt.date(2026, 3, 16)]


@pytest.fixture
def many(shop, settings):
    """11 of am_a's invoices on four days (ties across the pages' edges) on pages of 4, and two of team B's."""
    settings.ORBIT_PAGE_SIZE = 4
    second = client_since_2024(shop.org.head, shop.org.am_a)
    for n in range(11):
        issue(shop, DAYS[n % 4], manual(f"{100 + n}.00"), account=shop.account if n % 2 else second)
    other = client_since_2024(shop.org.head, shop.org.am_b)
    for day in DAYS[:2]:
        issue(shop, day, manual("50.00"), account=other, by=shop.org.am_b)
    return Invoice.objects.filter(account__in=[shop.account, second])


def _in_order(rows) -> list[int]:
    return [
        pk
        for pk, _day in sorted(rows.values_list("pk", "issued_on"), key=lambda r: (r[1], r[0]), reverse=True)
    ]


@pytest.mark.parametrize("persona", ["am_a", "lead_a"])
def test_next_and_previous_walk_every_invoice_once_newest_first(client, shop, many, persona):
    client.force_login(getattr(shop.org, persona))
    forward = walk(client, "revenue:invoices", {}, None, "next")
    assert [pk for page in forward for pk in page] == _in_order(many)
    assert [len(page) for page in forward] == [4, 4, 3]
    assert walk(client, "revenue:invoices", {}, "last", "prev") == forward[::-1]


def test_the_head_walks_both_teams_and_a_filter_stays_on_every_page(client, shop, many):
    client.force_login(shop.org.head)
    everything = walk(client, "revenue:invoices", {}, None, "next")
    assert [pk for page in everything for pk in page] == _in_order(Invoice.objects.all())
    account = shop.account.pk
    filtered = walk(client, "revenue:invoices", {"account": account}, None, "next")
    assert [pk for page in filtered for pk in page] == _in_order(many.filter(account=account))
    assert link(client.get(reverse("revenue:invoices"), {"account": account}), "next").startswith(
        f"account={account}&page="
    )


def test_the_last_page_an_old_page_number_and_the_htmx_results(client, shop, many):
    client.force_login(shop.org.am_a)
    last = client.get(reverse("revenue:invoices"), {"page": "last"})
    page = last.context["page"]
    assert page.number == 3 and [i.pk for i in page] == _in_order(many)[8:] and link(last, "next") is None
    old = client.get(reverse("revenue:invoices"), {"page": "2"}).context["page"]
    assert [i.pk for i in old] == _in_order(many)[4:8]
    partial = client.get(reverse("revenue:invoices"), headers={"HX-Request": "true"})
    assert partial.templates[0].name == "revenue/_invoices.html"
    assert 'hx-get="?page=' in partial.content.decode() and 'hx-target="#results"' in partial.content.decode()


def test_a_tampered_or_foreign_cursor_opens_the_first_page(client, shop, many):
    client.force_login(shop.org.am_a)
    token = cursor(client.get(reverse("revenue:invoices")), "next")
    for forged in ["garbage", token[:-3] + "abc"]:
        page = client.get(reverse("revenue:invoices"), {"page": forged}).context["page"]
        assert page.number == 1 and [i.pk for i in page] == _in_order(many)[:4]
    # A cursor signed for another order (the requests list's) is refused.
    foreign = keyset.encode(keyset.Cursor(("2026-03-02T00:00:00", 1), True, 2), ("-received_at", "-id"))
    assert client.get(reverse("revenue:invoices"), {"page": foreign}).context["page"].number == 1


def test_a_cursor_never_shows_another_persons_invoices(client, shop, many):
    client.force_login(shop.org.head)
    token = cursor(client.get(reverse("revenue:invoices")), "next")
    client.force_login(shop.org.am_b)
    shown = [i.pk for i in client.get(reverse("revenue:invoices"), {"page": token}).context["page"]]
    assert not set(shown) & set(many.values_list("pk", flat=True))
    client.force_login(shop.org.outsider)
    assert list(client.get(reverse("revenue:invoices"), {"page": token}).context["page"]) == []


def test_a_deep_page_costs_the_same_queries_as_the_first(client, shop, many, django_assert_max_num_queries):
    client.force_login(shop.org.am_a)
    assert_deep_pages_cost_as_the_first(
        client, "revenue:invoices", {}, django_assert_max_num_queries, first_max=8
    )
