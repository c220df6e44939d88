import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from orbit.accounts import services
from orbit.accounts.models import Account, OwnershipPeriod
from orbit.common.validators import validate_inn
from tests.api.conftest import speak
from tests.factories import make_account, unique_inn

BAD_INN = "7701234567"  # the control digit of 770123456x is 8


def inn_message(inn: str, language: str) -> str:
    """The checksum message as the forms give it, in the language asked."""
    with translation.override(language), pytest.raises(ValidationError) as caught:
        validate_inn(inn)
    with translation.override(language):
        return caught.value.messages[0]


def new_account(**fields) -> dict:
    return {"legal_name": "ООО «Новый клиент»", "inn": unique_inn(), "kpp": "770101001", **fields}


def test_create_an_active_client(call, org, refs):
    payload = new_account(
        status="active",
        responsible_manager=org.am_a.pk,
        region=refs["region"].pk,
        tier="B",
        agreed_budget="2500000",
        budget_currency="EUR",
        goals="Рост закупок",
    )
    response = call(org.am_a).post("/accounts", json=payload)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["responsible_manager"]["id"] == org.am_a.pk
    assert (body["status"], body["tier"], body["region"]["id"]) == ("active", "B", refs["region"].pk)
    assert (body["agreed_budget"], body["budget_currency"]) == ("2500000.00", "EUR")
    account = Account.objects.get(pk=body["id"])
    assert account.created_by == org.am_a and account.inn == payload["inn"]
    assert OwnershipPeriod.objects.get(account=account).manager == org.am_a


def test_create_a_prospect_without_a_manager(call, org):
    response = call(org.sales).post("/accounts", json=new_account(inn=f" {unique_inn()} ", kpp="7701ab001"))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "prospect" and body["responsible_manager"] is None
    assert body["kpp"] == "7701AB001" and " " not in body["inn"]


def test_field_errors_in_russian(call, org):
    speak(org.am_a, "ru")
    api = call(org.am_a)
    response = api.post("/accounts", json={"inn": BAD_INN, "tier": "Z", "agreed_budget": "много"})
    assert response.status_code == 422
    choice = "Выберите корректный вариант. Вашего варианта нет среди допустимых значений."
    assert response.json()["errors"] == {
        "legal_name": ["Обязательное поле."],
        "tier": [choice],
        "agreed_budget": ["Введите число."],
    }
    assert response.headers["Content-Language"] == "ru"

    response = api.post("/accounts", json=new_account(legal_name="Я" * 301, inn=BAD_INN))
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors["legal_name"] == [
        "Убедитесь, что это значение содержит не более 300 символов (сейчас 301)."
    ]
    assert errors["inn"] == [inn_message(BAD_INN, "ru")]


def test_field_errors_in_english(call, org):
    speak(org.am_a, "en")
    api = call(org.am_a)
    response = api.post("/accounts", json={"inn": BAD_INN, "tier": "Z"})
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "legal_name": ["This field is required."],
        "tier": ["Select a valid choice. That choice is not one of the available choices."],
    }
    response = api.post("/accounts", json=new_account(legal_name="Я" * 301, inn=BAD_INN))
    body = response.json()
    assert body["detail"] == "Some fields are filled in incorrectly: see the message at each field."
    assert body["errors"]["legal_name"] == ["Ensure this value has at most 300 characters (it has 301)."]
    assert body["errors"]["inn"] == ["INN 7701234567 fails the checksum: check for a typo."]
    assert inn_message(BAD_INN, "en") == body["errors"]["inn"][0]


def test_duplicate_inn_names_the_existing_account(call, org):
    existing = make_account(org.head, org.am_a, legal_name="ООО «Первый»")
    speak(org.am_a, "en")
    response = call(org.am_a).post("/accounts", json=new_account(inn=existing.inn))
    assert response.status_code == 422
    [message] = response.json()["errors"]["inn"]
    assert existing.inn in message and "Первый" in message and f"№{existing.pk}" in message


def test_model_rules_are_field_errors(call, org):
    speak(org.am_a, "en")
    api = call(org.am_a)
    response = api.post("/accounts", json=new_account(kpp=""))
    assert response.json()["errors"] == {"kpp": ["An organisation (10-digit INN) needs a KPP."]}
    response = api.post("/accounts", json=new_account(status="active"))
    assert list(response.json()["errors"]) == ["responsible_manager"]
    response = api.post("/accounts", json=new_account(status="churned"))
    assert list(response.json()["errors"]) == ["status"]


def test_invisible_parent_is_refused_like_a_missing_one(call, org, refs):
    hidden = make_account(org.head, org.am_b)
    api = call(org.am_a)
    invisible = api.post("/accounts", json=new_account(parent=hidden.pk))
    missing = api.post("/accounts", json=new_account(parent=999999))
    assert invisible.status_code == missing.status_code == 422
    assert invisible.json()["errors"] == missing.json()["errors"]
    assert list(invisible.json()["errors"]) == ["parent"]
    for name in ("region", "industry", "segment", "responsible_manager"):
        response = api.post("/accounts", json=new_account(**{name: 999999}))
        assert list(response.json()["errors"]) == [name]
    # An existing user who may not own accounts is no valid choice either.
    response = api.post("/accounts", json=new_account(responsible_manager=org.outsider.pk))
    assert list(response.json()["errors"]) == ["responsible_manager"]


