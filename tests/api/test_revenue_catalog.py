"""The catalog (read-only) and the currency rates (read by all, loaded by an administrator) over real HTTP."""

import datetime as dt
from decimal import Decimal

from orbit.revenue.models import CurrencyRate, Product, ProductPrice
from tests.api.conftest import speak


def test_the_catalog_with_the_prices_of_a_day(call, ledger):
    ProductPrice.objects.create(
        product=ledger.router,
        valid_from=dt.date(2026, 6, 1),
        price=Decimal("1100.00"),
        cost=Decimal("650.00"),
    )
    Product.objects.create(sku="OLD-1", name="Снятый товар", product_line=ledger.line, is_active=False)
    api = call(ledger.org.am_a)
    response = api.get("/products", params={"q": "r-1", "on": "2026-05-31"})
    assert response.status_code == 200, response.text
    [router] = response.json()["items"]
    assert (router["sku"], router["unit"], router["vat_category"]) == ("R-1", "шт", "standard")
    assert router["product_line"]["code"] == "equipment"
    assert sorted((p["currency"], p["valid_from"], p["price"], p["cost"]) for p in router["prices"]) == [
        ("RUB", "2026-01-01", "1000.00", "600.00"),
        ("USD", "2026-01-01", "12.50", "7.00"),
    ]
    later = api.get("/products", params={"q": "маршрутизатор", "on": "2026-06-01"}).json()["items"][0]
    assert [p["price"] for p in later["prices"] if p["currency"] == "RUB"] == ["1100.00"]
    assert api.get("/products", params={"on": "2025-12-31"}).json()["items"][0]["prices"] == []
    assert [p["sku"] for p in api.get("/products", params={"active": "false"}).json()["items"]] == ["OLD-1"]
    assert api.get("/products").json()["count"] == 3
    assert call(ledger.org.outsider).get("/products").status_code == 200  # a catalog, not an account's data


def test_currency_rates_are_read_by_all_and_loaded_by_an_administrator(call, ledger):
    body = {
        "day": "2026-04-01",
        "source": "ЦБ РФ",
        "rates": [{"currency": "EUR", "rate": "95,1234"}, {"currency": "USD", "rate": 81.5}],
    }
    for user in (ledger.org.head, ledger.org.am_a, ledger.org.auditor):
        refused = call(user).post("/currency-rates", json=body)
        assert refused.status_code == 403 and refused.json()["detail"]
    response = call(ledger.org.admin).post("/currency-rates", json=body)
    assert response.status_code == 200, response.text
    assert [(r["currency"], r["day"], r["rate"], r["source"]) for r in response.json()] == [
        ("EUR", "2026-04-01", "95.123400", "ЦБ РФ"),
        ("USD", "2026-04-01", "81.500000", "ЦБ РФ"),
    ]
    # Loading the day again replaces that currency's rate
    again = call(ledger.org.admin).post(
        "/currency-rates", json=body | {"rates": [{"currency": "EUR", "rate": 96}]}
    )
    assert again.status_code == 200 and CurrencyRate.objects.get(currency="EUR").rate == Decimal("96")
    listed = call(ledger.org.am_a).get("/currency-rates", params={"currency": "USD"}).json()
    assert [(r["day"], r["rate"]) for r in listed["items"]] == [
        ("2026-04-01", "81.500000"),
        ("2026-03-02", "80.000000"),
    ]
    window = call(ledger.org.am_a).get(
        "/currency-rates", params={"day_from": "2026-03-03", "day_to": "2026-04-01"}
    )
    assert window.json()["count"] == 2
    # An EUR invoice now converts at 96: 100.00 × 96 = 9600.00
    invoice = call(ledger.org.am_a).post(
        "/invoices",
        json={
            "account": ledger.alpha.pk,
            "issued_on": "2026-04-02",
            "currency": "EUR",
            "lines": [{"description": "Услуги", "unit_price": 100, "vat_category": "exempt"}],
        },
    )
    assert invoice.status_code == 201 and invoice.json()["total_base"] == "9600.00"


def test_rates_that_are_refused_and_nothing_loaded(call, ledger):
    admin = ledger.org.admin
    api = call(admin)
    for language, words in (("en", "above zero"), ("ru", "больше нуля")):
        speak(admin, language)
        response = api.post(
            "/currency-rates",
            json={
                "day": "2026-04-01",
                "rates": [{"currency": "EUR", "rate": 90}, {"currency": "USD", "rate": "0"}],
            },
        )
        assert response.status_code == 422 and words in " ".join(response.json()["errors"]["rates"])
    speak(admin, "en")
    cases = [
        ([{"currency": "XXX", "rate": 1}], "Item 1, currency"),  # a currency Orbit does not know
        ([{"currency": "RUB", "rate": 1}], "base currency"),
        ([{"currency": "EUR", "rate": -5}], "above zero"),
        ([{"currency": "EUR", "rate": 90}, {"currency": "EUR", "rate": 91}], "twice"),
        ([{"currency": "EUR", "rate": "1.0000001"}], "6 digits after"),
        ([], "at least one"),
    ]
    for rates, words in cases:
        response = api.post("/currency-rates", json={"day": "2026-04-01", "rates": rates})
        assert response.status_code == 422, response.text
        assert words in " ".join(response.json()["errors"]["rates"]), (rates, response.json())
    assert CurrencyRate.objects.count() == 1  # the fixture's USD rate alone
