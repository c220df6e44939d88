"""The account list's work columns (issue 17): chosen in ?cols= (a default set when absent), sortable by last
touch, next touch and open requests through keyset pages — ties and accounts with nothing included — with an
overdue next touch marked in words, a fixed number of queries whatever the rows, and only what the reader
may see."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from orbit.accounts import list_columns, selectors
from orbit.accounts.models import NEVER_TOUCHED, NOTHING_PLANNED, AccountPulse
from tests.factories import make_account
from tests.keyset_walk import walk as walk_pages

LIST = reverse("accounts:list")


def _pulse(account, **values) -> None:
    AccountPulse.objects.filter(account=account).update(**values)


@pytest.fixture
def worked(org, settings):
    """Eleven of lead_a's accounts on pages of 4: some share their figures (ties), some have none."""
    settings.ORBIT_PAGE_SIZE = 4
    today = timezone.localdate()
    now = timezone.now()
    accounts = []
    for n in range(11):
        account = make_account(org.head, [org.am_a, org.am_a1][n % 2], legal_name=f"ООО «Работа {n}»")
        if n < 7:  # four accounts never touched, nothing planned, no requests
            _pulse(
                account,
                last_touch_at=now - dt.timedelta(days=n % 3),  # ties by threes
                next_touch_on=today + dt.timedelta(days=(n % 4) - 1),  # one day overdue for some
                open_requests=n % 2,
            )
        accounts.append(account)
    other = make_account(org.head, org.am_b, legal_name="ООО «Чужая работа»")
    _pulse(other, last_touch_at=now, next_touch_on=today - dt.timedelta(days=30), open_requests=9)
    return accounts


def _expected(user, sort: str) -> list[int]:
    """The order the sort promises, computed in Python from the pulse rows: value, then the account's id."""
    visible = set(selectors.account_list(user, selectors.AccountFilters()).values_list("pk", flat=True))
    rows = [p for p in AccountPulse.objects.filter(account_id__in=visible)]
    field = {"last_touch": "last_touch_at", "next_touch": "next_touch_on", "open_requests": "open_requests"}
    name = field[sort.lstrip("-")]
    return [
        p.account_id
        for p in sorted(rows, key=lambda p: (getattr(p, name), p.account_id), reverse=sort.startswith("-"))
    ]


@pytest.mark.parametrize("walk", [False, True], ids=["short list sorted", "long list walks the index"])
@pytest.mark.parametrize(
    "sort", ["last_touch", "-last_touch", "next_touch", "-next_touch", "open_requests", "-open_requests"]
)
def test_each_work_column_sorts_and_pages_by_keyset_across_ties_and_empty_figures(
    client, org, worked, sort, walk, monkeypatch
):
    if walk:  # as a list longer than SORT_BELOW: the pulse's index order, not a sort
        monkeypatch.setattr(selectors, "SORT_BELOW", 0)
    client.force_login(org.lead_a)
    forward = walk_pages(client, "accounts:list", {"sort": sort}, None, "next")
    assert [pk for page in forward for pk in page] == _expected(org.lead_a, sort)
    assert [len(page) for page in forward] == [4, 4, 3]
    backward = walk_pages(client, "accounts:list", {"sort": sort}, "last", "prev")
    assert backward == forward[::-1]


def test_accounts_without_figures_sort_after_the_rest_by_next_touch_and_latest_touch(client, org, worked):
    client.force_login(org.lead_a)
    soonest = [
        pk
        for page in walk_pages(client, "accounts:list", {"sort": "next_touch"}, None, "next")
        for pk in page
    ]
    latest = [
        pk
        for page in walk_pages(client, "accounts:list", {"sort": "-last_touch"}, None, "next")
        for pk in page
    ]
    nothing = {a.pk for a in worked[7:]}
    assert set(soonest[-4:]) == nothing and set(latest[-4:]) == nothing


