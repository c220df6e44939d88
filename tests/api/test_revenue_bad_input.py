"""Bad money input: each is a 422 at its field in the caller's language (Russian and English), or a 409 for an
external id reused with other content, and nothing is saved."""

import re

import pytest

from orbit.accounts.models import AccountStatus
from orbit.revenue.models import Invoice, InvoiceLine, Payment, PaymentAllocation
from tests.api.conftest import speak
from tests.factories import make_account

CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)
ENGLISH = re.compile(r"\b(the|is|was|with|must|than|more|not|enter|line|item|at|of)\b", re.IGNORECASE)
NUMBER = re.compile(r"[А-Я]{2}-\d{4}-\d+")


def _nothing_saved():
    assert Invoice.objects.count() == 0 and InvoiceLine.objects.count() == 0
    assert Payment.objects.count() == 0 and PaymentAllocation.objects.count() == 0


def _line(**fields):
    return {"description": "Услуги", "unit_price": "100.00", "vat_category": "exempt"} | fields


def _invoice(ledger, **overrides):
    body = {
        "account": ledger.alpha.pk,
        "issued_on": "2026-03-02",
        "currency": "RUB",
        "lines": [_line()],
    }
    return body | overrides


def _refused(response, field: str, language: str, status: int = 422) -> str:
    assert response.status_code == status, response.text
    assert response.headers["Content-Language"] == language
    body = response.json()
    message = " ".join(body["errors"][field])
    assert message and body["detail"]
    words = NUMBER.sub("", message)  # invoice numbers are Cyrillic (СЧ-2026-000001) in both languages
    assert bool(CYRILLIC.search(words)) == (language == "ru"), message
    assert bool(ENGLISH.search(words)) == (language == "en"), message  # not half translated either
    return message


@pytest.fixture(params=["ru", "en"])
def api(request, call, ledger):
    """A client of am_a speaking the language of the test (the token's user language decides)."""
    speak(ledger.org.am_a, request.param)
    client = call(ledger.org.am_a)
    client.language = request.param
    return client


def test_a_negative_quantity_on_an_invoice(api, ledger):
    message = _refused(
        api.post("/invoices", json=_invoice(ledger, lines=[_line(quantity=-2)])), "lines", api.language
    )
    assert "1" in message  # the line is named
    _nothing_saved()


def test_a_credit_note_larger_than_its_invoice(api, ledger):
    invoice = api.post("/invoices", json=_invoice(ledger)).json()  # 100.00 without VAT
    body = {"issued_on": "2026-03-05", "lines": [_line(quantity=-1, unit_price="100.01")]}
    response = api.post(f"/invoices/{invoice['id']}/credit-notes", json=body)
    message = _refused(response, "lines", api.language)
    assert "100.01" in message or "100,01" in message
    assert Invoice.objects.count() == 1  # the invoice alone
    assert Invoice.objects.get().credited_total == 0


def test_a_currency_without_a_rate_on_the_date(api, ledger):
    response = api.post("/invoices", json=_invoice(ledger, currency="EUR"))
    assert "EUR" in _refused(response, "currency", api.language)
    payment = {"account": ledger.alpha.pk, "received_on": "2026-03-02", "amount": 10, "currency": "EUR"}
    assert "EUR" in _refused(api.post("/payments", json=payment), "currency", api.language)
    # The USD rate of 2026-03-02 is too old by 2026-06-01 (more than ORBIT_RATE_MAX_AGE_DAYS)
    stale = _invoice(ledger, currency="USD", issued_on="2026-06-01")
    assert "USD" in _refused(api.post("/invoices", json=stale), "currency", api.language)
    _nothing_saved()


@pytest.mark.parametrize("status", ["archived", AccountStatus.PROSPECT])
def test_an_invoice_for_an_archived_account_or_a_prospect(api, ledger, status):
    if status == "archived":
        account = make_account(ledger.org.head, ledger.org.am_a)
        account.archived_at = account.created_at
        account.save(update_fields=["archived_at"])
    else:
        account = make_account(ledger.org.head, ledger.org.am_a, status=AccountStatus.PROSPECT)
        account.created_by = ledger.org.am_a  # his own prospect: he may bill it, the rules still refuse
        account.save(update_fields=["created_by"])
    _refused(api.post("/invoices", json=_invoice(ledger, account=account.pk)), "account", api.language)
    payment = {"account": account.pk, "received_on": "2026-03-02", "amount": 10, "currency": "RUB"}
    _refused(api.post("/payments", json=payment), "account", api.language)
    _nothing_saved()


