"""The accounts table (analytics:accounts, selectors.metrics_list): filters, sorts with nulls last, pagination
in a bounded number of queries, and nothing of another manager's portfolio."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from orbit.analytics import selectors
from orbit.org.models import User
from tests.analytics.rows import metrics
from tests.factories import make_account


def names(rows) -> list[str]:
    return [row.account.short_name for row in rows]


def listed(user, sort=selectors.DEFAULT_SORT, **filters) -> list[str]:
    return names(selectors.metrics_list(user, selectors.MetricsFilters(**filters), sort))


def test_sorts(org, world):
    assert listed(org.head) == ["big", "b1", "b2", "a1", "small"]  # revenue, largest first
    assert listed(org.head, "revenue") == ["small", "a1", "b2", "b1", "big"]
    # LTV: 9000, 7000, 5000, then the two without a prediction (nulls last both ways), by id.
    assert listed(org.head, "-clv")[:3] == ["big", "b2", "b1"]
    assert set(listed(org.head, "-clv")[3:]) == {"small", "a1"}
    assert listed(org.head, "clv")[:3] == ["b1", "b2", "big"]
    assert listed(org.head, "name") == ["a1", "b1", "b2", "big", "small"]
    # Last purchase = as_of − 10 × (6 − R) days: R5 most recent (big, b2), then b1 (R3), a1 (R2), small (R1).
    assert listed(org.head, "-last_purchase")[2:] == ["b1", "a1", "small"]


def test_filters(org, world):
    assert listed(org.head, abc="A") == ["big", "b1"]
    assert names(selectors.metrics_list(org.head, selectors.MetricsFilters.with_cell("AY"))) == ["b1"]
    # "B" alone is B too new for XYZ: b2, not a1 (BZ).
    assert names(selectors.metrics_list(org.head, selectors.MetricsFilters.with_cell("B"))) == ["b2"]
    assert listed(org.head, xyz=selectors.TOO_NEW) == ["b2"]
    assert listed(org.head, segment="at_risk") == ["a1"]
    assert listed(org.head, dormant=True) == ["small"]
    assert listed(org.head, dormant=False) == ["big", "b1", "b2", "a1"]
    assert listed(org.head, manager=org.am_b.pk) == ["b1", "b2"]
    assert listed(org.head, team=org.team_a.pk) == ["big", "a1", "small"]  # with the subteam A1
    assert listed(org.head, q="b1") == ["b1"]


def test_a_manager_never_sees_anothers_account(org, world):
    assert listed(org.am_a) == ["big", "small"]
    assert listed(org.am_a, manager=org.am_b.pk) == []
    assert listed(org.am_a, q="b1") == []
    assert listed(org.lead_a) == ["big", "a1", "small"]


def test_a_cell_link_lands_on_the_filtered_table(client, org, world):
    User.objects.update(language="en")
    client.force_login(org.head)
    page = client.get(reverse("analytics:accounts"), {"cell": "AX"}).content.decode()
    assert "ООО «big»" not in page  # the display name is the short name
    assert ">big</a>" in page and ">b1</a>" not in page
    assert '<option value="A" selected>' in page and '<option value="X" selected>' in page


def test_sort_headers_say_their_order(client, org, world):
    User.objects.update(language="en")
    client.force_login(org.head)
    page = client.get(reverse("analytics:accounts"), {"sort": "-clv", "abc": "A"}).content.decode()
    assert 'aria-sort="descending"><a class="sort-link" href="?abc=A&amp;sort=clv"' in page
    # Unsorted money columns offer the largest first; the name A to Z.
    assert 'href="?abc=A&amp;sort=-revenue"' in page and 'href="?abc=A&amp;sort=name"' in page


def test_the_page_costs_the_same_for_many_rows(client, org, world, django_assert_max_num_queries):
    run = world[0]
    for i in range(40):
        manager = (org.am_a, org.am_b, org.am_a1)[i % 3]
        account = make_account(org.head, manager, short_name=f"extra {i}")
        metrics(
            account,
            run,
            window_revenue=Decimal(i),
            clv=Decimal(i),
            last_purchase_on=run.as_of - dt.timedelta(i),
        )
    client.force_login(org.head)
    # The user and session, the access context, the count, the page of rows with accounts and managers, the
    # latest run, the scope choices (teams, managers), the tabs' nav.
    with django_assert_max_num_queries(10):
        response = client.get(reverse("analytics:accounts"), {"sort": "-clv"})
    assert response.content.decode().count('<th scope="row">') == 25
    with django_assert_max_num_queries(10):
        partial = client.get(
            reverse("analytics:accounts"), {"sort": "name", "page": 2}, HTTP_HX_REQUEST="true"
        )
    # The table alone, and the filter form's sort field follows the header just clicked.
    body = partial.content.decode()
    assert (
        "<form" not in body
        and '<input type="hidden" name="sort" id="f-sort" value="name" hx-swap-oob="true">' in body
    )
    assert body.count('<th scope="row">') == 20  # 45 rows: the second page of 25


@pytest.mark.parametrize("params", [{"sort": "bogus"}, {"abc": "Q", "xyz": "W", "dormant": "x", "team": "a"}])
def test_bad_parameters_fall_back(client, org, world, params):
    client.force_login(org.head)
    assert client.get(reverse("analytics:accounts"), params).status_code == 200


def test_no_run_says_so(client, org):
    User.objects.update(language="en")
    client.force_login(org.am_a)
    assert "No figures yet." in client.get(reverse("analytics:accounts")).content.decode()
