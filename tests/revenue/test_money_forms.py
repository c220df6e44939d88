"""The money forms: amounts typed as people type them, field-level errors in both languages, refusals answered
4xx with nothing written, one write per form key."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from orbit.accounts.models import AccountStatus
from orbit.revenue.forms import AmountField
from orbit.revenue.invoicing import LineInput
from orbit.revenue.models import Invoice, InvoiceKind, Payment, PriceSource
from tests.factories import make_account
from tests.revenue.ledger import issue, row_counts
from tests.revenue.story import NOON

D = Decimal


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("1 234 567,89", D("1234567.89")),
        ("1234567.89", D("1234567.89")),
        ("1\u00a0234\u00a0567,89", D("1234567.89")),  # no-break spaces, as Word and 1C print them
        ("1\u202f234,5", D("1234.5")),  # a narrow no-break space (the browser's Intl)
        (" 12 ", D("12")),
    ],
)
def test_amounts_are_read_as_people_type_them(typed, amount):
    assert AmountField().clean(typed) == amount


@pytest.mark.parametrize("typed", ["1,234.56", "abc", "1e5", "12,345", "--1"])
def test_what_is_not_an_amount_is_a_field_error(typed):
    field = AmountField()
    if typed == "12,345":  # three decimals: a kopeck has two
        with pytest.raises(ValidationError, match="2"):
            field.clean(typed)
        return
    with pytest.raises(ValidationError):
        field.clean(typed)


def test_an_amount_must_be_positive_and_a_quantity_may_have_three_decimals():
    with translation.override("en"), pytest.raises(ValidationError, match="greater than zero"):
        AmountField().clean("0")
    assert AmountField(places=3).clean("1,125") == D("1.125")
    assert AmountField(required=False).clean("") is None


@pytest.fixture
def today(time_machine):
    time_machine.move_to(NOON)
    return NOON.date()


def _login(client, user, language="ru"):
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)


def _invoice_post(shop, *rows, key="k-1", **fields):
    data = {
        "issued_on": "2026-06-15",
        "currency": "RUB",
        "idempotency_key": key,
        "lines-TOTAL_FORMS": "5",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "100",
        **fields,
    }
    for i, (product, quantity, price) in enumerate(rows):
        data |= {
            f"lines-{i}-product": product.pk,
            f"lines-{i}-quantity": quantity,
            f"lines-{i}-unit_price": price,
        }
    return data


def _payment_post(**fields):
    return {
        "currency": "RUB",
        "received_on": "2026-06-15",
        "allocation": "oldest",
        "idempotency_key": "p-1",
    } | fields


def test_an_invoice_is_issued_with_a_price_typed_in_russian(client, shop, today):
    _login(client, shop.org.am_a)
    url = reverse("revenue:invoice_create", args=[shop.account.pk])
    response = client.post(url, _invoice_post(shop, (shop.router, "2", "1 234,50"), (shop.cable, "1,5", "")))
    invoice = Invoice.objects.get(account=shop.account)
    assert response.status_code == 302 and response.url == reverse("revenue:invoice", args=[invoice.pk])
    lines = list(invoice.lines.order_by("id"))
    # Router: 2 × 1234.50 typed = 2469.00; cable: 1.5 × 10.00 list = 15.00; net 2484.00, VAT 22 % 546.48.
    assert [(line.unit_price, line.price_source) for line in lines] == [
        (D("1234.50"), PriceSource.MANUAL),
        (D("10.00"), PriceSource.LIST),
    ]
    assert (invoice.net_total, invoice.vat_total, invoice.total) == (D("2484.00"), D("546.48"), D("3030.48"))
    page = client.get(response.url).content.decode()
    assert "3\u00a0030,48\u00a0₽" in page


def test_the_same_form_posted_twice_issues_one_invoice(client, shop, today):
    _login(client, shop.org.am_a)
    url = reverse("revenue:invoice_create", args=[shop.account.pk])
    data = _invoice_post(shop, (shop.router, "1", ""), key="double-click")
    first, second = client.post(url, data), client.post(url, data)
    assert first.url == second.url
    assert Invoice.objects.filter(account=shop.account).count() == 1


@pytest.mark.parametrize(
    ("language", "no_lines", "bad_amount"),
    [
        ("en", "Add at least one line", "Enter an amount like 1 234 567,89."),
        ("ru", "Добавьте хотя бы одну строку", "Введите сумму в виде 1 234 567,89."),
    ],
)
def test_invoice_errors_are_on_their_fields_in_the_users_language(
    client, shop, today, language, no_lines, bad_amount
):
    _login(client, shop.org.am_a, language)
    url = reverse("revenue:invoice_create", args=[shop.account.pk])
    empty = client.post(url, _invoice_post(shop))
    assert empty.status_code == 400
    assert no_lines in str(empty.context["lines"].non_form_errors())
    bad = client.post(url, _invoice_post(shop, (shop.router, "1", "12,34.5")))
    assert bad.status_code == 400
    assert bad.context["lines"].forms[0].errors["unit_price"] == [bad_amount]
    assert Invoice.objects.count() == 0


@pytest.mark.parametrize("archived", [False, True])
def test_a_prospect_or_an_archived_account_gets_no_form_and_says_why(client, shop, today, archived):
    if archived:
        account = make_account(shop.org.head, shop.org.am_a)
        account.archived_at = NOON
        account.save(update_fields=["archived_at"])
        user, reasons = (
            shop.org.am_a,
            (
                "The account is archived: restore it before issuing documents.",
                "The account is archived: restore it before recording payments.",
            ),
        )
    else:
        account = make_account(shop.org.sales, None, status=AccountStatus.PROSPECT)
        user, reasons = shop.org.sales, ("documents are issued to clients", "it has nothing to pay for")
    _login(client, user, "en")
    before = row_counts()
    invoice_url = reverse("revenue:invoice_create", args=[account.pk])
    payment_url = reverse("revenue:payment_create", args=[account.pk])
    for response, reason in (
        (client.get(invoice_url), reasons[0]),
        (client.post(invoice_url, _invoice_post(shop, (shop.router, "1", ""))), reasons[0]),
        (client.post(payment_url, _payment_post(amount="100")), reasons[1]),
    ):
        assert response.status_code == 400
        assert reason in response.content.decode()
    assert row_counts() == before


@pytest.mark.parametrize(("persona", "status"), [("auditor", 403), ("am_b", 404), ("outsider", 404)])
def test_who_may_not_bill_is_refused_before_anything_is_written(client, shop, today, persona, status):
    _login(client, getattr(shop.org, persona))
    before = row_counts()
    invoice_url = reverse("revenue:invoice_create", args=[shop.account.pk])
    payment_url = reverse("revenue:payment_create", args=[shop.account.pk])
    assert client.post(invoice_url, _invoice_post(shop, (shop.router, "1", ""))).status_code == status
    assert (
        client.post(
            payment_url,
            {"amount": "100", "currency": "RUB", "received_on": "2026-06-15", "allocation": "oldest"},
        ).status_code
        == status
    )
    assert row_counts() == before


def test_a_payment_typed_with_no_break_spaces_goes_to_the_oldest_invoice_first(client, shop, today):
    routers = LineInput(product=shop.router, quantity=D(1))
    older = issue(shop, dt.date(2026, 5, 1), routers)  # 1000 + 22 % = 1220.00
    newer = issue(shop, dt.date(2026, 6, 1), routers)
    _login(client, shop.org.am_a)
    response = client.post(
        reverse("revenue:payment_create", args=[shop.account.pk]), _payment_post(amount="1\u00a0500,00")
    )
    assert response.status_code == 302
    older.refresh_from_db()
    newer.refresh_from_db()
    # 1500 = 1220 to the older invoice + 280 to the newer (open 1220 − 280 = 940).
    assert (older.open_amount, newer.open_amount) == (D("0.00"), D("940.00"))


def test_a_payment_goes_to_the_chosen_invoices_or_stays_as_credit(client, shop, today):
    routers = LineInput(product=shop.router, quantity=D(1))
    older = issue(shop, dt.date(2026, 5, 1), routers)
    newer = issue(shop, dt.date(2026, 6, 1), routers)
    _login(client, shop.org.am_a)
    url = reverse("revenue:payment_create", args=[shop.account.pk])
    chosen = client.post(
        url,
        _payment_post(
            amount="500", allocation="chosen", **{f"invoice_{newer.pk}": "500"}, idempotency_key="a"
        ),
    )
    assert chosen.status_code == 302
    credit = client.post(url, _payment_post(amount="300", allocation="credit", idempotency_key="b"))
    assert credit.status_code == 302
    older.refresh_from_db()
    newer.refresh_from_db()
    assert (older.open_amount, newer.open_amount) == (D("1220.00"), D("720.00"))
    kept = Payment.objects.get(amount=D("300.00"))
    assert kept.allocated_amount == 0  # the client's credit


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "Enter the amount for at least one invoice"), ("ru", "Укажите сумму хотя бы для одного счёта")],
)
def test_choosing_invoices_without_amounts_is_an_error_on_the_choice(client, shop, today, language, message):
    issue(shop, dt.date(2026, 5, 1), LineInput(product=shop.router, quantity=D(1)))
    _login(client, shop.org.am_a, language)
    response = client.post(
        reverse("revenue:payment_create", args=[shop.account.pk]),
        _payment_post(amount="100", allocation="chosen"),
    )
    assert response.status_code == 400
    assert message in response.context["form"].errors["allocation"][0]
    assert Payment.objects.count() == 0


def test_an_allocation_above_what_is_open_is_refused_by_the_ledger_on_the_form(client, shop, today):
    invoice = issue(shop, dt.date(2026, 5, 1), LineInput(product=shop.router, quantity=D(1)))
    _login(client, shop.org.am_a, "en")
    before = row_counts()
    response = client.post(
        reverse("revenue:payment_create", args=[shop.account.pk]),
        _payment_post(amount="5000", allocation="chosen", **{f"invoice_{invoice.pk}": "5000"}),
    )
    assert response.status_code == 400
    assert response.context["form"].errors
    assert row_counts() == before


def test_a_credit_note_takes_the_invoice_lines_price(client, shop, today):
    invoice = issue(
        shop, dt.date(2026, 5, 1), LineInput(product=shop.router, quantity=D(3), unit_price=D("900"))
    )
    line = invoice.lines.get()
    _login(client, shop.org.am_a)
    url = reverse("revenue:credit_note_create", args=[invoice.pk])
    data = {"issued_on": "2026-06-15", "note": "Возврат", "idempotency_key": "c-1"}
    too_many = client.post(url, data | {f"line_{line.pk}": "4"})
    assert too_many.status_code == 400 and f"line_{line.pk}" in too_many.context["form"].errors
    response = client.post(url, data | {f"line_{line.pk}": "1"})
    assert response.status_code == 302
    note = Invoice.objects.get(kind=InvoiceKind.CREDIT_NOTE)
    # One router back at the invoiced 900.00: net −900.00, VAT 22 % −198.00, total −1098.00.
    assert (note.corrects_id, note.net_total, note.total) == (invoice.pk, D("-900.00"), D("-1098.00"))
    invoice.refresh_from_db()
    assert invoice.open_amount == D("3294.00") - D("1098.00")  # 3 × 900 × 1.22 = 3294.00


def test_a_credit_note_of_a_credit_note_is_refused(client, shop, today):
    invoice = issue(shop, dt.date(2026, 5, 1), LineInput(product=shop.router, quantity=D(1)))
    _login(client, shop.org.am_a)
    url = reverse("revenue:credit_note_create", args=[invoice.pk])
    client.post(url, {"issued_on": "2026-06-15", f"line_{invoice.lines.get().pk}": "1"})
    note = Invoice.objects.get(kind=InvoiceKind.CREDIT_NOTE)
    assert client.get(reverse("revenue:credit_note_create", args=[note.pk])).status_code == 403


def test_more_lines_keeps_what_was_typed_and_writes_nothing(client, shop, today):
    _login(client, shop.org.am_a, "en")
    url = reverse("revenue:invoice_create", args=[shop.account.pk])
    data = _invoice_post(shop, (shop.router, "2", "1 234,50")) | {"more_lines": "1", "issued_on": ""}
    response = client.post(url, data)
    assert response.status_code == 200
    lines = response.context["lines"]
    assert lines.total_form_count() == 10
    assert lines.forms[0]["unit_price"].value() == "1 234,50"
    assert 'class="field-error"' not in response.content.decode()  # not submitted: nothing is wrong yet
    assert Invoice.objects.count() == 0