def test_who_may_create(call, org):
    assert call(org.auditor).post("/accounts", json=new_account()).status_code == 403
    assert call(org.outsider).post("/accounts", json=new_account()).status_code == 403
    # A lead assigns inside his team tree only.
    lead = call(org.lead_a)
    assert (
        lead.post(
            "/accounts", json=new_account(status="active", responsible_manager=org.am_a1.pk)
        ).status_code
        == 201
    )
    assert (
        lead.post("/accounts", json=new_account(status="active", responsible_manager=org.am_b.pk)).status_code
        == 403
    )
    assert not Account.objects.filter(responsible_manager=org.am_b).exists()


def test_update_changes_only_the_fields_sent(call, org, refs):
    account = make_account(org.head, org.am_a, short_name="Старое", goals="Цель")
    response = call(org.am_a).patch(
        f"/accounts/{account.pk}",
        json={
            "version": account.version,
            "agreed_budget": 1200.5,
            "short_name": None,
            "region": refs["region"].pk,
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["version"] == account.version + 1
    assert (body["agreed_budget"], body["short_name"], body["goals"]) == ("1200.50", "", "Цель")
    assert body["region"]["id"] == refs["region"].pk
    account.refresh_from_db()
    assert account.short_name == "" and account.version == body["version"]


def test_update_needs_the_version_and_only_editable_fields(call, org):
    account = make_account(org.head, org.am_a)
    speak(org.am_a, "en")
    api = call(org.am_a)
    response = api.patch(f"/accounts/{account.pk}", json={"goals": "x"})
    assert response.status_code == 422
    assert response.json()["errors"] == {"version": ["This field is required."]}
    response = api.patch(
        f"/accounts/{account.pk}",
        json={"version": account.version, "status": "churned", "responsible_manager": 1},
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "status": ["This field is not accepted here."],
        "responsible_manager": ["This field is not accepted here."],
    }


def test_stale_version_is_a_conflict_with_the_current_record(call, org):
    account = make_account(org.head, org.am_a, goals="Исходная")
    read_version = account.version
    services.account_update(by=org.lead_a, account=account, version=read_version, goals="Руководителя")
    speak(org.am_a, "en")
    response = call(org.am_a).patch(f"/accounts/{account.pk}", json={"version": read_version, "goals": "Моя"})
    assert response.status_code == 409
    body = response.json()
    assert "changed by someone else" in body["detail"]
    assert body["current"]["goals"] == "Руководителя"
    assert body["current"]["version"] == read_version + 1
    account.refresh_from_db()
    assert account.goals == "Руководителя"


def test_visible_but_not_changeable_is_403_invisible_is_404(call, org):
    account = make_account(org.head, org.am_a)
    payload = {"version": account.version, "goals": "чужая правка", "region": 999999}
    auditor = call(org.auditor)
    assert auditor.get(f"/accounts/{account.pk}").status_code == 200
    response = auditor.patch(f"/accounts/{account.pk}", json=payload)
    assert response.status_code == 403  # before any look at the payload
    assert response.json()["detail"]
    assert call(org.am_b).patch(f"/accounts/{account.pk}", json=payload).status_code == 404
    assert call(org.lead_b).patch(f"/accounts/{account.pk}", json=payload).status_code == 404
    account.refresh_from_db()
    assert account.goals == ""


def test_holding_cycle_is_a_field_error(call, org):
    holding = make_account(org.head, org.am_a)
    child = make_account(org.head, org.am_a, parent=holding)
    response = call(org.am_a).patch(
        f"/accounts/{holding.pk}", json={"version": holding.version, "parent": child.pk}
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["parent"]


def test_archived_account_is_frozen(call, org):
    account = make_account(org.head, org.am_a)
    account = services.account_archive(by=org.am_a, account=account)
    response = call(org.am_a).patch(
        f"/accounts/{account.pk}", json={"version": account.version, "goals": "x"}
    )
    assert response.status_code == 422
    body = response.json()
    assert body["errors"] == {"__all__": [body["detail"]]}


def test_malformed_json_is_a_json_error(call, org):
    response = call(org.am_a).post(
        "/accounts", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["detail"] and response.json()["errors"] == {}


def test_the_companys_phone_address_website_and_director_go_through_the_api(call, org):
    payload = new_account(
        status="active",
        responsible_manager=org.am_a.pk,
        phone="8 (495) 123-45-67",
        address="г Москва, ул Тверская, д 1",
        website="https://romashka.ru",
        director="Иванов Иван Иванович",
    )
    response = call(org.am_a).post("/accounts", json=payload)
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["phone"], body["website"], body["director"]) == (
        "+74951234567",
        "https://romashka.ru",
        "Иванов Иван Иванович",
    )
    refused = call(org.am_a).post("/accounts", json=new_account(phone="12", website="nonsense"))
    assert refused.status_code == 422, refused.text
    assert "phone" in refused.text
