"""Invoices and credit notes over real HTTP: 1C pushes them, retries them, and reads them back."""

from decimal import Decimal

from orbit.revenue.models import AccountRevenueMonth, Invoice, InvoiceKind, InvoiceLine
from orbit.revenue.totals import ledger_problems

NBSP = "\u00a0"


def _invoice_body(ledger, **overrides):
    body = {
        "account": ledger.alpha.pk,
        "issued_on": "2026-03-02",
        "due_on": "2026-03-16",
        "currency": "RUB",
        "external_id": "1c-inv-0001",
        "note": "Заказ по письму",
        "lines": [
            {"product": ledger.router.pk, "quantity": 3, "discount_percent": "5"},
            {"sku": "C-1", "quantity": "2,5"},
            {"description": "Монтаж", "unit_price": f"1{NBSP}234,56", "vat_category": "standard"},
        ],
    }
    return body | overrides


def test_a_pushed_invoice_is_priced_from_the_catalog_and_answered_with_its_lines(call, ledger):
    response = call(ledger.org.am_a).post("/invoices", json=_invoice_body(ledger))
    assert response.status_code == 201, response.text
    body = response.json()
    # Router: 3 × 1000.00 × (1 − 5 %) = 2850.00 net, VAT 22 % = 627.00, total 3477.00
    # Cable: 2.5 × 10.00 = 25.00 net, VAT 5.50, total 30.50
    # Montage: 1234.56 net, VAT 1234.56 × 22 % = 271.6032 → 271.60, total 1506.16
    # Invoice: net 2850.00 + 25.00 + 1234.56 = 4109.56; VAT 627.00 + 5.50 + 271.60 = 904.10; total 5013.66
    assert (body["net_total"], body["vat_total"], body["total"]) == ("4109.56", "904.10", "5013.66")
    assert body["open_amount"] == "5013.66" and body["paid_total"] == "0.00"
    assert body["kind"] == "invoice" and body["number"].startswith("СЧ-2026-")
    assert body["manager"]["id"] == ledger.org.am_a.pk  # the responsible manager on the invoice's date
    assert body["account"] == {"id": ledger.alpha.pk, "name": "ООО «Альфа»"}
    assert body["rate"] == "1.000000" and body["total_base"] == "5013.66"
    router, cable, montage = body["lines"]
    assert router["product"] == {"id": ledger.router.pk, "sku": "R-1", "name": "Маршрутизатор"}
    assert (router["quantity"], router["unit_price"], router["discount_percent"]) == (
        "3.000",
        "1000.00",
        "5.00",
    )
    assert (router["net_amount"], router["vat_amount"], router["total_amount"]) == (
        "2850.00",
        "627.00",
        "3477.00",
    )
    # The discount was typed over the quote: the line's price is "manual"; the cable's is the list's
    assert (router["unit_cost"], router["cost_amount"], router["price_source"]) == (
        "600.00",
        "1800.00",
        "manual",
    )
    assert (cable["quantity"], cable["net_amount"], cable["total_amount"]) == ("2.500", "25.00", "30.50")
    assert cable["price_source"] == "list"
    assert montage["product"] is None and montage["description"] == "Монтаж"
    assert (montage["vat_percent"], montage["vat_amount"]) == ("22.00", "271.60")
    assert body["credit_notes"] == [] and body["allocations"] == []
    assert body["net_total_base"] == "4109.56"
    # cost: 3 × 600.00 + 2.5 × 4.00 + 0 = 1810.00
    assert body["cost_total_base"] == "1810.00"
    invoice = Invoice.objects.get(pk=body["id"])
    assert invoice.created_by == ledger.org.am_a and invoice.external_id == "1c-inv-0001"
    assert ledger_problems(ledger.alpha) == []


def test_a_retried_push_answers_the_first_invoice_and_creates_nothing(call, ledger):
    api = call(ledger.org.am_a)
    first = api.post("/invoices", json=_invoice_body(ledger))
    again = api.post("/invoices", json=_invoice_body(ledger))
    assert (first.status_code, again.status_code) == (201, 200), again.text
    assert again.json() == first.json()
    assert Invoice.objects.count() == 1 and InvoiceLine.objects.count() == 3
    # The month's revenue counted once: 4109.56 net
    assert sum(row.net_base for row in AccountRevenueMonth.objects.all()) == Decimal("4109.56")


def test_the_same_external_id_with_another_amount_is_a_conflict_naming_the_invoice(call, ledger):
    api = call(ledger.org.am_a)
    first = api.post("/invoices", json=_invoice_body(ledger)).json()
    changed = _invoice_body(ledger)
    changed["lines"][2]["unit_price"] = "1234.57"
    response = api.post("/invoices", json=changed)
    assert response.status_code == 409, response.text
    body = response.json()
    message = " ".join(body["errors"]["external_id"])
    assert "1c-inv-0001" in message and first["number"] in message and "02.03.2026" in message
    assert body["current"]["id"] == first["id"] and body["current"]["total"] == "5013.66"
    assert Invoice.objects.count() == 1 and InvoiceLine.objects.count() == 3


