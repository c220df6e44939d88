"""Company details by INN: the account form asks DaData's findById/party (a real local HTTP server answering with
the documented shapes) and fills the form; a liquidated company is flagged; errors and timeouts say so."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from orbit.accounts import company_register
from tests.accounts.fake_dadata import KEY, FakeDaData, party
from tests.factories import unique_inn


@pytest.fixture(autouse=True)
def english():
    """The messages are matched in English (the default language is Russian)."""
    with translation.override("en"):
        yield


@pytest.fixture
def dadata(settings):
    with FakeDaData() as fake:
        settings.ORBIT_DADATA_API_KEY = KEY
        settings.ORBIT_DADATA_URL = fake.url
        settings.ORBIT_DADATA_TIMEOUT = 0.5
        yield fake


def test_an_active_company_is_read_from_the_documented_shape(dadata):
    inn = unique_inn()
    dadata.answer(inn, party(inn, kpp="770301001"))
    company = company_register.find_by_inn(inn)
    assert company.legal_name == 'ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ "РОМАШКА"'
    assert company.short_name == 'ООО "РОМАШКА"'
    assert company.kpp == "770301001"
    assert company.address == "125009, г Москва, Тверской р-н, ул Тверская, д 1"
    assert company.director == "Иванов Иван Иванович, ГЕНЕРАЛЬНЫЙ ДИРЕКТОР"
    assert company.status == "ACTIVE" and not company.closing
    assert dadata.seen[-1]["auth"] == f"Token {KEY}"
    assert dadata.seen[-1]["body"]["query"] == inn


def test_a_liquidated_company_is_flagged_with_its_date(dadata):
    inn = unique_inn()
    dadata.answer(inn, party(inn, status="LIQUIDATED", liquidation_date=1_704_067_200_000))  # 2024-01-01 UTC
    company = company_register.find_by_inn(inn)
    assert company.closing and company.liquidation_date == dt.date(2024, 1, 1)


def test_an_entrepreneur_has_no_kpp_and_no_director(dadata):
    inn = "500100732259"  # a valid 12-digit INN
    dadata.answer(inn, party(inn, kind="INDIVIDUAL", full="Индивидуальный предприниматель Петров П П"))
    company = company_register.find_by_inn(inn)
    assert company.kpp == "" and company.director == ""


def test_an_unknown_inn_is_none(dadata):
    assert company_register.find_by_inn(unique_inn()) is None


@pytest.mark.parametrize(
    ("status", "message"),
    [(403, "refused Orbit's key"), (429, "busy"), (500, "answered with an error (500)")],
)
def test_an_error_answer_gives_a_clear_message(dadata, status, message):
    inn = unique_inn()
    dadata.answer(inn, status=status, body={"detail": "error"})
    with pytest.raises(company_register.RegisterError, match=message.replace("(", r"\(").replace(")", r"\)")):
        company_register.find_by_inn(inn)


def test_a_slow_register_times_out(dadata):
    inn = unique_inn()
    dadata.answer(inn, party(inn), delay=2)
    with pytest.raises(company_register.RegisterError, match="did not answer in time"):
        company_register.find_by_inn(inn)


def test_a_wrong_key_is_refused_by_the_service(dadata, settings):
    settings.ORBIT_DADATA_API_KEY = "wrong"
    with pytest.raises(company_register.RegisterError, match="refused Orbit's key"):
        company_register.find_by_inn(unique_inn())


def test_the_lookup_fills_the_form_fields_out_of_band(client, org, dadata):
    inn = unique_inn()
    dadata.answer(inn, party(inn, kpp="770301001"))
    client.force_login(org.am_a)
    body = client.get(reverse("accounts:inn_lookup"), {"inn": inn}).content.decode()
    assert 'id="id_legal_name"' in body and 'hx-swap-oob="true"' in body
    assert 'value="770301001"' in body and "Иванов Иван Иванович" in body
    assert "125009, г Москва" in body


def test_the_lookup_flags_a_liquidated_company(client, org, dadata):
    inn = unique_inn()
    dadata.answer(inn, party(inn, status="LIQUIDATED", liquidation_date=1_704_067_200_000))
    client.force_login(org.am_a)
    body = client.get(reverse("accounts:inn_lookup"), {"inn": inn}).content.decode()
    assert "The company is liquidated" in body or "Компания ликвидирована" in body


def test_the_lookup_reports_not_found_and_errors_without_filling(client, org, dadata):
    client.force_login(org.am_a)
    missing = unique_inn()
    body = client.get(reverse("accounts:inn_lookup"), {"inn": missing}).content.decode()
    assert missing in body and "hx-swap-oob" not in body
    broken = unique_inn()
    dadata.answer(broken, status=500, body={})
    body = client.get(reverse("accounts:inn_lookup"), {"inn": broken}).content.decode()
    assert 'role="alert"' in body and "hx-swap-oob" not in body


def test_a_half_typed_inn_does_not_reach_the_register(client, org, dadata):
    client.force_login(org.am_a)
    response = client.get(reverse("accounts:inn_lookup"), {"inn": "77070"})
    assert response.status_code == 200 and response.content.strip() == b""
    assert dadata.seen == []


def test_without_a_key_the_feature_is_hidden(client, org, settings):
    settings.ORBIT_DADATA_API_KEY = ""
    client.force_login(org.am_a)
    assert client.get(reverse("accounts:inn_lookup"), {"inn": unique_inn()}).status_code == 404
    assert "inn-register" not in client.get(reverse("accounts:create")).content.decode()


def test_with_a_key_the_form_asks_as_the_inn_is_typed(client, org, dadata):
    client.force_login(org.am_a)
    page = client.get(reverse("accounts:create")).content.decode()
    assert 'id="inn-register"' in page and reverse("accounts:inn_lookup") in page


def test_an_auditor_may_not_spend_the_registers_quota(client, org, dadata):
    client.force_login(org.auditor)
    assert client.get(reverse("accounts:inn_lookup"), {"inn": unique_inn()}).status_code == 403
