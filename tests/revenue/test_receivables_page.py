"""Receivables: accounts with open money, open, overdue and the ageing buckets, filtered, sorted, with a totals
row, paginated — read from the stored AccountReceivable rows, scoped to what the viewer sees and a fixed number
of queries whatever the page holds."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from orbit.revenue.invoicing import LineInput
from tests.factories import make_account
from tests.revenue.ledger import issue, pay
from tests.revenue.story import NOON, client_story

D = Decimal


def _routers(shop, day, account):
    return issue(
        shop,
        day,
        LineInput(product=shop.router, quantity=D(1)),
        account=account,
        by=account.responsible_manager,
    )


@pytest.fixture
def owing(shop, time_machine):
    """On 2026-06-15 (see tests/revenue/story.py for the first account):
    story (am_a)    open 642: not due 122, 31–60 520
    late (am_a)     1 router 2026-02-01, due 02-15: 1220, 120 days past due → 90+
    fresh (am_b)    1 router 2026-05-25, due 06-08: 1220, 7 days → 0–30
    paid (am_a)     1 router 2026-05-25, paid in full → not listed
    new (am_a)      10 cables 2026-06-10, due 06-24: 122 not due
    """
    time_machine.move_to(NOON)
    org = shop.org
    late = make_account(org.head, org.am_a, legal_name="ООО «Поздний»")
    fresh = make_account(org.head, org.am_b, legal_name="ООО «Свежий»")
    paid = make_account(org.head, org.am_a, legal_name="ООО «Оплативший»")
    new = make_account(org.head, org.am_a, legal_name="ООО «Новый»")
    client_story(shop)
    _routers(shop, dt.date(2026, 2, 1), late)
    _routers(shop, dt.date(2026, 5, 25), fresh)
    _routers(shop, dt.date(2026, 5, 25), paid)
    pay(shop, dt.date(2026, 5, 30), "1220.00", account=paid, by=org.am_a)
    issue(shop, dt.date(2026, 6, 10), LineInput(product=shop.cable, quantity=D(10)), account=new, by=org.am_a)
    return {"story": shop.account, "late": late, "fresh": fresh, "paid": paid, "new": new}


def _get(client, user, **params):
    client.force_login(user)
    return client.get(reverse("revenue:receivables"), params)


def _rows(response):
    return [(a.pk, a.open_base, a.overdue_base) for a in response.context["page"].object_list]


def test_the_head_sees_every_owing_account_and_the_totals(client, owing, shop):
    response = _get(client, shop.org.head)
    names = {a.pk: key for key, a in owing.items()}
    listed = response.context["page"].object_list
    assert {names[a.pk] for a in listed} == {"story", "late", "fresh", "new"}  # the paid one owes nothing
    # Sorted by overdue, most first: late and fresh 1220 each, story 520, new 0.
    assert [a.overdue_base for a in listed] == [D("1220.00"), D("1220.00"), D("520.00"), D("0.00")]
    # open 642 + 1220 + 1220 + 122 = 3204; overdue 520 + 1220 + 1220 = 2960;
    # not due 122 + 122, 0–30 1220 (fresh), 31–60 520 (story), 61–90 0, 90+ 1220 (late).
    assert response.context["totals"] == {
        "count": 4,
        "as_of": dt.date(2026, 6, 15),  # the services refreshed each row on the day they wrote
        "open_base": D("3204.00"),
        "overdue_base": D("2960.00"),
        "not_due": D("244.00"),
        "d1_30": D("1220.00"),
        "d31_60": D("520.00"),
        "d61_90": D("0.00"),
        "d90_plus": D("1220.00"),
    }
    late = next(a for a in listed if a.pk == owing["late"].pk)
    assert (late.d90_plus, late.account.responsible_manager) == (D("1220.00"), shop.org.am_a)
    assert "Сроки задолженности — на 15.06.2026" in response.content.decode()  # the page is in Russian


def test_overdue_only_manager_and_team_filters(client, owing, shop):
    org = shop.org
    overdue = _get(client, org.head, overdue="1")
    assert {pk for pk, _o, _d in _rows(overdue)} == {owing[k].pk for k in ("story", "late", "fresh")}
    assert overdue.context["totals"]["open_base"] == D("3082.00")  # 3204 − the new account's 122
    by_manager = _get(client, org.head, manager=org.am_b.pk)
    assert _rows(by_manager) == [(owing["fresh"].pk, D("1220.00"), D("1220.00"))]
    # Team A (with its sub-team): am_a's three accounts that owe.
    by_team = _get(client, org.head, team=org.team_a.pk)
    assert {pk for pk, _o, _d in _rows(by_team)} == {owing[k].pk for k in ("story", "late", "new")}


def test_columns_sort_both_ways(client, owing, shop):
    ascending = _get(client, shop.org.head, sort="open")
    assert [o for _pk, o, _d in _rows(ascending)] == [D("122.00"), D("642.00"), D("1220.00"), D("1220.00")]
    by_old_debt = _get(client, shop.org.head, sort="-d90_plus")
    assert _rows(by_old_debt)[0][0] == owing["late"].pk
    nonsense = _get(client, shop.org.head, sort="password")
    assert nonsense.context["filters"].sort == "-overdue"


@pytest.mark.parametrize(
    ("persona", "keys"),
    [("am_a", {"story", "late", "new"}), ("am_b", {"fresh"}), ("lead_b", {"fresh"}), ("outsider", set())],
)
def test_each_person_sees_only_what_he_may(client, owing, shop, persona, keys):
    response = _get(client, getattr(shop.org, persona))
    assert {pk for pk, _o, _d in _rows(response)} == {owing[k].pk for k in keys}
    if not keys:
        assert response.context["totals"] is None
        assert 'class="empty"' in response.content.decode()


def test_a_full_page_costs_the_same_few_queries(client, shop, time_machine, django_assert_max_num_queries):
    time_machine.move_to(NOON)
    for n in range(27):
        account = make_account(shop.org.head, shop.org.am_a, legal_name=f"ООО «Должник {n}»")
        _routers(shop, dt.date(2026, 5, 1 + n), account)
    client.force_login(shop.org.head)
    # session, user, access context, totals with the count, page (rows with accounts and managers), managers,
    # teams
    with django_assert_max_num_queries(7):
        response = client.get(reverse("revenue:receivables"))
    assert len(response.context["page"].object_list) == 25
    assert response.context["page"].paginator.count == 27
    client.get(reverse("revenue:receivables"), {"page": 2})
    with django_assert_max_num_queries(7):
        second = client.get(reverse("revenue:receivables"), {"page": 2})
    assert len(second.context["page"].object_list) == 2
    # The totals row is over all 27, not the page: 27 × 1220.
    assert second.context["totals"]["open_base"] == D("32940.00")


def test_the_htmx_request_gets_only_the_results(client, owing, shop):
    client.force_login(shop.org.head)
    response = client.get(reverse("revenue:receivables"), {"overdue": "1"}, HTTP_HX_REQUEST="true")
    assert next(t.name for t in response.templates) == "revenue/_receivables.html"
    assert "<html" not in response.content.decode()
