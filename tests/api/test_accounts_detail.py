import datetime as dt
from decimal import Decimal

from orbit.accounts import services
from orbit.accounts.models import ChangeReason
from tests.api.conftest import speak
from tests.clock import local
from tests.factories import make_account


def test_detail_has_profile_manager_parent_and_version(call, org, refs):
    holding = make_account(org.head, org.am_a, legal_name="АО «Холдинг»")
    account = make_account(
        org.head,
        org.am_a,
        legal_name="ООО «Дочка»",
        parent=holding,
        industry=refs["industry"],
        goals="Выйти на рынок Казахстана",
        agreed_budget=Decimal("1500000.5"),
        budget_currency="KZT",
    )
    speak(org.am_a, "en")
    response = call(org.am_a).get(f"/accounts/{account.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["responsible_manager"] == {"id": org.am_a.pk, "name": "Am_A"}
    assert body["parent_id"] == holding.pk
    assert body["industry"]["name"] == "IT"
    assert body["goals"] == "Выйти на рынок Казахстана"
    assert (body["agreed_budget"], body["budget_currency"]) == ("1500000.50", "KZT")
    assert body["status"] == "active" and body["version"] == account.version
    assert body["created_by"]["id"] == org.head.pk
    for stamp in ("created_at", "updated_at", "status_changed_at"):
        assert dt.datetime.fromisoformat(body[stamp])


def test_invisible_and_missing_accounts_are_the_same_404(call, org):
    other = make_account(org.head, org.am_b)
    api = call(org.am_a)
    hidden, missing = api.get(f"/accounts/{other.pk}"), api.get("/accounts/999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    assert hidden.json()["detail"]
    assert api.get(f"/accounts/{other.pk}/ownership").status_code == 404
    assert api.get(f"/accounts/{other.pk}/responsible").status_code == 404


def test_lead_sees_his_sub_teams_account(call, org):
    account = make_account(org.head, org.am_a1)
    assert call(org.lead_a).get(f"/accounts/{account.pk}").status_code == 200
    assert call(org.lead_b).get(f"/accounts/{account.pk}").status_code == 404


def test_ownership_periods_and_responsible_on_a_date(call, org):
    start = local(2024, 1, 10, 9, 0)
    moved = local(2024, 6, 1, 12, 0)
    account = make_account(org.head, org.am_a, at=start)
    services.account_reassign(
        by=org.lead_a,
        account=account,
        manager=org.am_a1,
        reason=ChangeReason.VACATION,
        comment="отпуск",
        at=moved,
    )
    api = call(org.lead_a)

    periods = api.get(f"/accounts/{account.pk}/ownership").json()
    assert [p["manager"]["id"] for p in periods] == [org.am_a1.pk, org.am_a.pk]  # newest first
    latest, first = periods
    assert latest["reason"] == "vacation" and latest["comment"] == "отпуск"
    assert latest["changed_by"]["id"] == org.lead_a.pk and latest["ended_at"] is None
    assert dt.datetime.fromisoformat(first["ended_at"]) == moved
    assert dt.datetime.fromisoformat(first["started_at"]) == start

    def responsible(on=None):
        response = api.get(f"/accounts/{account.pk}/responsible", params={"on": on} if on else {})
        assert response.status_code == 200, response.text
        return response.json()["manager"]

    assert responsible("2024-03-01")["id"] == org.am_a.pk
    assert responsible("2024-06-01")["id"] == org.am_a1.pk  # a date means the end of that day
    assert responsible("2024-06-01T11:00:00+03:00")["id"] == org.am_a.pk
    assert responsible("2024-01-01") is None
    assert responsible()["id"] == org.am_a1.pk
    body = api.get(f"/accounts/{account.pk}/responsible", params={"on": "2024-03-01"}).json()
    assert (body["account_id"], body["on"]) == (account.pk, "2024-03-01")


def test_responsible_with_a_bad_date_is_a_field_error(call, org):
    account = make_account(org.head, org.am_a)
    speak(org.am_a, "ru")
    response = call(org.am_a).get(f"/accounts/{account.pk}/responsible", params={"on": "2024-13-45"})
    assert response.status_code == 422
    assert response.json()["errors"] == {"on": ["Введите правильную дату и время."]}
