"""Running contracts and open orders move with the account's responsibility (a reassignment, a handoff) in the
same transaction; a team member who watched a contract leaves it to the responsible manager."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from orbit.accounts import services as account_services
from orbit.accounts import team
from orbit.accounts.models import ChangeReason, TeamRole
from orbit.handoffs import services as handoffs
from orbit.handoffs.models import HandoffKind, StepKind
from orbit.revenue import contracts, orders
from orbit.revenue.models import Contract, Order
from orbit.revenue.orders import OrderLineInput
from tests.factories import make_user

D = Decimal
JAN1 = dt.date(2026, 1, 1)


def _open_work(shop):
    """am_a's running and closed contracts and orders on the account."""
    by, account = shop.org.am_a, shop.account
    running = contracts.contract_create(
        by=by, account=account, number="Д-1", starts_on=JAN1, ends_on=dt.date(2027, 6, 30)
    )
    draft = contracts.contract_create(by=by, account=account, number="Д-2", starts_on=JAN1, status="draft")
    ended = contracts.contract_create(by=by, account=account, number="Д-3", starts_on=JAN1)
    contracts.contract_terminate(by=by, contract=ended, terminated_on=JAN1, reason="Закрыт")

    def order():
        return orders.order_create(
            by=by,
            account=account,
            received_at=timezone.now() - dt.timedelta(days=3),
            currency="RUB",
            lines=[OrderLineInput(product=shop.cable, quantity=D(1))],
        )

    new, shipped, delivered, cancelled = order(), order(), order(), order()
    for step in (orders.order_confirm, orders.order_ship):
        shipped = step(by=by, order=shipped)
        delivered = step(by=by, order=delivered)
    orders.order_deliver(by=by, order=delivered, delivered_on=timezone.localdate())
    orders.order_cancel(by=by, order=cancelled, reason="Отказ")
    return {
        "moving": [running, draft, new, shipped],
        "staying": [ended, delivered, cancelled],
    }


def _managers(items):
    return [type(item).objects.get(pk=item.pk).manager for item in items]


def test_a_reassignment_moves_running_contracts_and_open_orders(shop):
    work = _open_work(shop)
    versions = [Contract.objects.get(pk=work["moving"][0].pk).version]
    account_services.account_reassign(by=shop.org.lead_a, account=shop.account, manager=shop.org.am_a1)
    assert _managers(work["moving"]) == [shop.org.am_a1] * 4
    assert _managers(work["staying"]) == [shop.org.am_a] * 3  # history keeps who handled it
    # An edit form still open on the contract gets a conflict instead of moving it back.
    assert Contract.objects.get(pk=work["moving"][0].pk).version == versions[0] + 1


def test_a_handoff_moves_them_when_it_is_accepted(shop):
    org = shop.org
    work = _open_work(shop)
    handoff = handoffs.handoff_start(
        by=org.lead_a,
        account=shop.account,
        to_user=org.am_a1,
        kind=HandoffKind.BETWEEN_MANAGERS,
        reason=ChangeReason.VACATION,
        promised="Поставки по договору Д-1",
        technical_scope="—",
        stakeholders="—",
        risks="—",
    )
    handoffs.step_complete(by=org.am_a, handoff=handoff, kind=StepKind.BRIEF)
    handoffs.step_complete(
        by=org.am_a,
        handoff=handoff,
        kind=StepKind.MEETING,
        meeting_at=timezone.now() - dt.timedelta(minutes=5),
        meeting_outcome="Представлен",
    )
    assert _managers(work["moving"]) == [org.am_a] * 4  # nothing moves before acceptance
    handoffs.handoff_accept(by=org.am_a1, handoff=handoff)
    assert _managers(work["moving"]) == [org.am_a1] * 4
    assert _managers(work["staying"]) == [org.am_a] * 3


def test_a_team_member_who_leaves_hands_his_contracts_and_orders_to_the_responsible_manager(shop):
    org, account = shop.org, shop.account
    engineer = make_user("engineer")
    seat = team.team_member_add(by=org.head, account=account, user=engineer, role=TeamRole.SUPPORT_ENGINEER)
    watched = contracts.contract_create(
        by=org.am_a, account=account, number="Д-7", starts_on=JAN1, manager=engineer
    )
    Order.objects.filter(account=account).delete()
    order = orders.order_create(
        by=org.am_a,
        account=account,
        received_at=timezone.now() - dt.timedelta(days=1),
        currency="RUB",
        lines=[OrderLineInput(product=shop.cable, quantity=D(1))],
        manager=engineer,
    )
    team.team_member_end(by=org.head, member=seat)
    assert _managers([watched, order]) == [org.am_a, org.am_a]


def test_a_watcher_must_see_the_account(shop):
    with pytest.raises(ValidationError) as exc:
        contracts.contract_create(
            by=shop.org.am_a, account=shop.account, number="Д-8", starts_on=JAN1, manager=shop.org.am_b
        )
    assert "manager" in exc.value.message_dict
    assert not Contract.objects.exists()
