"""The contract and order pages: idempotent create forms, field errors with 400, a stale edit with 409, the
order's lines priced from the quote, its steps and its invoice, and nothing shown to an outsider."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from orbit.accounts.models import AccountStatus
from orbit.revenue import contracts, orders
from orbit.revenue.models import Contract, Invoice, Order, OrderStatus, PriceSource
from orbit.revenue.orders import OrderLineInput
from tests.factories import make_account

D = Decimal


def _contract_data(**changes):
    data = {
        "number": "Д-2026/15",
        "status": "active",
        "subject": "Поставка оборудования",
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
        "amount": "1 234 567,89",
        "currency": "RUB",
        "notice_days": "30",
        "idempotency_key": "k-1",
    }
    return data | changes


def _order_data(shop, **changes):
    data = {
        "currency": "RUB",
        "received_at": (timezone.localtime() - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "form-TOTAL_FORMS": "2",
        "form-INITIAL_FORMS": "0",
        "form-MIN_NUM_FORMS": "1",
        "form-MAX_NUM_FORMS": "200",
        "form-0-product": shop.router.pk,
        "form-0-quantity": "2",
        "form-1-product": shop.cable.pk,
        "form-1-quantity": "1,5",
        "form-1-unit_price": "9,99",
        "idempotency_key": "o-1",
    }
    return data | changes


def test_a_contract_is_created_once_however_often_the_form_is_sent(client, shop):
    client.force_login(shop.org.am_a)
    url = reverse("revenue:contract_create", args=[shop.account.pk])
    assert client.get(url).status_code == 200
    first = client.post(url, _contract_data())
    again = client.post(url, _contract_data())
    contract = Contract.objects.get()
    assert first.status_code == again.status_code == 302
    assert first.url == again.url == reverse("revenue:contract", args=[contract.pk])
    assert (contract.amount, contract.manager, contract.renewal_on) == (
        D("1234567.89"),
        shop.org.am_a,
        dt.date(2026, 12, 31),
    )
    page = client.get(first.url).content.decode()
    assert "Д-2026/15" in page and 'id="notice-by"' in page


def test_a_bad_contract_form_answers_400_with_field_errors_and_saves_nothing(client, shop):
    client.force_login(shop.org.am_a)
    url = reverse("revenue:contract_create", args=[shop.account.pk])
    response = client.post(url, _contract_data(ends_on="2025-12-31", amount="-5", auto_renewal="on"))
    assert response.status_code == 400
    assert set(response.context["form"].errors) >= {"ends_on", "amount", "renewal_months"}
    assert not Contract.objects.exists()
    response = client.post(url, _contract_data(amount="1,234.56"))  # two separators: ambiguous
    assert response.status_code == 400 and "amount" in response.context["form"].errors


def test_a_stale_contract_edit_answers_409_and_overwrites_nothing(client, shop):
    contract = contracts.contract_create(
        by=shop.org.am_a, account=shop.account, number="Д-1", starts_on=dt.date(2026, 1, 1)
    )
    stale = contract.version
    contracts.contract_update(by=shop.org.lead_a, contract=contract, version=stale, subject="Руководитель")
    client.force_login(shop.org.am_a)
    url = reverse("revenue:contract_edit", args=[contract.pk])
    data = _contract_data(number="Д-1", version=stale, subject="Менеджер")
    response = client.post(url, data)
    assert response.status_code == 409
    assert response.context["form"]["version"].value() == stale + 1  # saving again is a deliberate choice
    contract.refresh_from_db()
    assert contract.subject == "Руководитель"
    assert client.post(url, data | {"version": stale + 1}).status_code == 302
    contract.refresh_from_db()
    assert contract.subject == "Менеджер"


def test_renewal_and_termination_from_the_contract_page(client, shop):
    contract = contracts.contract_create(
        by=shop.org.am_a,
        account=shop.account,
        number="Д-1",
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 12, 31),
        auto_renewal=True,
        renewal_months=6,
    )
    client.force_login(shop.org.am_a)
    renewed = client.post(
        reverse("revenue:contract_renew", args=[contract.pk]), {"version": contract.version}
    )
    assert renewed.status_code == 302
    contract.refresh_from_db()
    assert contract.ends_on == dt.date(2027, 6, 30)  # 31.12.2026 + 6 months
    url = reverse("revenue:contract_terminate", args=[contract.pk])
    refused = client.post(url, {"terminated_on": "2026-06-30", "version": contract.version})
    assert refused.status_code == 400 and "reason" in refused.context["terminate_form"].errors
    stale = client.post(url, {"terminated_on": "2026-06-30", "reason": "x", "version": contract.version - 1})
    assert stale.status_code == 409
    done = client.post(
        url, {"terminated_on": "2026-06-30", "reason": "Договорились", "version": contract.version}
    )
    assert done.status_code == 302
    contract.refresh_from_db()
    assert contract.status == "terminated"
    assert client.get(reverse("revenue:contract_edit", args=[contract.pk])).status_code == 400


def test_an_order_from_the_form_takes_prices_from_the_quote_and_is_created_once(client, shop):
    client.force_login(shop.org.am_a)
    url = reverse("revenue:order_create", args=[shop.account.pk])
    assert client.get(url).status_code == 200
    first = client.post(url, _order_data(shop))
    again = client.post(url, _order_data(shop))
    order = Order.objects.get()
    assert first.status_code == again.status_code == 302 and first.url == again.url
    router, cable = order.lines.order_by("id")
    assert (router.unit_price, router.price_source) == (D("1000.00"), PriceSource.LIST)
    assert (cable.unit_price, cable.price_source) == (D("9.99"), PriceSource.MANUAL)
    # 2 × 1000.00 = 2000.00 (VAT 440.00); 1.5 × 9.99 = 14.985 → 14.99 (VAT 3.2978 → 3.30)
    assert (order.net_total, order.vat_total, order.total) == (D("2014.99"), D("443.30"), D("2458.29"))
    page = client.get(first.url).content.decode()
    assert re.search(r'id="order-total">2[\s\xa0]?458[.,]29\xa0₽<', page)


def test_adding_a_line_keeps_what_was_typed_and_shows_no_errors(client, shop):
    client.force_login(shop.org.am_a)
    url = reverse("revenue:order_create", args=[shop.account.pk])
    data = _order_data(shop, **{"form-1-product": "", "form-1-quantity": "", "form-1-unit_price": ""})
    response = client.post(url, data | {"add_line": "1"})
    assert response.status_code == 200
    assert len(response.context["lines"].forms) == 3
    assert 'role="alert"' not in response.content.decode()
    assert not Order.objects.exists()


def test_bad_lines_answer_400_with_the_line_named(client, shop):
    client.force_login(shop.org.am_a)
    url = reverse("revenue:order_create", args=[shop.account.pk])
    # The cable, its price left to the quote, has no USD price in the list.
    response = client.post(url, _order_data(shop, currency="USD", **{"form-1-unit_price": ""}))
    assert response.status_code == 400
    assert any(e.startswith("Строка 2") for e in response.context["lines"].non_form_errors())
    assert not Order.objects.exists()
    future = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(url, _order_data(shop, received_at=future, idempotency_key="o-2"))
    assert response.status_code == 400 and "received_at" in response.context["form"].errors


def test_a_prospect_has_no_order_form(client, shop):
    prospect = make_account(shop.org.sales, None, status=AccountStatus.PROSPECT)
    client.force_login(shop.org.sales)
    response = client.get(reverse("revenue:order_create", args=[prospect.pk]))
    assert response.status_code == 400


def test_order_steps_and_the_invoice_from_the_order_page(client, shop):
    order = orders.order_create(
        by=shop.org.am_a,
        account=shop.account,
        received_at=timezone.now() - dt.timedelta(days=1),
        currency="RUB",
        lines=[OrderLineInput(product=shop.router, quantity=D(1))],
    )
    client.force_login(shop.org.am_a)
    step = reverse("revenue:order_step", args=[order.pk])
    skipped = client.post(step, {"step": "ship", "version": order.version})
    assert skipped.status_code == 400
    assert "Сначала подтвердите заказ" in str(skipped.context["step_form"].non_field_errors())
    assert client.post(step, {"step": "confirm", "version": order.version}).status_code == 302
    assert client.post(step, {"step": "cancel", "version": order.version}).status_code == 409  # stale
    invoice_url = reverse("revenue:order_invoice", args=[order.pk])
    issued = client.post(
        invoice_url, {"issued_on": timezone.localdate().isoformat(), "idempotency_key": "i-1"}
    )
    assert issued.status_code == 302
    assert (
        client.post(
            invoice_url, {"issued_on": timezone.localdate().isoformat(), "idempotency_key": "i-1"}
        ).status_code
        == 302
    )
    assert Invoice.objects.filter(order=order).count() == 1
    twice = client.post(
        invoice_url, {"issued_on": timezone.localdate().isoformat(), "idempotency_key": "i-2"}
    )
    assert twice.status_code == 400
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    page = client.get(reverse("revenue:order", args=[order.pk])).content.decode()
    assert Invoice.objects.get().number in page


@pytest.mark.parametrize("persona, code", [("outsider", 404), ("am_b", 404), ("auditor", 403)])
def test_people_outside_the_account_find_nothing_and_the_auditor_writes_nothing(client, shop, persona, code):
    contract = contracts.contract_create(
        by=shop.org.am_a, account=shop.account, number="Д-1", starts_on=dt.date(2026, 1, 1)
    )
    order = orders.order_create(
        by=shop.org.am_a,
        account=shop.account,
        received_at=timezone.now() - dt.timedelta(days=1),
        currency="RUB",
        lines=[OrderLineInput(product=shop.router, quantity=D(1))],
    )
    client.force_login(getattr(shop.org, persona))
    reads = [reverse("revenue:contract", args=[contract.pk]), reverse("revenue:order", args=[order.pk])]
    writes = [
        ("get", reverse("revenue:contract_create", args=[shop.account.pk])),
        ("get", reverse("revenue:contract_edit", args=[contract.pk])),
        ("post", reverse("revenue:contract_terminate", args=[contract.pk])),
        ("get", reverse("revenue:order_create", args=[shop.account.pk])),
        ("post", reverse("revenue:order_step", args=[order.pk])),
        ("post", reverse("revenue:order_invoice", args=[order.pk])),
    ]
    for url in reads:
        assert client.get(url).status_code == (200 if persona == "auditor" else 404), url
    for method, url in writes:
        assert getattr(client, method)(url).status_code == code, url


@pytest.mark.parametrize(
    "language, ends_before_start, line_2",
    [
        ("ru", "Договор не может закончиться раньше, чем начался.", "Строка 2: "),
        ("en", "The contract cannot end before it starts.", "Line 2: "),
    ],
)
def test_errors_speak_the_users_language(client, shop, language, ends_before_start, line_2):
    shop.org.am_a.language = language
    shop.org.am_a.save(update_fields=["language"])
    client.force_login(shop.org.am_a)
    contract = client.post(
        reverse("revenue:contract_create", args=[shop.account.pk]), _contract_data(ends_on="2025-12-31")
    )
    assert ends_before_start in contract.content.decode()
    order = client.post(
        reverse("revenue:order_create", args=[shop.account.pk]),
        _order_data(shop, currency="USD", **{"form-1-unit_price": ""}),
    )
    assert line_2 in order.content.decode()
