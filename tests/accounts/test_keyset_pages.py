"""The accounts list pages by keyset (orbit/common/keyset.py): next/previous/first/last links walk every
visible account once, in the sort the list offers, from the start and from the end alike."""

import pytest
from django.urls import reverse

from orbit.accounts.models import Account
from orbit.common import keyset
from tests.factories import make_account
from tests.keyset_walk import link, walk


@pytest.fixture
def many(org, settings):
    settings.ORBIT_PAGE_SIZE = 4
    managers = [org.am_a, org.am_a1, org.lead_a]
    for n in range(11):  # 11 on pages of 4: the last page holds 3, so its alignment matters
        make_account(org.head, managers[n % 3], legal_name=f"ООО «Клиент {n % 4}»", tier="ABC"[n % 3])
    make_account(org.head, org.am_b, legal_name="ООО «Чужой»")  # another team: never listed for lead_a
    return Account.objects.filter(responsible_manager__in=managers)


@pytest.mark.parametrize(
    "sort", ["name", "-name", "-status", "tier", "-tier", "manager", "-manager", "updated"]
)
def test_next_and_previous_walk_every_account_once_in_order(client, org, many, sort):
    client.force_login(org.lead_a)
    expected = [
        a.pk
        for a in client.get(reverse("accounts:list"), {"sort": sort}).context["page"].paginator.object_list
    ]
    forward = walk(client, "accounts:list", {"sort": sort}, None, "next")
    assert [pk for page in forward for pk in page] == expected
    assert [len(page) for page in forward] == [4, 4, 3]
    backward = walk(client, "accounts:list", {"sort": sort}, "last", "prev")
    assert backward == forward[::-1]  # the last page holds what is left, aligned with page 1


def test_pages_say_where_they_are_and_link_first_and_last(client, org, many):
    client.force_login(org.lead_a)
    first = client.get(reverse("accounts:list"))
    assert "Page 1 of 3" in first.content.decode() or "Страница 1 из 3" in first.content.decode()
    assert link(first, "prev") is None and link(first, "last").endswith("page=last")
    last = client.get(reverse("accounts:list"), {"page": "last"})
    assert last.context["page"].number == 3 and link(last, "next") is None
    assert link(last, "first") == ""  # the list's own query, no page
    middle = client.get(reverse("accounts:list") + "?" + link(last, "prev"))
    assert middle.context["page"].number == 2


def test_search_pages_by_keyset_too(client, org, many):
    client.force_login(org.lead_a)
    forward = walk(client, "accounts:list", {"q": "клиент"}, None, "next")
    assert sum(len(page) for page in forward) == 11
    assert len({pk for page in forward for pk in page}) == 11


def test_a_forged_or_foreign_cursor_opens_the_first_page(client, org, many):
    client.force_login(org.lead_a)
    first = [a.pk for a in client.get(reverse("accounts:list")).context["page"]]
    name_cursor = link(client.get(reverse("accounts:list")), "next").split("page=")[1]
    for page in ["garbage", name_cursor[:-3] + "abc"]:
        assert [a.pk for a in client.get(reverse("accounts:list"), {"page": page}).context["page"]] == first
    by_inn = client.get(reverse("accounts:list"), {"sort": "inn", "page": name_cursor})
    assert by_inn.status_code == 200 and by_inn.context["page"].number == 1


def test_a_capped_list_pages_on_past_the_cap_and_its_last_page_is_the_real_end(client, org, many, settings):
    settings.ORBIT_COUNT_CAP = 5
    client.force_login(org.lead_a)
    forward = walk(client, "accounts:list", {}, None, "next")
    assert sum(len(page) for page in forward) == 11
    last = client.get(reverse("accounts:list"), {"page": "last"})
    assert [a.pk for a in last.context["page"]] == forward[-1][-4:] or len(forward[-1]) < 4
    assert last.context["page"].number is None  # unknown: the count stopped at the cap


def test_row_comparison_for_one_direction_and_expanded_for_mixed(postgres_only):
    one_way = str(Account.objects.filter(keyset.beyond(("sort_name", "id"), ("a", 1), forward=True)).query)
    assert 'ROW("accounts_account"."sort_name", "accounts_account"."id") > (ROW(' in one_way
    mixed = str(
        Account.objects.filter(
            keyset.beyond(("-status", "sort_name", "id"), ("b", "a", 1), forward=True)
        ).query
    )
    assert '"accounts_account"."status" <= b' in mixed and '"accounts_account"."status" < b' in mixed


@pytest.mark.parametrize("sort", ["name", "-name", "tier", "-manager"])
def test_a_search_counts_its_matches_while_reading_its_first_page(client, org, many, sort):
    """The first page of a search reads its rows and their count in one pass (keyset counts_with_rows): the
    same rows, in the same order, and the same count as the separate COUNT gives."""
    client.force_login(org.lead_a)
    response = client.get(reverse("accounts:list"), {"q": "клиент", "sort": sort})
    page = response.context["page"]
    assert page.paginator.count == 11 and not page.paginator.count_is_capped
    whole = list(page.paginator.object_list)  # the list's queryset, read whole here
    assert [a.pk for a in page] == [a.pk for a in whole[:4]]
    assert page.paginator.object_list.count() == 11
    assert "Page 1 of 3" in response.content.decode() or "Страница 1 из 3" in response.content.decode()


def test_a_counted_first_page_caps_its_count_and_finds_none_without_a_match(client, org, many, settings):
    settings.ORBIT_COUNT_CAP = 8
    client.force_login(org.lead_a)
    page = client.get(reverse("accounts:list"), {"q": "клиент"}).context["page"]
    assert page.paginator.matched == 9 and page.paginator.count_is_capped and page.paginator.count == 8
    empty = client.get(reverse("accounts:list"), {"q": "несуществующее"}).context["page"]
    assert empty.paginator.count == 0 and list(empty) == []


def test_a_search_page_needs_no_separate_count(client, org, many, django_assert_max_num_queries):
    """Page and count together: the search's first page asks no COUNT of its own, and no more queries than
    the list without a search (the ids with their count, then the rows by id)."""
    client.force_login(org.lead_a)
    client.get(reverse("accounts:list"))  # warm the session
    with django_assert_max_num_queries(20) as plain:
        client.get(reverse("accounts:list"))
    with django_assert_max_num_queries(len(plain.captured_queries)) as searched:
        client.get(reverse("accounts:list"), {"q": "клиент"})
    sqls = [q["sql"] for q in searched.captured_queries]
    assert not [sql for sql in sqls if sql.startswith("SELECT COUNT(*)")]
    assert [sql for sql in sqls if "OVER ()" in sql]
