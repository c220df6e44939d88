"""Payments over real HTTP: a bank export pushes them, Orbit allocates them, and the balance shows the rest."""

import datetime as dt

from django.utils import timezone

from orbit.revenue.models import Invoice, Payment, PaymentAllocation
from orbit.revenue.totals import ledger_problems


def _invoice(api, account, amount: str, *, issued_on: dt.date, due_on: dt.date) -> dict:
    """An invoice of one line without VAT, so its total is `amount`."""
    response = api.post(
        "/invoices",
        json={
            "account": account.pk,
            "issued_on": issued_on.isoformat(),
            "due_on": due_on.isoformat(),
            "currency": "RUB",
            "lines": [{"description": "Услуги", "unit_price": amount, "vat_category": "exempt"}],
        },
    )
    assert response.status_code == 201, response.text
    return response.json()


def _march(day: int) -> dt.date:
    return dt.date(2026, 3, day)


def test_a_payment_goes_to_the_oldest_invoices_first_and_the_rest_is_credit(call, ledger):
    api = call(ledger.org.am_a)
    first = _invoice(api, ledger.alpha, "1000.00", issued_on=_march(2), due_on=_march(16))
    second = _invoice(api, ledger.alpha, "500.00", issued_on=_march(5), due_on=_march(20))
    response = api.post(
        "/payments",
        json={
            "account": ledger.alpha.pk,
            "received_on": "2026-03-25",
            "amount": "1 700,00",
            "currency": "RUB",
            "reference": "п/п № 512",
            "external_id": "bank-512",
        },
    )
    assert response.status_code == 201, response.text
    payment = response.json()
    # 1700.00: 1000.00 to the first invoice (due earlier), 500.00 to the second, 200.00 left as credit
    assert (payment["amount"], payment["allocated_amount"], payment["unallocated"]) == (
        "1700.00",
        "1500.00",
        "200.00",
    )
    assert [(a["invoice"]["id"], a["amount"]) for a in payment["allocations"]] == [
        (first["id"], "1000.00"),
        (second["id"], "500.00"),
    ]
    assert payment["manager"]["id"] == ledger.org.am_a.pk and payment["reference"] == "п/п № 512"
    assert api.get(f"/invoices/{first['id']}").json()["open_amount"] == "0.00"
    allocations = api.get(f"/invoices/{second['id']}").json()["allocations"]
    assert [(a["payment_id"], a["received_on"], a["amount"]) for a in allocations] == [
        (payment["id"], "2026-03-25", "500.00")
    ]
    again = api.post(
        "/payments",
        json={
            "account": ledger.alpha.pk,
            "received_on": "2026-03-25",
            "amount": 1700,
            "currency": "RUB",
            "reference": "п/п № 512",
            "external_id": "bank-512",
        },
    )
    assert again.status_code == 200 and again.json()["id"] == payment["id"]
    assert Payment.objects.count() == 1 and PaymentAllocation.objects.count() == 2
    assert ledger_problems(ledger.alpha) == []


def test_explicit_allocations_and_a_later_allocation_of_the_credit(call, ledger):
    api = call(ledger.org.am_a)
    first = _invoice(api, ledger.alpha, "1000.00", issued_on=_march(2), due_on=_march(16))
    second = _invoice(api, ledger.alpha, "500.00", issued_on=_march(5), due_on=_march(20))
    response = api.post(
        "/payments",
        json={
            "account": ledger.alpha.pk,
            "received_on": "2026-03-25",
            "amount": 800.5,
            "currency": "RUB",
            "allocations": [
                {"invoice": second["id"], "amount": "500"},
                {"invoice": first["id"], "amount": 100},
            ],
        },
    )
    assert response.status_code == 201, response.text
    payment = response.json()
    # 800.50 − 500.00 − 100.00 = 200.50 left
    assert (payment["allocated_amount"], payment["unallocated"]) == ("600.00", "200.50")
    added = api.post(f"/payments/{payment['id']}/allocations", json={"invoice": first["id"]})
    assert added.status_code == 201, added.text
    # The rest, 200.50, goes to the first invoice (900.00 open): 100.00 + 200.50 = 300.50 allocated there
    assert added.json()["unallocated"] == "0.00"
    assert [(a["invoice"]["id"], a["amount"]) for a in added.json()["allocations"]] == [
        (second["id"], "500.00"),
        (first["id"], "300.50"),
    ]
    # 1000.00 − 300.50 = 699.50 open
    assert api.get(f"/invoices/{first['id']}").json()["open_amount"] == "699.50"
    assert ledger_problems(ledger.alpha) == []


def test_all_credit_when_asked_and_the_lists_of_payments(call, ledger):
    api = call(ledger.org.head)
    _invoice(api, ledger.alpha, "1000.00", issued_on=_march(2), due_on=_march(16))
    kept = api.post(
        "/payments",
        json={
            "account": ledger.alpha.pk,
            "received_on": "2026-03-25",
            "amount": 300,
            "currency": "RUB",
            "allocations": [],
        },
    ).json()
    assert (kept["allocated_amount"], kept["unallocated"], kept["allocations"]) == ("0.00", "300.00", [])
    other = api.post(
        "/payments",
        json={"account": ledger.beta.pk, "received_on": "2026-03-26", "amount": 50, "currency": "RUB"},
    ).json()

    def ids(**params):
        response = api.get("/payments", params=params)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert ids() == [other["id"], kept["id"]]
    assert ids(account=ledger.alpha.pk) == [kept["id"]]
    assert ids(manager=ledger.org.am_b.pk) == [other["id"]]
    assert ids(received_to="2026-03-25") == [kept["id"]]
    assert ids(received_from="2026-03-26") == [other["id"]]
    assert ids(unallocated="true") == [other["id"], kept["id"]]  # nothing open on beta: all of it is credit
    assert api.get(f"/payments/{kept['id']}").json()["unallocated"] == "300.00"
    assert call(ledger.org.am_a).get(f"/payments/{other['id']}").status_code == 404


