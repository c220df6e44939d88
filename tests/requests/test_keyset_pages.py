"""The requests list pages by keyset (orbit/common/keyset.py) for its column sorts on real columns (received,
status): next/previous/first/last walk every visible request once, in the list's order, ties included. The due
and priority sorts stay on OFFSET pages (selectors.KEYSET_SORTS says why)."""

import pytest
from django.urls import reverse

from orbit.requests import selectors, views
from orbit.requests.models import Priority, Request, RequestStatus
from tests.factories import make_account
from tests.keyset_walk import assert_deep_pages_cost_as_the_first, cursor, link, walk
from tests.requests.conftest import msk
from tests.requests.test_pages import _new

# Four moments for eleven requests: several requests share each, so every page boundary falls inside a tie.
MOMENTS = [
    msk(2026, 11, 23, 10, 0),
    msk(2026, 11, 23, 11, 0),
    msk(2026, 11, 24, 9, 30),
    msk(2026, 11, 25, 9, 0),
]
STATUSES = [
    RequestStatus.NEW,
    RequestStatus.IN_PROGRESS,
    RequestStatus.WAITING_CLIENT,
    RequestStatus.RESOLVED,
]


@pytest.fixture
def many(org, clock, monkeypatch):
    """11 requests of lead_a's team on pages of 4 (the last holds 3), and one of team B's that he never sees."""
    monkeypatch.setattr(views, "REQUESTS_PER_PAGE", 4)
    accounts = [make_account(org.head, manager) for manager in (org.am_a, org.am_a1, org.lead_a)]
    made = [
        _new(
            org, accounts[n % 3], clock, by=org.head, at=MOMENTS[n % 4], priority=list(Priority.values)[n % 4]
        )
        for n in range(11)
    ]
    for n, request in enumerate(
        made
    ):  # the statuses straight in the table: the list, not the workflow, is tested
        Request.objects.filter(pk=request.pk).update(status=STATUSES[n % 4])
    _new(org, make_account(org.head, org.am_b), clock, by=org.head, at=MOMENTS[0])
    return Request.objects.filter(account__in=accounts)


def _expected(rows, sort: str) -> list[int]:
    """The visible rows in the sort's order, read by the ORM apart from the list's selector."""
    order = selectors.SORTS[sort]
    return list(rows.order_by(*order).values_list("pk", flat=True))


@pytest.mark.parametrize("sort", sorted(selectors.KEYSET_SORTS))
def test_next_and_previous_walk_every_request_once_in_order(client, org, many, sort):
    client.force_login(org.lead_a)
    params = {"sort": sort, "status": ""}  # every status
    forward = walk(client, "requests:list", params, None, "next")
    assert [pk for page in forward for pk in page] == _expected(many, sort)
    assert [len(page) for page in forward] == [4, 4, 3]
    backward = walk(client, "requests:list", params, "last", "prev")
    assert backward == forward[::-1]  # the last page holds what is left, aligned with page 1


def test_the_default_list_walks_the_open_requests_newest_first(client, org, many):
    client.force_login(org.lead_a)
    open_rows = many.exclude(status=RequestStatus.RESOLVED)  # the list opens on the open ones
    assert open_rows.count() == 9
    forward = walk(client, "requests:list", {}, None, "next")
    assert [pk for page in forward for pk in page] == _expected(open_rows, "-received")
    assert [len(page) for page in forward] == [4, 4, 1]
    assert walk(client, "requests:list", {}, "last", "prev") == forward[::-1]


def test_pages_say_where_they_are_and_the_last_page(client, org, many):
    client.force_login(org.lead_a)
    first = client.get(reverse("requests:list"), {"status": ""})
    html = first.content.decode()
    assert "Page 1 of 3" in html or "Страница 1 из 3" in html
    assert link(first, "prev") is None and link(first, "last") == "status=&page=last"
    last = client.get(reverse("requests:list"), {"status": "", "page": "last"})
    page = last.context["page"]
    assert page.number == 3 and len(page) == 3 and link(last, "next") is None
    assert [r.pk for r in page] == _expected(many, "-received")[8:]
    assert link(last, "first") == "status="  # the list's own query, without a page
    middle = client.get(reverse("requests:list") + "?" + link(last, "prev"))
    assert middle.context["page"].number == 2


def test_an_old_page_number_still_opens_that_page(client, org, many):
    client.force_login(org.lead_a)
    page = client.get(reverse("requests:list"), {"status": "", "page": "2"}).context["page"]
    assert page.number == 2 and [r.pk for r in page] == _expected(many, "-received")[4:8]


def test_a_tampered_or_foreign_cursor_opens_the_first_page(client, org, many):
    client.force_login(org.lead_a)
    first = client.get(reverse("requests:list"), {"status": ""})
    on_first = [r.pk for r in first.context["page"]]
    token = cursor(first, "next")
    for forged in ["garbage", token[:-3] + "abc"]:
        response = client.get(reverse("requests:list"), {"status": "", "page": forged})
        assert response.status_code == 200 and [r.pk for r in response.context["page"]] == on_first
    by_status = client.get(reverse("requests:list"), {"status": "", "sort": "status", "page": token})
    assert by_status.context["page"].number == 1
    assert [r.pk for r in by_status.context["page"]] == _expected(many, "status")[:4]


def test_a_cursor_never_shows_another_persons_requests(client, org, many):
    client.force_login(org.head)  # sees team B's request too
    token = cursor(client.get(reverse("requests:list"), {"status": ""}), "next")
    client.force_login(org.am_b)
    shown = [
        r.pk for r in client.get(reverse("requests:list"), {"status": "", "page": token}).context["page"]
    ]
    assert shown and set(shown) <= set(Request.objects.visible_to(org.am_b).values_list("pk", flat=True))
    assert not set(shown) & set(many.values_list("pk", flat=True))
    client.force_login(org.am_a1)  # one account of the eleven: head's cursor shows only his
    theirs = many.filter(account__responsible_manager=org.am_a1)
    pages = walk(client, "requests:list", {"status": ""}, token, "next")
    assert set(pk for page in pages for pk in page) <= set(theirs.values_list("pk", flat=True))


@pytest.mark.parametrize("sort", ["due", "-priority"])
def test_the_offset_sorts_keep_numbered_pages(client, org, many, sort):
    client.force_login(org.lead_a)
    first = client.get(reverse("requests:list"), {"status": "", "sort": sort})
    assert link(first, "next") == f"status=&sort={sort}&page=2" and link(first, "last") is None
    second = client.get(reverse("requests:list"), {"status": "", "sort": sort, "page": "2"})
    listed = [r.pk for r in first.context["page"]] + [r.pk for r in second.context["page"]]
    assert len(set(listed)) == 8


def test_the_htmx_results_carry_keyset_links(client, org, many):
    client.force_login(org.lead_a)
    response = client.get(reverse("requests:list"), {"status": ""}, headers={"HX-Request": "true"})
    assert response.templates[0].name == "requests/_results.html"
    html = response.content.decode()
    assert 'hx-get="?status=&amp;page=' in html and 'rel="next"' in html and 'hx-target="#results"' in html
    assert "format=csv" in html  # the export link keeps the list's query and no page


def test_a_deep_page_costs_the_same_queries_as_the_first(client, org, many, django_assert_max_num_queries):
    client.force_login(org.lead_a)
    assert_deep_pages_cost_as_the_first(
        client, "requests:list", {"status": ""}, django_assert_max_num_queries, first_max=20
    )
