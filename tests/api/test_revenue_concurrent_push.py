"""A retried push sent twice at once (two threads, two connections to PostgreSQL) creates one document: one
answer is 201, the other 200 with the same document."""

import threading

from orbit.api.models import ApiToken
from orbit.revenue.models import Invoice, InvoiceLine, Payment


def _twice_at_once(call, user, path: str, body: dict) -> list:
    _, token = ApiToken.issue(user=user, name="1c")
    clients = [call(token=token), call(token=token)]
    start = threading.Barrier(2)
    answers: list = [None, None]

    def push(n: int) -> None:
        start.wait()
        answers[n] = clients[n].post(path, json=body)

    threads = [threading.Thread(target=push, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def test_the_same_invoice_pushed_twice_at_once_is_one_invoice(call, ledger, postgres_only):
    body = {
        "account": ledger.alpha.pk,
        "issued_on": "2026-03-02",
        "currency": "RUB",
        "external_id": "1c-race-1",
        "lines": [{"product": ledger.router.pk, "quantity": 2}, {"sku": "C-1", "quantity": 10}],
    }
    answers = _twice_at_once(call, ledger.org.am_a, "/invoices", body)
    assert sorted(a.status_code for a in answers) == [200, 201], [a.text for a in answers]
    assert answers[0].json()["id"] == answers[1].json()["id"]
    assert Invoice.objects.count() == 1 and InvoiceLine.objects.count() == 2


def test_the_same_payment_pushed_twice_at_once_is_one_payment(call, ledger, postgres_only):
    body = {
        "account": ledger.alpha.pk,
        "received_on": "2026-03-02",
        "amount": "1 000,00",
        "currency": "RUB",
        "external_id": "bank-race-1",
    }
    answers = _twice_at_once(call, ledger.org.am_a, "/payments", body)
    assert sorted(a.status_code for a in answers) == [200, 201], [a.text for a in answers]
    assert answers[0].json()["id"] == answers[1].json()["id"]
    assert Payment.objects.count() == 1