def test_an_allocation_to_an_invoice_he_may_not_see_is_not_found(call, ledger):
    hidden = _invoice(call(ledger.org.head), ledger.beta, "100.00", issued_on=_march(2), due_on=_march(2))
    api = call(ledger.org.am_a)
    body = {
        "account": ledger.alpha.pk,
        "received_on": "2026-03-25",
        "amount": 100,
        "currency": "RUB",
        "allocations": [{"invoice": hidden["id"], "amount": 100}],
    }
    assert api.post("/payments", json=body).status_code == 404
    assert Payment.objects.count() == 0
    credit = api.post("/payments", json=body | {"allocations": []}).json()
    response = api.post(f"/payments/{credit['id']}/allocations", json={"invoice": hidden["id"]})
    assert response.status_code == 404
    assert PaymentAllocation.objects.count() == 0
    # Another account's invoice he does see is refused by the rules, at its field.
    head = call(ledger.org.head)
    seen = head.post("/payments", json=body | {"allocations": []}).json()
    refused = head.post(f"/payments/{seen['id']}/allocations", json={"invoice": hidden["id"]})
    assert refused.status_code == 422 and hidden["number"] in refused.json()["errors"]["invoice"][0]


def test_the_balance_in_ageing_buckets(call, ledger):
    api = call(ledger.org.am_a)
    today = timezone.localdate()

    def ago(days: int) -> dt.date:
        return today - dt.timedelta(days=days)

    _invoice(api, ledger.alpha, "1000.00", issued_on=ago(100), due_on=ago(95))  # 95 days overdue
    _invoice(api, ledger.alpha, "250.00", issued_on=ago(80), due_on=ago(70))  # 70 days
    _invoice(api, ledger.alpha, "400.00", issued_on=ago(50), due_on=ago(45))  # 45 days
    _invoice(api, ledger.alpha, "300.00", issued_on=ago(20), due_on=ago(10))  # 10 days
    _invoice(api, ledger.alpha, "200.00", issued_on=ago(5), due_on=ago(-10))  # due in 10 days
    paid = {"account": ledger.alpha.pk, "received_on": ago(3).isoformat(), "currency": "RUB"}
    assert api.post("/payments", json=paid | {"amount": "1100"}).status_code == 201  # 1000 + 100 of the 250
    assert api.post("/payments", json=paid | {"amount": "50", "allocations": []}).status_code == 201
    response = api.get(f"/accounts/{ledger.alpha.pk}/balance")
    assert response.status_code == 200, response.text
    balance = response.json()
    # invoiced 1000 + 250 + 400 + 300 + 200 = 2150.00; paid 1100 + 50 = 1150.00
    # open: 0 + 150 + 400 + 300 + 200 = 1050.00; overdue: 150 + 400 + 300 = 850.00; credit 50.00
    assert balance == {
        "account_id": ledger.alpha.pk,
        "on": today.isoformat(),
        "currency": "RUB",
        "invoiced": "2150.00",
        "credited": "0.00",
        "paid": "1150.00",
        "open": "1050.00",
        "overdue": "850.00",
        "credit": "50.00",
        "buckets": {
            "not_due": "200.00",
            "d1_30": "300.00",
            "d31_60": "400.00",
            "d61_90": "150.00",
            "d90_plus": "0.00",
        },
        "last_purchase_on": ago(5).isoformat(),
        "last_payment_on": ago(3).isoformat(),
    }
    assert call(ledger.org.am_b).get(f"/accounts/{ledger.alpha.pk}/balance").status_code == 404
    assert call(ledger.org.auditor).get(f"/accounts/{ledger.alpha.pk}/balance").status_code == 200
    assert Invoice.objects.filter(open_amount__gt=0).count() == 4


def test_a_retried_allocation_with_its_idempotency_key_allocates_once(call, ledger):
    api = call(ledger.org.am_a)
    invoice = _invoice(api, ledger.alpha, "1000.00", issued_on=_march(2), due_on=_march(16))
    body = {"account": ledger.alpha.pk, "received_on": "2026-03-25", "amount": 600, "currency": "RUB"}
    credit = api.post("/payments", json=body | {"allocations": []}).json()
    headers = {"Idempotency-Key": "alloc-1"}
    path = f"/payments/{credit['id']}/allocations"
    first = api.post(path, json={"invoice": invoice["id"], "amount": "250"}, headers=headers)
    again = api.post(path, json={"invoice": invoice["id"], "amount": "250"}, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200), again.text
    # 600.00 − 250.00 = 350.00 left, once
    assert again.json()["unallocated"] == "350.00" and again.json() == first.json()
    assert api.get(f"/invoices/{invoice['id']}").json()["open_amount"] == "750.00"
    assert ledger_problems(ledger.alpha) == []
