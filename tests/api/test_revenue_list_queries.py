"""The revenue lists and the invoice card cost a fixed number of queries, however many lines and allocations.

As in test_accounts_list_queries, the requests go through httpx and the whole WSGI stack in the test's own
thread, so django_assert_max_num_queries sees every query the request makes.
"""

import datetime as dt
from decimal import Decimal

import httpx
import pytest
from django.core.wsgi import get_wsgi_application
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orbit.api.models import ApiToken
from orbit.revenue import invoicing, payments
from orbit.revenue.invoicing import LineInput
from orbit.revenue.models import Invoice

# Measured: the token with its user, the access context, the count, the page; + one prefetch per nested list
MAX_INVOICE_LIST = 4
MAX_PAYMENT_LIST = 5  # + the allocations of the page with their invoices
MAX_INVOICE_CARD = 6  # the token, the access context, the invoice, its lines, credit notes, allocations
MAX_PRODUCT_LIST = 4  # the token, the count, the page, the prices of the page (no access context: a catalog)


@pytest.fixture
def wsgi_call(transactional_db):
    clients = []

    def make(user) -> httpx.Client:
        _, raw = ApiToken.issue(user=user, name="tests")
        client = httpx.Client(
            transport=httpx.WSGITransport(app=get_wsgi_application()),
            base_url="http://testserver/api",
            headers={"Authorization": f"Bearer {raw}"},
        )
        clients.append(client)
        client.get("/auth/me")  # the first use of a token records last_used_at
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def busy_ledger(ledger):
    """12 invoices of 8 lines each on two accounts, a credit note, and 6 payments each spread over 2 invoices."""
    org = ledger.org
    lines = [
        LineInput(description=f"Работа {n}", unit_price=Decimal("10.00"), vat_category="exempt")
        for n in range(8)
    ]
    invoices = []
    for n in range(12):
        account = ledger.alpha if n % 2 else ledger.beta
        invoices.append(
            invoicing.invoice_issue(
                by=org.head,
                account=account,
                issued_on=dt.date(2026, 3, 2) + dt.timedelta(days=n),
                currency="RUB",
                lines=lines,
            )
        )
    invoicing.credit_note_issue(
        by=org.head,
        invoice=invoices[0],
        issued_on=dt.date(2026, 3, 20),
        lines=[
            LineInput(
                description="Возврат",
                quantity=Decimal(-1),
                unit_price=Decimal("10.00"),
                vat_category="exempt",
            )
        ],
    )
    for n in range(6):
        first, second = invoices[2 * n], invoices[2 * n + 1]
        for account, invoice in ((first.account, first), (second.account, second)):
            payments.payment_record(
                by=org.head,
                account=account,
                received_on=dt.date(2026, 4, 1),
                amount=Decimal("50.00"),
                currency="RUB",
                allocate=[(invoice, Decimal("20.00"))],
            )
    # a payment over two invoices of one account: 80.00 − 20.00 = 60.00 is open on invoices 1 and 3 (alpha)
    payments.payment_record(
        by=org.head,
        account=ledger.alpha,
        received_on=dt.date(2026, 4, 2),
        amount=Decimal("100.00"),
        currency="RUB",
        allocate=[(invoices[1], Decimal("30.00")), (invoices[3], Decimal("30.00"))],
    )
    return invoices


@pytest.mark.parametrize("persona", ["am_a", "head"])
def test_the_invoice_list_costs_the_same_for_2_or_12_invoices(
    wsgi_call, ledger, busy_ledger, persona, django_assert_max_num_queries
):
    api = wsgi_call(getattr(ledger.org, persona))
    counts = {}
    for limit in (2, 12):
        with django_assert_max_num_queries(MAX_INVOICE_LIST), CaptureQueriesContext(connection) as queries:
            response = api.get("/invoices", params={"limit": limit, "kind": "invoice"})
        assert response.status_code == 200
        assert len(response.json()["items"]) == (limit if persona == "head" else min(limit, 6))
        counts[limit] = len(queries)
    assert counts[2] == counts[12]


def test_the_payment_list_costs_the_same_for_2_or_13_payments(
    wsgi_call, ledger, busy_ledger, django_assert_max_num_queries
):
    api = wsgi_call(ledger.org.head)
    counts = {}
    for limit in (2, 13):
        with django_assert_max_num_queries(MAX_PAYMENT_LIST), CaptureQueriesContext(connection) as queries:
            response = api.get("/payments", params={"limit": limit})
        assert response.status_code == 200
        items = response.json()["items"]
        assert len(items) == limit and all(item["allocations"] for item in items)
        counts[limit] = len(queries)
    assert counts[2] == counts[13]


def test_the_invoice_card_costs_the_same_with_8_lines_as_with_1(
    wsgi_call, ledger, busy_ledger, django_assert_max_num_queries
):
    api = wsgi_call(ledger.org.head)
    small = invoicing.invoice_issue(
        by=ledger.org.head,
        account=ledger.alpha,
        issued_on=dt.date(2026, 3, 2),
        currency="RUB",
        lines=[LineInput(product=ledger.router)],
    )
    counts = {}
    for invoice in (small, busy_ledger[0]):
        with django_assert_max_num_queries(MAX_INVOICE_CARD), CaptureQueriesContext(connection) as queries:
            response = api.get(f"/invoices/{invoice.pk}")
        assert response.status_code == 200
        counts[invoice.pk] = len(queries)
    body = response.json()
    assert len(body["lines"]) == 8 and len(body["credit_notes"]) == 1 and len(body["allocations"]) == 1
    assert counts[small.pk] == counts[busy_ledger[0].pk]
    assert Invoice.objects.count() == 14


def test_the_catalog_costs_the_same_for_1_or_2_products(wsgi_call, ledger, django_assert_max_num_queries):
    api = wsgi_call(ledger.org.am_a)
    counts = {}
    for limit in (1, 2):
        with django_assert_max_num_queries(MAX_PRODUCT_LIST), CaptureQueriesContext(connection) as queries:
            response = api.get("/products", params={"limit": limit})
        assert response.status_code == 200 and len(response.json()["items"]) == limit
        counts[limit] = len(queries)
    assert counts[1] == counts[2]