def test_the_default_columns_and_a_chosen_set(client, org, worked):
    client.force_login(org.lead_a)
    default = client.get(LIST)
    assert [key for key, shown in default.context["shown"].items() if shown] == list(list_columns.DEFAULT)
    chosen = client.get(LIST, {"cols": ["open_requests", "last_touch", "nonsense"]})
    assert [key for key, shown in chosen.context["shown"].items() if shown] == ["last_touch", "open_requests"]
    html = chosen.content.decode()
    assert "sort=last_touch" in html and "sort=open_requests" in html and "sort=inn" not in html
    # The sort links, the pages and the filters' form carry the choice on.
    assert "cols=open_requests&amp;cols=last_touch&amp;cols=nonsense&amp;sort=" in html
    assert '<input type="hidden" name="cols" value="open_requests">' in html


def test_an_overdue_next_touch_is_said_in_words_and_nothing_shows_a_dash(client, org, worked):
    client.force_login(org.lead_a)
    params = {"cols": ["next_touch", "last_touch"], "sort": "next_touch"}
    html = client.get(LIST, params).content.decode()
    assert 'class="num overdue"' in html
    assert '<span class="badge overdue">' in html
    html = client.get(LIST, params | {"page": "last"}).content.decode()  # the accounts with nothing
    assert "nothing planned" in html or "ничего не запланировано" in html
    assert "never touched" in html or "касаний не было" in html


def test_a_manager_sees_no_figures_of_accounts_he_may_not_see(client, org, worked):
    client.force_login(org.am_a)
    page = client.get(LIST, {"sort": "-open_requests", "cols": ["open_requests"]}).context["page"]
    shown = {a.pk for a in page.paginator.object_list}
    assert shown == {a.pk for a in worked if a.responsible_manager_id == org.am_a.pk}
    assert all(a.open_requests < 9 for a in page.paginator.object_list)  # am_b's 9 open requests: not his


@pytest.mark.parametrize("sort", ["next_touch", "name"])  # joined to the pulse, or reading the page's rows
def test_the_list_with_every_column_takes_the_same_queries_for_few_rows_and_many(client, org, settings, sort):
    settings.ORBIT_PAGE_SIZE = 25
    every = {"cols": [c.key for c in list_columns.COLUMNS], "sort": sort}
    client.force_login(org.head)
    make_account(org.head, org.am_a, legal_name="ООО «Одна»")
    client.get(LIST, every)  # warm the per-process caches (sessions, policies)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert len(client.get(LIST, every).context["page"]) == 1
    for n in range(20):
        make_account(org.head, [org.am_a, org.am_b][n % 2], legal_name=f"ООО «Много {n}»")
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(LIST, every).context["page"]) == 21
    assert len(many) == len(few)


def test_the_export_takes_the_chosen_columns_and_sort(client, org, worked):
    client.force_login(org.lead_a)
    response = client.get(
        reverse("imports:accounts_export"), {"format": "csv", "sort": "-last_touch", "cols": "next_touch"}
    )
    assert response.status_code == 200


def test_the_pulse_sentinels_read_as_nothing():
    from orbit.accounts.list_rows import planned, touched

    assert touched(NEVER_TOUCHED) is None and planned(NOTHING_PLANNED) is None
    day = timezone.localdate()
    assert planned(day) == day and touched(timezone.now()) is not None


@pytest.mark.parametrize(
    ("sort_below", "cap", "counts", "count", "capped"),
    [
        (5_000, 1_000, 1, 11, False),  # a short list: the work sort's count is exact, the page takes it
        (5, 3, 1, 3, True),  # more than SORT_BELOW, which is more than the cap: "more than 3" is known
        (5, 20, 2, 11, False),  # more than SORT_BELOW, less than the cap: the page counts for itself
    ],
    ids=["exact", "past both", "between"],
)
def test_a_work_sort_counts_its_list_once_when_that_count_serves_the_page(
    client, org, worked, settings, monkeypatch, sort_below, cap, counts, count, capped
):
    monkeypatch.setattr(selectors, "SORT_BELOW", sort_below)
    settings.ORBIT_COUNT_CAP = cap
    client.force_login(org.lead_a)  # sees the eleven accounts of `worked`
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        page = client.get(LIST, {"sort": "next_touch"}).context["page"]
    assert sum("COUNT(" in q["sql"].upper() for q in captured.captured_queries) == counts
    assert (page.paginator.count, page.paginator.count_is_capped) == (count, capped)