def test_an_explicit_allocation_beyond_what_is_open(api, ledger):
    invoice = api.post("/invoices", json=_invoice(ledger)).json()  # 100.00 open
    body = {
        "account": ledger.alpha.pk,
        "received_on": "2026-03-05",
        "amount": "150",
        "currency": "RUB",
        "allocations": [{"invoice": invoice["id"], "amount": "100.01"}],
    }
    _refused(api.post("/payments", json=body), "allocations", api.language)
    assert Payment.objects.count() == 0 and Invoice.objects.get().open_amount == 100


def test_more_than_is_open_is_no_error_but_credit(api, ledger):
    api.post("/invoices", json=_invoice(ledger))  # 100.00 open
    body = {"account": ledger.alpha.pk, "received_on": "2026-03-05", "amount": "150", "currency": "RUB"}
    response = api.post("/payments", json=body)
    assert response.status_code == 201, response.text
    assert (response.json()["allocated_amount"], response.json()["unallocated"]) == ("100.00", "50.00")


def test_an_external_id_pushed_again_with_another_amount(api, ledger):
    body = {
        "account": ledger.alpha.pk,
        "received_on": "2026-03-05",
        "amount": "150",
        "currency": "RUB",
        "external_id": "bank-77",
    }
    first = api.post("/payments", json=body).json()
    response = api.post("/payments", json=body | {"amount": "150.01"})
    message = _refused(response, "external_id", api.language, status=409)
    assert "bank-77" in message and str(first["id"]) in message
    assert response.json()["current"]["amount"] == "150.00"
    assert Payment.objects.count() == 1


def test_amounts_that_are_not_money(api, ledger):
    for amount in (
        "10.005",  # three places
        10.005,
        "1e3",  # an exponent
        "10000000000000000",  # beyond numeric(18,2)
        10**16,
        "NaN",
        "1,234.56",  # two separators: ambiguous
        True,
        [],
    ):
        body = {"account": ledger.alpha.pk, "received_on": "2026-03-05", "amount": amount, "currency": "RUB"}
        _refused(api.post("/payments", json=body), "amount", api.language)
    _nothing_saved()


def test_exponents_nan_and_infinity_written_as_json_numbers(api, ledger):
    for literal in ("1e3", "1.5E2", "NaN", "Infinity", "-Infinity"):
        raw = f'{{"account": {ledger.alpha.pk}, "received_on": "2026-03-05", "amount": {literal}, "currency": "RUB"}}'
        response = api.post("/payments", content=raw, headers={"Content-Type": "application/json"})
        _refused(response, "amount", api.language)
    _nothing_saved()


def test_a_bad_number_inside_a_line_names_the_line(api, ledger):
    lines = [_line(), _line(unit_price="12.345"), _line(quantity="1.0001")]
    response = api.post("/invoices", json=_invoice(ledger, lines=lines))
    messages = _refused(response, "lines", api.language)
    assert "2, unit_price" in messages and "3, quantity" in messages
    _nothing_saved()


def test_amounts_as_people_type_them(api, ledger):
    for typed, exact in (("1 234 567,89", "1234567.89"), ("1\u00a0234,5", "1234.50"), ("\u202f99", "99.00")):
        body = {"account": ledger.alpha.pk, "received_on": "2026-03-05", "amount": typed, "currency": "RUB"}
        response = api.post("/payments", json=body)
        assert response.status_code == 201, response.text
        assert response.json()["amount"] == exact


def test_a_product_that_is_not_in_the_catalog(api, ledger):
    lines = [{"product": 999999}, {"sku": "NO-SUCH"}, {"product": ledger.router.pk, "sku": "C-1"}]
    messages = _refused(api.post("/invoices", json=_invoice(ledger, lines=lines)), "lines", api.language)
    assert "999999" in messages and "NO-SUCH" in messages and "3" in messages
    _nothing_saved()