def test_the_idempotency_key_header_also_answers_the_first_invoice(call, ledger):
    api = call(ledger.org.am_a)
    body = _invoice_body(ledger, external_id="")
    headers = {"Idempotency-Key": "push-7f3a"}
    first = api.post("/invoices", json=body, headers=headers)
    again = api.post("/invoices", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"] and Invoice.objects.count() == 1
    other = api.post("/invoices", json=body)  # no key, no external id: a second invoice, as asked
    assert other.status_code == 201 and Invoice.objects.count() == 2


def test_a_usd_invoice_converts_at_the_rate_of_its_day(call, ledger):
    body = _invoice_body(
        ledger,
        currency="USD",
        external_id="",
        lines=[{"product": ledger.router.pk, "quantity": 2}],
    )
    response = call(ledger.org.am_a).post("/invoices", json=body)
    assert response.status_code == 201, response.text
    data = response.json()
    # 2 × 12.50 = 25.00 USD net, VAT 5.50, total 30.50; base: 30.50 × 80 = 2440.00, net 25.00 × 80 = 2000.00
    assert (data["total"], data["rate"], data["total_base"], data["net_total_base"]) == (
        "30.50",
        "80.000000",
        "2440.00",
        "2000.00",
    )


def test_a_credit_note_corrects_the_invoice_and_is_idempotent_too(call, ledger):
    api = call(ledger.org.am_a)
    invoice = api.post("/invoices", json=_invoice_body(ledger)).json()
    credit = {
        "issued_on": "2026-03-10",
        "external_id": "1c-kr-0001",
        "lines": [{"product": ledger.router.pk, "quantity": "-1"}],
    }
    response = api.post(f"/invoices/{invoice['id']}/credit-notes", json=credit)
    assert response.status_code == 201, response.text
    note = response.json()
    # One router back at the invoice's price and discount: −1 × 1000.00 × 0.95 = −950.00, VAT −209.00, −1159.00
    assert (note["kind"], note["total"], note["corrects_id"]) == ("credit_note", "-1159.00", invoice["id"])
    assert note["open_amount"] == "0.00" and note["number"].startswith("КР-2026-")
    again = api.post(f"/invoices/{invoice['id']}/credit-notes", json=credit)
    assert again.status_code == 200 and again.json()["id"] == note["id"]
    detail = api.get(f"/invoices/{invoice['id']}").json()
    # 5013.66 − 1159.00 = 3854.66 open
    assert (detail["credited_total"], detail["open_amount"]) == ("1159.00", "3854.66")
    assert detail["credit_notes"] == [
        {"id": note["id"], "number": note["number"], "issued_on": "2026-03-10", "total": "-1159.00"}
    ]
    assert Invoice.objects.filter(kind=InvoiceKind.CREDIT_NOTE).count() == 1
    assert ledger_problems(ledger.alpha) == []


def test_the_list_filters_and_pages(call, ledger):
    api = call(ledger.org.head)
    a1 = api.post("/invoices", json=_invoice_body(ledger, external_id="a1")).json()
    a2 = api.post(
        "/invoices", json=_invoice_body(ledger, external_id="a2", issued_on="2026-04-01", due_on="2026-04-01")
    ).json()
    b1 = api.post("/invoices", json=_invoice_body(ledger, external_id="b1", account=ledger.beta.pk)).json()
    api.post(
        f"/invoices/{a1['id']}/credit-notes",
        json={"issued_on": "2026-03-03", "lines": [{"sku": "C-1", "quantity": -1}]},
    )

    def ids(**params):
        response = api.get("/invoices", params=params)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert ids(account=ledger.beta.pk) == [b1["id"]]
    assert ids(manager=ledger.org.am_b.pk) == [b1["id"]]
    assert ids(kind="invoice") == [a2["id"], b1["id"], a1["id"]]  # the latest first, then the higher id
    assert len(ids(kind="credit_note")) == 1
    assert ids(issued_from="2026-03-15", kind="invoice") == [a2["id"]]
    assert ids(issued_to="2026-03-02") == [b1["id"], a1["id"]]
    assert ids(external_id="a2") == [a2["id"]]
    assert ids(open="true", kind="invoice") == [a2["id"], b1["id"], a1["id"]]
    assert ids(open="false", kind="invoice") == []
    assert set(ids(overdue="true")) == {a1["id"], a2["id"], b1["id"]}  # all due in 2026-03/04, before today
    page = api.get("/invoices", params={"limit": 2, "offset": 1, "kind": "invoice"}).json()
    assert (page["count"], page["count_exact"], [i["id"] for i in page["items"]]) == (
        3,
        True,
        [b1["id"], a1["id"]],
    )
    assert page["items"][0]["days_overdue"] > 0


def test_a_manager_reads_only_the_invoices_of_the_accounts_he_sees(call, ledger):
    theirs = (
        call(ledger.org.head).post("/invoices", json=_invoice_body(ledger, account=ledger.beta.pk)).json()
    )
    api = call(ledger.org.am_a)
    assert api.get(f"/invoices/{theirs['id']}").status_code == 404
    assert api.get("/invoices/999999").status_code == 404  # the same answer as a missing id
    assert api.get("/invoices").json()["count"] == 0
    assert (
        api.post(
            f"/invoices/{theirs['id']}/credit-notes",
            json={"issued_on": "2026-03-10", "lines": [{"sku": "C-1", "quantity": -1}]},
        ).status_code
        == 404
    )
    assert api.post("/invoices", json=_invoice_body(ledger, account=ledger.beta.pk)).status_code == 404
    assert Invoice.objects.count() == 1


def test_the_auditor_reads_and_may_not_bill(call, ledger):
    invoice = call(ledger.org.am_a).post("/invoices", json=_invoice_body(ledger)).json()
    auditor = call(ledger.org.auditor)
    assert auditor.get(f"/invoices/{invoice['id']}").status_code == 200
    refused = auditor.post("/invoices", json=_invoice_body(ledger, external_id="x"))
    assert refused.status_code == 403 and refused.json()["detail"]
    assert Invoice.objects.count() == 1
