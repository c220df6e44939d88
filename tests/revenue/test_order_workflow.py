"""Orders: priced lines (quote or by hand), the refusals (nothing saved), the state machine, the invoice."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from orbit.accounts import services as account_services
from orbit.accounts.models import AccountStatus
from orbit.common.errors import ConflictError
from orbit.revenue import invoicing, orders
from orbit.revenue.invoicing import LineInput
from orbit.revenue.models import (
    Invoice,
    Order,
    OrderLine,
    OrderStatus,
    PriceAgreement,
    PriceSource,
)
from orbit.revenue.orders import OrderLineInput
from tests.clock import local
from tests.factories import make_account

D = Decimal


@pytest.fixture(autouse=True)
def english():
    """The messages these tests read, in English whatever an earlier test left active (the pages' tests
    check the Russian ones)."""
    with translation.override("en"):
        yield


def _received():
    return timezone.now() - dt.timedelta(days=2)


def _order(shop, lines=None, **kwargs):
    kwargs.setdefault("received_at", _received())
    kwargs.setdefault("currency", "RUB")
    return orders.order_create(
        by=shop.org.am_a,
        account=shop.account,
        lines=lines or [OrderLineInput(product=shop.router, quantity=D(2))],
        **kwargs,
    )


def test_a_line_without_a_price_takes_the_list_price_and_says_so(shop):
    order = _order(shop)
    [line] = order.lines.all()
    # 2 × 1000.00 = 2000.00 net; VAT 22 % (2026 on) = 440.00
    assert (line.unit_price, line.discount_percent, line.price_source) == (
        D("1000.00"),
        D(0),
        PriceSource.LIST,
    )
    assert (line.net_amount, line.vat_percent, line.vat_amount) == (D("2000.00"), D("22.00"), D("440.00"))
    assert (order.net_total, order.vat_total, order.total) == (D("2000.00"), D("440.00"), D("2440.00"))
    assert order.manager == shop.org.am_a  # the account's responsible manager
    assert order.number == f"ORD-{order.pk:06d}"
    assert order.status == OrderStatus.NEW


def test_the_clients_agreement_prices_the_line(shop):
    PriceAgreement.objects.create(
        account=shop.account, product=shop.router, discount_percent=D("12.5"), valid_from=dt.date(2025, 1, 1)
    )
    order = _order(shop, [OrderLineInput(product=shop.router, quantity=D(3))])
    [line] = order.lines.all()
    # 3 × 1000.00 × (100 − 12.5) / 100 = 2625.00; VAT 22 % = 577.50
    assert (line.price_source, line.discount_percent) == (PriceSource.AGREEMENT, D("12.50"))
    assert (line.net_amount, line.vat_amount) == (D("2625.00"), D("577.50"))


def test_a_typed_price_is_manual_and_each_line_is_rounded_on_its_own(shop):
    order = _order(
        shop,
        [
            OrderLineInput(product=shop.cable, quantity=D(3), unit_price=D("10.55"), discount_percent=D(5)),
            OrderLineInput(product=shop.cable, quantity=D("0.333"), unit_price=D("10.00")),
        ],
    )
    first, second = order.lines.order_by("id")
    # 3 × 10.55 × 0.95 = 30.0675 → 30.07; VAT 30.07 × 22 % = 6.6154 → 6.62
    assert (first.price_source, first.net_amount, first.vat_amount) == (
        PriceSource.MANUAL,
        D("30.07"),
        D("6.62"),
    )
    # 0.333 × 10.00 = 3.33; VAT 3.33 × 22 % = 0.7326 → 0.73
    assert (second.net_amount, second.vat_amount) == (D("3.33"), D("0.73"))
    # the order's totals are sums of the rounded lines: 30.07 + 3.33 = 33.40; 6.62 + 0.73 = 7.35
    assert (order.net_total, order.vat_total, order.total) == (D("33.40"), D("7.35"), D("40.75"))


def test_vat_is_that_of_the_day_the_order_was_received(shop):
    received = local(2025, 12, 31, 12)
    order = _order(shop, received_at=received)
    # 2 × 1000.00 = 2000.00; VAT 20 % on 31.12.2025 = 400.00
    assert (order.vat_total, order.total) == (D("400.00"), D("2400.00"))


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"received_at": timezone.now() + dt.timedelta(hours=1)}, "received_at"),
        ({"lines": []}, "lines"),
        ({"currency": "XXX"}, "currency"),
        ({"promised_on": dt.date(2020, 1, 1)}, "promised_on"),
        ({"number": "   "}, None),  # blank: Orbit numbers it
    ],
)
def test_a_bad_order_is_refused_at_its_field_and_nothing_is_saved(shop, kwargs, field):
    if field is None:
        assert _order(shop, **kwargs).number.startswith("ORD-")
        return
    lines = kwargs.pop("lines", None)
    with pytest.raises(ValidationError) as exc:
        if lines == []:
            orders.order_create(
                by=shop.org.am_a, account=shop.account, received_at=_received(), currency="RUB", lines=[]
            )
        else:
            _order(shop, lines, **kwargs)
    assert field in exc.value.message_dict
    assert not Order.objects.exists() and not OrderLine.objects.exists()


def test_line_problems_name_their_line(shop):
    shop.support.is_active = False
    shop.support.save()
    with pytest.raises(ValidationError) as exc:
        _order(
            shop,
            [
                OrderLineInput(product=shop.router, quantity=D(1)),
                OrderLineInput(product=shop.cable, quantity=D(0)),
                OrderLineInput(product=shop.support, quantity=D(1)),
                OrderLineInput(product=shop.router, quantity=D(1), unit_price=D(-1)),
            ],
        )
    problems = exc.value.message_dict["lines"]
    assert [p.split(":")[0] for p in problems] == ["Line 2", "Line 3", "Line 4"]
    assert not Order.objects.exists()


def test_a_product_without_a_price_in_the_currency_is_a_line_error(shop):
    with pytest.raises(ValidationError) as exc:
        _order(shop, [OrderLineInput(product=shop.cable, quantity=D(1))], currency="USD")
    [problem] = exc.value.message_dict["lines"]
    assert problem.startswith("Line 1:") and "USD" in problem
    assert not Order.objects.exists()


def test_prospects_and_archived_accounts_place_no_orders(shop):
    prospect = make_account(shop.org.sales, None, status=AccountStatus.PROSPECT)
    with pytest.raises(ValidationError) as exc:
        orders.order_create(
            by=shop.org.sales,
            account=prospect,
            received_at=_received(),
            currency="RUB",
            lines=[OrderLineInput(product=shop.router, quantity=D(1))],
        )
    assert "account" in exc.value.message_dict
    account_services.account_archive(by=shop.org.head, account=shop.account)
    with pytest.raises(ValidationError) as exc:
        _order(shop)
    assert "account" in exc.value.message_dict
    assert not Order.objects.exists()


def test_those_who_may_not_bill_take_no_orders(shop):
    for person in (shop.org.auditor, shop.org.am_b):
        with pytest.raises(PermissionDenied):
            orders.order_create(
                by=person,
                account=shop.account,
                received_at=_received(),
                currency="RUB",
                lines=[OrderLineInput(product=shop.router, quantity=D(1))],
            )
    assert not Order.objects.exists()


def test_the_order_moves_step_by_step_and_never_skips_or_goes_back(shop):
    by = shop.org.am_a
    order = _order(shop, promised_on=timezone.localdate() + dt.timedelta(days=5))
    for refused in (
        lambda: orders.order_ship(by=by, order=order),
        lambda: orders.order_deliver(by=by, order=order, delivered_on=timezone.localdate()),
    ):
        with pytest.raises(ValidationError) as exc:
            refused()
        assert "status" in exc.value.message_dict
    order = orders.order_confirm(by=by, order=order)
    with pytest.raises(ValidationError):
        orders.order_confirm(by=by, order=order)
    order = orders.order_ship(by=by, order=order)
    with pytest.raises(ValidationError) as exc:
        orders.order_confirm(by=by, order=order)
    assert "«Shipped»" in exc.value.message_dict["status"][0]
    with pytest.raises(ValidationError) as exc:
        orders.order_deliver(by=by, order=order, delivered_on=timezone.localdate() + dt.timedelta(days=1))
    assert "delivered_on" in exc.value.message_dict
    order = orders.order_deliver(by=by, order=order, delivered_on=timezone.localdate())
    assert (order.status, order.delivered_on) == (OrderStatus.DELIVERED, timezone.localdate())
    assert order.confirmed_at and order.shipped_at
    with pytest.raises(ValidationError):
        orders.order_cancel(by=by, order=order, reason="поздно")


def test_cancelling_needs_a_reason(shop):
    order = _order(shop)
    with pytest.raises(ValidationError) as exc:
        orders.order_cancel(by=shop.org.am_a, order=order, reason=" ")
    assert "reason" in exc.value.message_dict
    order = orders.order_cancel(by=shop.org.am_a, order=order, reason="Клиент передумал")
    assert (order.status, order.cancel_reason) == (OrderStatus.CANCELLED, "Клиент передумал")
    with pytest.raises(ValidationError):
        orders.order_confirm(by=shop.org.am_a, order=order)


def test_a_stale_version_of_the_order_is_a_conflict(shop):
    order = _order(shop)
    stale = order.version
    orders.order_confirm(by=shop.org.am_a, order=order, version=stale)
    with pytest.raises(ConflictError):
        orders.order_cancel(by=shop.org.am_a, order=order, reason="x", version=stale)


def test_the_invoice_of_an_order_carries_its_lines_and_amounts(shop):
    order = _order(
        shop,
        [
            OrderLineInput(product=shop.router, quantity=D(2)),
            OrderLineInput(product=shop.cable, quantity=D(3), unit_price=D("10.55"), discount_percent=D(5)),
        ],
    )
    with pytest.raises(ValidationError) as exc:  # a new order is confirmed first
        orders.order_invoice(by=shop.org.am_a, order=order, issued_on=timezone.localdate())
    assert "status" in exc.value.message_dict
    orders.order_confirm(by=shop.org.am_a, order=order)
    invoice = orders.order_invoice(by=shop.org.am_a, order=order, issued_on=timezone.localdate())
    order.refresh_from_db()
    # 2000.00 + 30.07 = 2030.07 net; 440.00 + 6.62 = 446.62 VAT; 2476.69 in all, on the order and the invoice
    assert (invoice.net_total, invoice.vat_total, invoice.total) == (D("2030.07"), D("446.62"), D("2476.69"))
    assert (invoice.net_total, invoice.vat_total, invoice.total) == (
        order.net_total,
        order.vat_total,
        order.total,
    )
    assert invoice.order == order and invoice.account == shop.account
    assert [
        (line.product_id, line.quantity, line.unit_price, line.discount_percent, line.price_source)
        for line in invoice.lines.order_by("id")
    ] == [
        (line.product_id, line.quantity, line.unit_price, line.discount_percent, line.price_source)
        for line in order.lines.order_by("id")
    ]
    # The router's price came from the price list, the cable's was typed: the invoice says so too.
    assert [line.price_source for line in invoice.lines.order_by("id")] == ["list", "manual"]


def test_an_order_is_invoiced_once_unless_the_invoice_is_fully_credited(shop):
    by = shop.org.am_a
    order = orders.order_confirm(by=by, order=_order(shop))
    today = timezone.localdate()
    first = orders.order_invoice(by=by, order=order, issued_on=today)
    with pytest.raises(ValidationError) as exc:
        orders.order_invoice(by=by, order=order, issued_on=today)
    assert first.number in exc.value.message_dict["status"][0]
    invoicing.credit_note_issue(
        by=by, invoice=first, issued_on=today, lines=[LineInput(product=shop.router, quantity=D(-1))]
    )
    with pytest.raises(ValidationError):  # half credited: the invoice stands
        orders.order_invoice(by=by, order=order, issued_on=today)
    invoicing.credit_note_issue(
        by=by, invoice=first, issued_on=today, lines=[LineInput(product=shop.router, quantity=D(-1))]
    )
    second = orders.order_invoice(by=by, order=order, issued_on=today)
    assert second.total == first.total
    assert Invoice.objects.filter(order=order, kind="invoice").count() == 2
    with pytest.raises(ValidationError):  # an invoiced order is not cancelled while its invoice stands
        orders.order_cancel(by=by, order=order, reason="x")
