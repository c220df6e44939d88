"""Touches over real HTTP: telephony logs a call, a script plans the next one, the agenda completes it."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from orbit.accounts import services as account_services
from orbit.activities.models import CadencePolicy, Touch, TouchStatus
from orbit.activities.services import touch_log, touch_plan
from orbit.api.models import ApiToken
from tests.api.conftest import speak
from tests.factories import make_account

MAX_LIST_QUERIES = 5  # token and user, access context, count, page, contacts of the page (measured)


@pytest.fixture(autouse=True)
def _no_cadence(db):
    # Without cadence rules a logged touch plans no next one by itself: the lists below stay exact.
    CadencePolicy.objects.all().delete()


@pytest.fixture
def accounts(org):
    return {
        "a": make_account(org.head, org.am_a, legal_name="ООО «Альфа»"),
        "b": make_account(org.head, org.am_b, legal_name="ООО «Бета»"),
    }


def _contact(account, name="Иван Петров"):
    return account_services.contact_create(by=account.responsible_manager, account=account, full_name=name)


@pytest.mark.clock
def test_log_a_call_with_its_contacts_and_the_next_touch(call, org, accounts):
    account = accounts["a"]
    contact = _contact(account)
    happened = (timezone.now() - dt.timedelta(hours=1)).replace(microsecond=0)
    next_on = timezone.localdate() + dt.timedelta(days=3)
    response = call(org.am_a).post(
        f"/accounts/{account.pk}/touches",
        json={
            "kind": "call",
            "happened_at": happened.isoformat(),
            "duration_minutes": 12,
            "outcome": " Договорились о встрече ",
            "subject": "Продление договора",
            "next_step": "Встреча у клиента",
            "next_on": next_on.isoformat(),
            "contacts": [contact.pk],
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "done" and body["kind"] == "call" and body["duration_minutes"] == 12
    assert body["owner"]["id"] == org.am_a.pk and body["account"]["id"] == account.pk
    assert body["outcome"] == "Договорились о встрече"
    assert body["contacts"] == [{"id": contact.pk, "full_name": "Иван Петров"}]
    assert dt.datetime.fromisoformat(body["happened_at"]) == happened
    touch = Touch.objects.get(pk=body["id"])
    assert touch.created_by == org.am_a and list(touch.contacts.all()) == [contact]
    planned = Touch.objects.get(account=account, status=TouchStatus.PLANNED)
    assert planned.planned_for == next_on and planned.subject == "Встреча у клиента"


@pytest.mark.clock
def test_logging_closes_the_due_planned_touch(call, org, accounts):
    account = accounts["a"]
    due = touch_plan(by=org.am_a, account=account, planned_for=timezone.localdate())
    now = timezone.localtime().replace(microsecond=0, tzinfo=None)
    local = max(now - dt.timedelta(minutes=30), now.replace(hour=0, minute=0, second=0))  # today, still
    response = call(org.am_a).post(
        f"/accounts/{account.pk}/touches", json={"duration_minutes": 5, "happened_at": local.isoformat()}
    )
    assert response.status_code == 201, response.text
    assert response.json()["id"] == due.pk and response.json()["status"] == "done"
    # Without an offset the moment is read in the server's time zone.
    assert Touch.objects.get(pk=due.pk).happened_at == timezone.make_aware(local)


def test_field_errors_in_english(call, org, accounts):
    speak(org.am_a, "en")
    api = call(org.am_a)
    url = f"/accounts/{accounts['a'].pk}/touches"
    future = (timezone.now() + dt.timedelta(hours=2)).isoformat()
    response = api.post(url, json={"duration_minutes": 0, "happened_at": future})
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "Some fields are filled in incorrectly: see the message at each field."
    assert body["errors"] == {
        "duration_minutes": ["How long did it take? At least one minute."],
        "happened_at": ["A touch in the future cannot be done yet: plan it instead."],
    }
    response = api.post(url, json={"kind": "fax", "duration_minutes": 2000, "colour": "red"})
    assert response.json()["errors"] == {
        "kind": ["Select a valid choice. That choice is not one of the available choices."],
        "colour": ["This field is not accepted here."],
    }
    response = api.post(url, json={"duration_minutes": 2000, "subject": "Я" * 201})
    errors = response.json()["errors"]
    assert errors["duration_minutes"] == ["A touch cannot take more than 24 hours."]
    assert not Touch.objects.exists()


def test_field_errors_in_russian(call, org, accounts):
    speak(org.am_a, "ru")
    response = call(org.am_a).post(f"/accounts/{accounts['a'].pk}/touches", json={"duration_minutes": 0})
    assert response.status_code == 422
    assert response.headers["Content-Language"] == "ru"
    assert response.json()["errors"] == {
        "duration_minutes": ["Сколько времени оно заняло? Не меньше минуты."]
    }
    response = call(org.am_a).post(f"/accounts/{accounts['a'].pk}/touches", json={})
    assert response.json()["errors"] == {"duration_minutes": ["Обязательное поле."]}


def test_a_contact_of_another_account_is_refused_like_a_missing_one(call, org, accounts):
    foreign = _contact(accounts["b"])
    api = call(org.am_a)
    url = f"/accounts/{accounts['a'].pk}/touches"
    hidden = api.post(url, json={"duration_minutes": 5, "contacts": [foreign.pk]})
    missing = api.post(url, json={"duration_minutes": 5, "contacts": [999999]})
    assert hidden.status_code == missing.status_code == 422
    assert hidden.json()["errors"] == missing.json()["errors"]
    assert list(hidden.json()["errors"]) == ["contacts"]


@pytest.mark.clock
def test_plan_a_touch(call, org, accounts):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    api = call(org.am_a)
    url = f"/accounts/{accounts['a'].pk}/touches/planned"
    response = api.post(url, json={"kind": "meeting", "planned_for": tomorrow.isoformat(), "subject": "КП"})
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["status"], body["kind"], body["planned_for"]) == ("planned", "meeting", tomorrow.isoformat())
    assert body["happened_at"] is None and body["duration_minutes"] is None
    speak(org.am_a, "en")
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    response = api.post(url, json={"planned_for": yesterday})
    assert response.status_code == 422
    assert response.json()["errors"] == {"planned_for": ["A touch cannot be planned in the past."]}


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("am_a", 201), ("lead_a", 201), ("head", 201), ("am_b", 404), ("outsider", 404), ("auditor", 403)],
)
def test_who_may_log_on_an_account(call, org, accounts, persona, expected):
    response = call(getattr(org, persona)).post(
        f"/accounts/{accounts['a'].pk}/touches", json={"duration_minutes": 0}
    )
    # Refused before the payload is looked at: a reader learns nothing from validation messages.
    assert response.status_code == (422 if expected == 201 else expected), response.text
    if expected == 403:
        assert response.json()["errors"] == {}


@pytest.mark.parametrize(("persona", "expected"), [("am_a", 200), ("auditor", 200), ("am_b", 404)])
def test_who_may_read_a_touch(call, org, accounts, persona, expected):
    touch = touch_log(by=org.am_a, account=accounts["a"], duration_minutes=5)
    response = call(getattr(org, persona)).get(f"/touches/{touch.pk}")
    assert response.status_code == expected
    assert call(org.am_a).get("/touches/999999").status_code == 404


@pytest.mark.clock
def test_list_filters_and_visibility(call, org, accounts):
    today = timezone.localdate()
    old = touch_log(
        by=org.am_a,
        account=accounts["a"],
        kind="email",
        duration_minutes=5,
        happened_at=timezone.now() - dt.timedelta(days=10),
    )
    recent = touch_log(by=org.am_a, account=accounts["a"], kind="call", duration_minutes=5)
    planned = touch_plan(by=org.am_a, account=accounts["a"], planned_for=today + dt.timedelta(days=5))
    touch_log(by=org.am_b, account=accounts["b"], duration_minutes=5)

    def ids(user, **params):
        response = call(user).get("/touches", params=params)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert ids(org.am_a) == [planned.pk, recent.pk, old.pk]  # the latest day first
    assert len(ids(org.head)) == 4
    assert ids(org.am_a, status="done") == [recent.pk, old.pk]
    assert ids(org.am_a, kind=["email", "meeting"]) == [old.pk]
    assert ids(org.am_a, date_from=(today - dt.timedelta(days=1)).isoformat()) == [planned.pk, recent.pk]
    assert ids(org.am_a, date_to=(today - dt.timedelta(days=1)).isoformat()) == [old.pk]
    assert ids(org.head, account=accounts["b"].pk, owner=org.am_b.pk) != []
    assert ids(org.am_a, account=accounts["b"].pk) == []  # a hidden account's touches are not there
    assert ids(org.outsider) == []
    response = call(org.am_a).get("/touches", params={"status": "lost", "limit": 0})
    assert response.status_code == 422 and set(response.json()["errors"]) == {"status", "limit"}


@pytest.mark.clock
def test_complete_and_cancel_a_planned_touch(call, org, accounts):
    account = accounts["a"]
    touch = touch_plan(by=org.am_a, account=account, planned_for=timezone.localdate())
    api = call(org.am_a)
    stale = api.post(
        f"/touches/{touch.pk}/complete", json={"version": touch.version + 1, "duration_minutes": 5}
    )
    assert stale.status_code == 409
    assert stale.json()["current"]["status"] == "planned"
    done = api.post(
        f"/touches/{touch.pk}/complete",
        json={"version": touch.version, "duration_minutes": 20, "outcome": "Ок"},
    )
    assert done.status_code == 200, done.text
    assert (done.json()["id"], done.json()["status"], done.json()["duration_minutes"]) == (
        touch.pk,
        "done",
        20,
    )
    again = api.post(f"/touches/{touch.pk}/complete", json={"version": touch.version, "duration_minutes": 20})
    assert again.status_code == 409

    other = touch_plan(by=org.am_a, account=account, planned_for=timezone.localdate() + dt.timedelta(days=2))
    assert call(org.auditor).post(f"/touches/{other.pk}/cancel").status_code == 403
    assert call(org.am_b).post(f"/touches/{other.pk}/cancel").status_code == 404
    cancelled = api.post(f"/touches/{other.pk}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert api.post(f"/touches/{other.pk}/cancel").status_code == 422


@pytest.mark.parametrize("persona", ["am_a", "head"])
def test_list_query_count_does_not_grow_with_the_page(org, accounts, persona, django_assert_max_num_queries):
    account = accounts["a"]
    contacts = [_contact(account, f"Контакт {n}") for n in range(3)]
    for n in range(30):
        touch_log(
            by=org.am_a,
            account=account,
            duration_minutes=5,
            happened_at=timezone.now() - dt.timedelta(hours=n + 1),
            contacts=contacts[: n % 3 + 1],
        )
    _, raw = ApiToken.issue(user=getattr(org, persona), name="tests")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    client.get("/api/touches")  # the first use of a token records last_used_at
    for limit in (3, 30):
        with django_assert_max_num_queries(MAX_LIST_QUERIES):
            response = client.get("/api/touches", {"limit": limit})
        assert response.status_code == 200
        assert len(response.json()["items"]) == limit


def test_logging_with_a_next_day_beside_a_planned_touch_plans_it_and_names_the_other(call, org, accounts):
    account = accounts["a"]
    later = timezone.localdate() + dt.timedelta(days=10)
    kept = touch_plan(by=org.am_a, account=account, planned_for=later, subject="Подписать договор")
    next_on = timezone.localdate() + dt.timedelta(days=3)
    response = call(org.am_a).post(
        f"/accounts/{account.pk}/touches",
        json={"duration_minutes": 5, "next_on": next_on.isoformat(), "next_step": "КП"},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["next_touch"]["planned_for"] == next_on.isoformat() and body["next_touch"]["subject"] == "КП"
    assert "Подписать договор" in body["next_touch_note"]
    assert set(Touch.objects.filter(status=TouchStatus.PLANNED).values_list("pk", flat=True)) == {
        kept.pk,
        body["next_touch"]["id"],
    }
