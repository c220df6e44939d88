"""Contract deadlines and late deliveries on the manager's day and in his calendar, at the edges of the horizon
(30 days, Orbit's default), read through the visibility policy, in a fixed number of queries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from orbit.activities.models import CalendarFeed
from orbit.revenue import contracts, orders
from orbit.revenue.models import Contract
from orbit.revenue.orders import OrderLineInput
from tests.factories import make_account

D = Decimal


def _contract(by, account, number, ends_in, **fields):
    today = timezone.localdate()
    return contracts.contract_create(
        by=by,
        account=account,
        number=number,
        starts_on=today - dt.timedelta(days=300),
        ends_on=today + dt.timedelta(days=ends_in),
        **fields,
    )


def _order(shop, account, promised_in, by=None):
    return orders.order_create(
        by=by or shop.org.am_a,
        account=account,
        received_at=timezone.now() - dt.timedelta(days=10),
        currency="RUB",
        lines=[OrderLineInput(product=shop.cable, quantity=D(1))],
        promised_on=timezone.localdate() + dt.timedelta(days=promised_in),
    )


@pytest.fixture
def desk(shop):
    """am_a's contracts and orders around the horizon's edges, and am_b's that must not show on his day."""
    am_a, account = shop.org.am_a, shop.account
    _contract(am_a, account, "renewal-on-the-edge", 30)
    _contract(am_a, account, "renewal-beyond", 31)
    _contract(am_a, account, "notice-today", 60, notice_days=60)
    _contract(am_a, account, "notice-tomorrow", 61, notice_days=60)
    _contract(am_a, account, "notice-overdue", 10, notice_days=11)  # notice yesterday, renewal in 10 days
    _contract(am_a, account, "renewal-passed", 5, renewal_on=timezone.localdate() - dt.timedelta(days=1))
    gone = _contract(am_a, account, "terminated", 3)
    contracts.contract_terminate(by=am_a, contract=gone, terminated_on=timezone.localdate(), reason="Закрыт")
    draft = _contract(am_a, account, "draft", 3, status="draft")
    late = _order(shop, account, -1)
    orders.order_confirm(by=am_a, order=late)
    _order(shop, account, 0)  # promised for today: not late yet
    delivered = _order(shop, account, -5)
    for step in (orders.order_confirm, orders.order_ship):
        delivered = step(by=am_a, order=delivered)
    orders.order_deliver(by=am_a, order=delivered, delivered_on=timezone.localdate())  # late, but history
    cancelled = _order(shop, account, -3)
    orders.order_cancel(by=am_a, order=cancelled, reason="Отказ")
    other = make_account(shop.org.head, shop.org.am_b)
    _contract(shop.org.am_b, other, "someone-elses", 1)
    _order(shop, other, -2, by=shop.org.am_b)
    return {"late": late, "draft": draft}


def _named(item) -> str:
    """The contract's number or the order's, from the item's uid ("contract-12-notice", "order-3-delivery")."""
    kind, pk, _what = item.uid.split("-")
    return Contract.objects.get(pk=pk).number if kind == "contract" else "late order"


@pytest.mark.clock
def test_the_day_shows_deadlines_up_to_the_horizon_and_the_overdue_ones_still_actionable(client, shop, desk):
    client.force_login(shop.org.am_a)
    response = client.get(reverse("activities:agenda"))
    day = response.context["day"]
    shown = {(d.kind, _named(d), (d.day - day.today).days) for d in day.deadlines.items}
    assert shown == {
        ("contract_renewal", "renewal-on-the-edge", 30),
        ("contract_notice", "notice-today", 0),
        ("contract_notice", "notice-tomorrow", 1),
        ("contract_notice", "notice-overdue", -1),
        ("contract_renewal", "notice-overdue", 10),
        ("contract_renewal", "renewal-passed", -1),
        ("late_delivery", "late order", -1),
    }
    days = [d.day for d in day.deadlines.items]
    assert days == sorted(days)
    page = response.content.decode()
    assert f'class="overdue" data-deadline="order-{desk["late"].pk}-delivery"' in page
    assert "someone-elses" not in page and "renewal-beyond" not in page


@pytest.mark.clock
def test_the_calendar_feed_carries_the_same_deadlines(client, shop, desk):
    raw = "d" * 40
    CalendarFeed.objects.create(user=shop.org.am_a, token_hash=CalendarFeed.hash(raw))
    response = client.get(reverse("activities:ical", args=[raw]))
    events = {str(e["uid"]): e["dtstart"].dt for e in Calendar.from_ical(response.content).walk("VEVENT")}
    today = timezone.localdate()
    by_number = {c.number: c.pk for c in Contract.objects.all()}
    assert events[f"contract-{by_number['notice-today']}-notice@orbit"] == today
    assert events[f"contract-{by_number['renewal-on-the-edge']}-renewal@orbit"] == today + dt.timedelta(
        days=30
    )
    assert events[f"order-{desk['late'].pk}-delivery@orbit"] == today - dt.timedelta(days=1)
    # The feed looks 90 days ahead: the renewal beyond the agenda's month is in the calendar.
    assert f"contract-{by_number['renewal-beyond']}-renewal@orbit" in events
    assert f"contract-{by_number['someone-elses']}-renewal@orbit" not in events
    assert f"contract-{desk['draft'].pk}-renewal@orbit" not in events


def test_a_contract_on_an_account_he_no_longer_sees_leaves_his_day(client, shop):
    other = make_account(shop.org.head, shop.org.am_b)
    contract = _contract(shop.org.am_b, other, "watched-from-afar", 3)
    Contract.objects.filter(pk=contract.pk).update(
        manager=shop.org.am_a
    )  # stale data: he is not on the account
    client.force_login(shop.org.am_a)
    assert not client.get(reverse("activities:agenda")).context["day"].deadlines.items
    client.force_login(shop.org.head)  # the head opens am_a's day: still through am_a's own visibility
    day = client.get(reverse("activities:agenda"), {"person": shop.org.am_a.pk}).context["day"]
    assert not day.deadlines.items


def test_a_lead_sees_his_peoples_deadlines_on_their_day(client, shop, desk):
    client.force_login(shop.org.lead_a)
    day = client.get(reverse("activities:agenda"), {"person": shop.org.am_a.pk}).context["day"]
    assert day.deadlines.total == 7


def test_the_agenda_reads_deadlines_in_a_fixed_number_of_queries(client, shop):
    am_a = shop.org.am_a
    client.force_login(am_a)
    _contract(am_a, shop.account, "one", 5, notice_days=2)
    _order(shop, shop.account, -1)
    client.get(reverse("activities:agenda"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("activities:agenda"))
    for n in range(20):
        account = make_account(shop.org.head, am_a)
        _contract(am_a, account, f"many-{n}", 5, notice_days=2)
        _order(shop, account, -1)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("activities:agenda"))
    assert response.context["day"].deadlines.total == 63  # 21 renewals, 21 notices, 21 late deliveries
    assert len(many.captured_queries) == len(few.captured_queries)
