"""The receivables list pages by keyset (orbit/common/keyset.py) in each of its sorts: the chosen column, then
the account's name, then its id. Next/previous/first/last walk every owing account one may see once, in
order, ties included; the totals and the count stay those of the whole list."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import F
from django.urls import reverse

from orbit.revenue.invoicing import LineInput
from orbit.revenue.models import AccountReceivable
from tests.factories import make_account
from tests.keyset_walk import assert_deep_pages_cost_as_the_first, cursor, link, walk
from tests.revenue.ledger import issue
from tests.revenue.story import NOON

D = Decimal
# Four invoice days for eleven accounts: 90+ late, 31–60, 1–30 and not yet due on NOON (2026-06-15).
DAYS = [dt.date(2026, 2, 1), dt.date(2026, 4, 20), dt.date(2026, 5, 25), dt.date(2026, 6, 10)]


@pytest.fixture
def many(shop, time_machine, settings):
    """11 owing accounts of lead_a's team on pages of 4 (the last holds 3): names, amounts and ages repeat, so
    each sort has ties for the name and the id to break; and one of team B's that lead_a never sees."""
    settings.ORBIT_PAGE_SIZE = 4
    time_machine.move_to(NOON)
    org = shop.org
    managers = [org.am_a, org.am_a1, org.lead_a]
    for n in range(11):
        account = make_account(org.head, managers[n % 3], legal_name=f"ООО «Должник {n % 4}»")
        line = LineInput(product=shop.router, quantity=D(1 + n % 2))
        issue(shop, DAYS[n % 4], line, account=account, by=org.head)
    theirs = make_account(org.head, org.am_b, legal_name="ООО «Чужой»")
    issue(shop, DAYS[0], LineInput(product=shop.router, quantity=D(1)), account=theirs, by=org.head)
    return AccountReceivable.objects.filter(account__responsible_manager__in=managers)


def _expected(rows, sort: str) -> list[int]:
    """The rows in the sort's order, written out here apart from the selector: column, name, id."""
    column = {"name": "account__sort_name", "manager": "account__manager_sort"}.get(
        sort.lstrip("-"),
        {"open": "open_base", "overdue": "overdue_base"}.get(sort.lstrip("-"), sort.lstrip("-")),
    )
    first = F(column).desc() if sort.startswith("-") else F(column).asc()
    return list(rows.order_by(first, "account__sort_name", "account_id").values_list("account_id", flat=True))


SORTS = [
    "-overdue",
    "overdue",
    "open",
    "-open",
    "name",
    "-name",
    "manager",
    "-manager",
    "not_due",
    "-d90_plus",
]


@pytest.mark.parametrize("sort", SORTS)
def test_next_and_previous_walk_every_owing_account_once_in_order(client, shop, many, sort):
    client.force_login(shop.org.lead_a)
    forward = walk(client, "revenue:receivables", {"sort": sort}, None, "next")
    assert [pk for page in forward for pk in page] == _expected(many, sort)
    assert [len(page) for page in forward] == [4, 4, 3]
    assert walk(client, "revenue:receivables", {"sort": sort}, "last", "prev") == forward[::-1]


def test_a_filter_stays_on_every_page_and_the_totals_are_the_whole_lists(client, shop, many):
    client.force_login(shop.org.head)
    params = {"overdue": "1", "sort": "-overdue"}
    pages = walk(client, "revenue:receivables", params, None, "next")
    overdue = many.model.objects.filter(overdue_base__gt=0)
    assert [pk for page in pages for pk in page] == _expected(overdue, "-overdue")
    last = client.get(reverse("revenue:receivables"), {**params, "page": "last"})
    assert last.context["totals"]["count"] == overdue.count() == last.context["page"].paginator.count
    assert last.context["totals"]["overdue_base"] == sum(r.overdue_base for r in overdue)
    assert link(last, "prev").startswith("overdue=1&sort=-overdue&page=")


def test_the_last_page_an_old_page_number_and_a_tampered_cursor(client, shop, many):
    client.force_login(shop.org.lead_a)
    order = _expected(many, "-overdue")
    last = client.get(reverse("revenue:receivables"), {"page": "last"})
    assert last.context["page"].number == 3 and [a.pk for a in last.context["page"]] == order[8:]
    html = last.content.decode()
    assert ("Page 3 of 3" in html or "Страница 3 из 3" in html) and link(last, "next") is None
    old = client.get(reverse("revenue:receivables"), {"page": "2"})
    assert [a.pk for a in old.context["page"]] == order[4:8]
    token = cursor(client.get(reverse("revenue:receivables")), "next")
    for forged in ["garbage", token[:-3] + "abc"]:
        page = client.get(reverse("revenue:receivables"), {"page": forged}).context["page"]
        assert page.number == 1 and [a.pk for a in page] == order[:4]
    by_name = client.get(reverse("revenue:receivables"), {"sort": "name", "page": token}).context["page"]
    assert by_name.number == 1 and [a.pk for a in by_name] == _expected(many, "name")[:4]


def test_a_cursor_never_shows_another_persons_accounts(client, shop, many):
    client.force_login(shop.org.head)
    token = cursor(client.get(reverse("revenue:receivables"), {"sort": "overdue"}), "next")
    client.force_login(shop.org.am_a1)
    pages = walk(client, "revenue:receivables", {"sort": "overdue"}, token, "next")
    seen = set(many.filter(account__responsible_manager=shop.org.am_a1).values_list("account_id", flat=True))
    assert {pk for page in pages for pk in page} <= seen
    client.force_login(shop.org.outsider)
    response = client.get(reverse("revenue:receivables"), {"sort": "overdue", "page": token})
    assert list(response.context["page"]) == [] and response.context["totals"] is None


def test_a_deep_page_costs_the_same_queries_as_the_first(client, shop, many, django_assert_max_num_queries):
    client.force_login(shop.org.lead_a)
    assert_deep_pages_cost_as_the_first(
        client, "revenue:receivables", {}, django_assert_max_num_queries, first_max=8
    )
