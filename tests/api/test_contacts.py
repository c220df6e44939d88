import datetime as dt

import pytest
from django.utils import timezone

from orbit.accounts import services
from orbit.accounts.models import Contact
from tests.api.conftest import speak
from tests.factories import make_account


@pytest.fixture
def people(org):
    mine = make_account(org.head, org.am_a, legal_name="ООО «Моё»")
    theirs = make_account(org.head, org.am_b, legal_name="ООО «Чужое»")
    return {
        "anna": services.contact_create(
            by=org.am_a, account=mine, full_name="Анна Смирнова", position="Закупки"
        ),
        "boris": services.contact_create(
            by=org.am_a, account=mine, full_name="Борис Orlov", email="b@example.com"
        ),
        "vera": services.contact_create(by=org.am_b, account=theirs, full_name="Вера Петрова"),
    }


def names(response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["full_name"] for item in response.json()["items"]]


def test_list_shows_contacts_of_visible_accounts_only(call, org, people):
    assert names(call(org.am_a).get("/contacts")) == ["Анна Смирнова", "Борис Orlov"]
    assert names(call(org.am_b).get("/contacts")) == ["Вера Петрова"]
    assert call(org.head).get("/contacts").json()["count"] == 3
    assert call(org.outsider).get("/contacts").json()["count"] == 0


def test_filter_by_account_and_search(call, org, people):
    api = call(org.am_a)
    mine, theirs = people["anna"].account, people["vera"].account
    assert names(api.get("/contacts", params={"account": mine.pk})) == ["Анна Смирнова", "Борис Orlov"]
    assert api.get("/contacts", params={"account": theirs.pk}).json()["count"] == 0
    assert names(api.get("/contacts", params={"q": "Закупки"})) == ["Анна Смирнова"]
    assert names(api.get("/contacts", params={"q": "EXAMPLE"})) == ["Борис Orlov"]
    assert api.get("/contacts", params={"q": "Вера"}).json()["count"] == 0


def test_detail_and_404(call, org, people):
    api = call(org.am_a)
    body = api.get(f"/contacts/{people['anna'].pk}").json()
    assert body["account"] == {"id": people["anna"].account_id, "name": "ООО «Моё»"}
    assert body["position"] == "Закупки" and body["version"] == 1
    assert api.get(f"/contacts/{people['vera'].pk}").status_code == 404
    assert api.get("/contacts/999999").status_code == 404


def test_create_a_contact(call, org, people):
    account = people["anna"].account
    response = call(org.am_a).post(
        f"/accounts/{account.pk}/contacts",
        json={
            "full_name": "Глеб Иванов",
            "phone": "8 (495) 123-45-67",
            "buying_role": "decision_maker",
            "consent_given": True,
            "consent_date": "2024-05-01",
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["phone"] == "+74951234567" and body["consent_date"] == "2024-05-01"
    assert Contact.objects.get(pk=body["id"]).created_by == org.am_a


def test_contact_field_errors_in_both_languages(call, org, people):
    account = people["anna"].account
    payload = {"full_name": "Глеб", "phone": "12", "email": "not-an-email", "buying_role": "boss"}
    speak(org.am_a, "ru")
    response = call(org.am_a).post(f"/accounts/{account.pk}/contacts", json=payload)
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "buying_role": ["Выберите корректный вариант. Вашего варианта нет среди допустимых значений."]
    }
    del payload["buying_role"]
    speak(org.am_a, "en")
    response = call(org.am_a).post(f"/accounts/{account.pk}/contacts", json=payload)
    assert response.json()["errors"] == {"phone": ["Enter a phone number such as +7 495 123-45-67."]}
    payload["phone"] = ""
    response = call(org.am_a).post(f"/accounts/{account.pk}/contacts", json=payload)
    assert response.json()["errors"] == {"email": ["Enter a valid email address."]}
    speak(org.am_a, "ru")
    response = call(org.am_a).post(f"/accounts/{account.pk}/contacts", json=payload)
    assert response.json()["errors"] == {"email": ["Введите правильный адрес электронной почты."]}
    future = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    response = call(org.am_a).post(
        f"/accounts/{account.pk}/contacts",
        json={"full_name": "Глеб", "consent_given": True, "consent_date": future},
    )
    assert list(response.json()["errors"]) == ["consent_date"]


def test_create_on_an_invisible_account_is_404_on_an_unchangeable_one_403(call, org, people):
    theirs = people["vera"].account
    assert call(org.am_a).post(f"/accounts/{theirs.pk}/contacts", json={"full_name": "X"}).status_code == 404
    assert (
        call(org.auditor).post(f"/accounts/{theirs.pk}/contacts", json={"full_name": "X"}).status_code == 403
    )
    assert Contact.objects.count() == 3


def test_update_with_version_and_conflict(call, org, people):
    anna = people["anna"]
    api = call(org.am_a)
    response = api.patch(f"/contacts/{anna.pk}", json={"version": anna.version, "position": "Директор"})
    assert response.status_code == 200, response.text
    assert response.json()["position"] == "Директор" and response.json()["version"] == anna.version + 1

    response = api.patch(f"/contacts/{anna.pk}", json={"version": anna.version, "position": "Снабжение"})
    assert response.status_code == 409
    assert response.json()["current"]["position"] == "Директор"
    assert response.json()["detail"]

    assert api.patch(f"/contacts/{anna.pk}", json={"position": "x"}).status_code == 422
    assert (
        api.patch(f"/contacts/{people['vera'].pk}", json={"version": 1, "position": "x"}).status_code == 404
    )
    assert (
        call(org.auditor).patch(f"/contacts/{anna.pk}", json={"version": 2, "position": "x"}).status_code
        == 403
    )
