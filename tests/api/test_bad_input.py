"""Bad input gets a 4xx at its field, never a server error (cases schemathesis found; see test_fuzz_openapi)."""

import pytest
from django.test import Client

from orbit.api.models import ApiToken
from tests.factories import make_account

HUGE = str(2**64)


@pytest.fixture
def api(org):
    _, token = ApiToken.issue(user=org.head, name="tests")
    client = Client(headers={"Authorization": f"Bearer {token}"})

    def send(method: str, url: str, body=None, **kwargs):
        if body is None:
            return getattr(client, method)("/api" + url, **kwargs)
        return getattr(client, method)("/api" + url, body, content_type="application/json", **kwargs)

    return send


@pytest.fixture
def account(org):
    return make_account(org.head, org.am_a, legal_name="ООО «Альфа»")


def _field_error(response, field: str, status: int = 422) -> str:
    assert response.status_code == status, response.content
    return " ".join(response.json()["errors"][field])


def test_a_nul_byte_in_a_search_or_a_text_field(api, account):
    assert _field_error(api("get", "/accounts", data={"q": "a\x00b"}), "q")
    assert _field_error(api("get", "/contacts", data={"q": "\x00"}), "q")
    response = api("post", f"/accounts/{account.pk}/contacts", {"full_name": "Иван\x00"})
    assert _field_error(response, "full_name")


def test_a_null_responsible_manager_on_create_is_a_prospect_without_one(api):
    response = api(
        "post", "/accounts", {"legal_name": "ООО «Бета»", "inn": "500100732259", "responsible_manager": None}
    )
    assert response.status_code == 201, response.content
    assert response.json()["responsible_manager"] is None


def test_integers_beyond_64_bits(api, account):
    assert _field_error(api("get", "/accounts", data={"offset": HUGE}), "offset")
    assert _field_error(api("get", "/accounts", data={"manager": HUGE}), "manager")
    assert _field_error(api("get", "/touches", data={"account": HUGE}), "account")
    assert _field_error(api("get", f"/accounts/{HUGE}"), "account_id")
    response = api("patch", f"/accounts/{account.pk}", {"version": int(HUGE), "goals": "x"})
    assert _field_error(response, "version")


def test_far_dates(api, account):
    assert "1900" in _field_error(
        api("get", f"/accounts/{account.pk}/responsible", data={"on": "9999-12-31"}), "on"
    )
    assert _field_error(api("get", "/touches", data={"date_to": "9999-12-31"}), "date_to")
    logged = api(
        "post",
        f"/accounts/{account.pk}/touches",
        {"duration_minutes": 5, "happened_at": "0001-01-01T00:00:00"},
    )
    assert _field_error(logged, "happened_at")
    planned = api("post", f"/accounts/{account.pk}/touches/planned", {"planned_for": "9999-12-31"})
    assert _field_error(planned, "planned_for")
    # Within Orbit's bounds but beyond the planning horizon: the service says so.
    planned = api("post", f"/accounts/{account.pk}/touches/planned", {"planned_for": "2900-01-01"})
    assert "5" in _field_error(planned, "planned_for")


def test_answers_the_schema_documents(api, account):
    response = api("post", "/accounts", "{not json")
    assert response.status_code == 400 and response.json()["detail"]
    assert _field_error(api("get", "/accounts/abc"), "account_id")
    assert _field_error(api("get", "/touches", data={"date_to": "0"}), "date_to")
    schema = Client().get("/api/openapi.json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert {"401", "422"} <= set(map(str, operation["responses"])), (method, path)
            if "requestBody" in operation:
                assert "400" in map(str, operation["responses"]), (method, path)
