"""Client requests over real HTTP: registered by an integration, commented, moved along, assigned."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from orbit.accounts import services as account_services
from orbit.accounts import team
from orbit.accounts.models import TeamRole
from orbit.api.models import ApiToken
from orbit.requests.defaults import ensure_defaults
from orbit.requests.models import Department, Request, RequestComment
from orbit.requests.services import request_comment, request_create
from tests.api.conftest import speak
from tests.factories import make_account, make_user

MAX_LIST_QUERIES = 6  # token and user, access context, calendars of the SLA rules, count, page (measured)


@pytest.fixture
def support(transactional_db):
    ensure_defaults()  # a flushed database has lost the departments and SLA rules of the data migration
    return Department.objects.get(code="support")


@pytest.fixture
def accounts(org):
    return {
        "a": make_account(org.head, org.am_a, legal_name="ООО «Альфа»"),
        "b": make_account(org.head, org.am_b, legal_name="ООО «Бета»"),
    }


def _register(by, account, support, **fields):
    fields = {"request_type": "question", "priority": "normal", "subject": "Акт сверки", **fields}
    return request_create(by=by, account=account, department=support, **fields)


def test_register_a_request_with_its_sla(call, org, accounts, support):
    account = accounts["a"]
    contact = account_services.contact_create(by=org.am_a, account=account, full_name="Иван Петров")
    response = call(org.am_a).post(
        f"/accounts/{account.pk}/requests",
        json={
            "request_type": "complaint",
            "priority": "high",
            "department": support.pk,
            "subject": " Сломан станок ",
            "description": "Не включается после ремонта",
            "contact": contact.pk,
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["request_type"], body["priority"], body["status"]) == ("complaint", "high", "new")
    assert body["subject"] == "Сломан станок" and body["contact"]["id"] == contact.pk
    assert body["manager"]["id"] == org.am_a.pk and body["assignee"] is None
    assert body["department"]["code"] == "support"
    received = dt.datetime.fromisoformat(body["received_at"])
    first, resolution = (dt.datetime.fromisoformat(body[k]) for k in ("first_response_due", "resolution_due"))
    assert received < first < resolution
    assert body["sla_state"] == "ok" and dt.datetime.fromisoformat(body["running_due"]) == first
    assert (
        body["allowed_statuses"] == ["in_progress"] and body["comments"] == [] and body["attachments"] == []
    )
    assert Request.objects.get(pk=body["id"]).created_by == org.am_a


def test_field_errors(call, org, accounts, support):
    speak(org.am_a, "en")
    api = call(org.am_a)
    url = f"/accounts/{accounts['a'].pk}/requests"
    response = api.post(url, json={"request_type": "wish", "priority": "urgent"})
    assert response.status_code == 422
    choice = "Select a valid choice. That choice is not one of the available choices."
    assert response.json()["errors"] == {
        "request_type": [choice],
        "priority": [choice],
        "department": ["This field is required."],
        "subject": ["This field is required."],
    }
    foreign = account_services.contact_create(by=org.am_b, account=accounts["b"], full_name="Чужой")
    response = api.post(
        url,
        json={"request_type": "question", "department": 999999, "subject": "x", "contact": foreign.pk},
    )
    assert response.json()["errors"] == {"department": [choice], "contact": [choice]}
    future = (timezone.now() + dt.timedelta(days=1)).isoformat()
    response = api.post(
        url,
        json={"request_type": "question", "department": support.pk, "subject": "  ", "received_at": future},
    )
    assert response.json()["errors"] == {
        "subject": ["Say in a few words what the client asks."],
        "received_at": ["A request cannot be received in the future."],
    }
    speak(org.am_a, "ru")
    response = api.post(url, json={"request_type": "question", "department": support.pk, "subject": " "})
    assert response.json()["errors"] == {"subject": ["Кратко опишите, о чём просит клиент."]}
    assert not Request.objects.exists()


def test_an_executor_who_cannot_see_the_account_is_refused(call, org, accounts, support):
    item = _register(org.am_a, accounts["a"], support)
    speak(org.am_a, "en")
    api = call(org.am_a)
    response = api.post(
        f"/requests/{item.pk}/assign", json={"assignee": org.am_b.pk, "version": item.version}
    )
    assert response.status_code == 422
    [message] = response.json()["errors"]["assignee"]
    assert "cannot see this account" in message
    engineer = make_user("engineer")
    team.team_member_add(by=org.head, account=accounts["a"], user=engineer, role=TeamRole.SUPPORT_ENGINEER)
    response = api.post(
        f"/requests/{item.pk}/assign", json={"assignee": engineer.pk, "version": item.version}
    )
    assert response.status_code == 200, response.text
    assert response.json()["assignee"]["id"] == engineer.pk and response.json()["version"] == item.version + 1
    stale = api.post(f"/requests/{item.pk}/assign", json={"assignee": None, "version": item.version})
    assert stale.status_code == 409
    missing = api.post(f"/requests/{item.pk}/assign", json={"assignee": 999999, "version": item.version + 1})
    assert list(missing.json()["errors"]) == ["assignee"]


def test_comments_and_the_first_response(call, org, accounts, support):
    item = _register(org.am_a, accounts["a"], support)
    response = call(org.am_a).post(f"/requests/{item.pk}/comments", json={"text": " Уточнил у клиента "})
    assert response.status_code == 201, response.text
    assert response.json()["text"] == "Уточнил у клиента" and response.json()["author"]["id"] == org.am_a.pk
    response = call(org.lead_a).post(f"/requests/{item.pk}/comments", json={"text": "Беру на контроль"})
    assert response.status_code == 201
    detail = call(org.auditor).get(f"/requests/{item.pk}").json()
    assert [c["text"] for c in detail["comments"]] == ["Уточнил у клиента", "Беру на контроль"]
    assert detail["first_responded_at"] is not None  # someone other than who registered it answered
    speak(org.am_a, "en")
    empty = call(org.am_a).post(f"/requests/{item.pk}/comments", json={"text": "  "})
    assert empty.status_code == 422 and empty.json()["errors"] == {"text": ["Write the comment first."]}
    timed = call(org.am_a).post(f"/requests/{item.pk}/comments", json={"text": "Звонок", "minutes_spent": 25})
    assert timed.status_code == 201 and timed.json()["minutes_spent"] == 25
    too_long = call(org.am_a).post(f"/requests/{item.pk}/comments", json={"text": "x", "minutes_spent": 1441})
    assert too_long.status_code == 422 and "minutes_spent" in too_long.json()["errors"]


def test_status_moves_and_a_stale_version_conflicts(call, org, accounts, support):
    item = _register(org.am_a, accounts["a"], support)
    speak(org.am_a, "en")
    api = call(org.am_a)
    url = f"/requests/{item.pk}/status"
    response = api.post(url, json={"status": "in_progress", "version": item.version})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "in_progress" and body["version"] == item.version + 1
    assert body["allowed_statuses"] == ["waiting_client", "resolved"]

    conflict = api.post(url, json={"status": "resolved", "version": item.version})
    assert conflict.status_code == 409
    assert "Someone else changed this request" in conflict.json()["detail"]
    assert conflict.json()["current"]["status"] == "in_progress"
    assert conflict.json()["current"]["version"] == item.version + 1
    assert Request.objects.get(pk=item.pk).status == "in_progress"

    wrong = api.post(url, json={"status": "closed", "version": item.version + 1})
    assert wrong.status_code == 422 and list(wrong.json()["errors"]) == ["status"]
    assert api.post(url, json={"status": "resolved"}).json()["errors"] == {
        "version": ["This field is required."]
    }

    resolved = api.post(url, json={"status": "resolved", "version": item.version + 1}).json()
    assert resolved["sla_state"] in ("met", "late") and resolved["resolved_at"]
    reopen = api.post(url, json={"status": "in_progress", "version": resolved["version"]})
    assert reopen.json()["errors"] == {"comment": ["Say why the request is reopened."]}
    reopen = api.post(
        url, json={"status": "in_progress", "version": resolved["version"], "comment": "Не помогло"}
    )
    assert reopen.status_code == 200 and reopen.json()["comments"][-1]["text"] == "Не помогло"


def test_conflict_message_in_russian(call, org, accounts, support):
    item = _register(org.am_a, accounts["a"], support)
    speak(org.am_a, "ru")
    api = call(org.am_a)
    api.post(f"/requests/{item.pk}/status", json={"status": "in_progress", "version": item.version})
    conflict = api.post(f"/requests/{item.pk}/status", json={"status": "resolved", "version": item.version})
    assert conflict.status_code == 409
    assert conflict.json()["detail"].startswith("Пока вы смотрели обращение, его изменил кто-то другой")


@pytest.mark.parametrize(
    ("persona", "read", "write"),
    [
        ("am_a", 200, 201),
        ("lead_a", 200, 201),
        ("head", 200, 201),
        ("auditor", 200, 403),
        ("am_b", 404, 404),
        ("outsider", 404, 404),
    ],
)
def test_who_may_read_and_work_a_request(call, org, accounts, support, persona, read, write):
    item = _register(org.am_a, accounts["a"], support)
    api = call(getattr(org, persona))
    assert api.get(f"/requests/{item.pk}").status_code == read
    # Refused before the payload is looked at: an empty comment is a 422 only for those who may comment.
    response = api.post(f"/requests/{item.pk}/comments", json={"text": ""})
    assert response.status_code == (422 if write == 201 else write)
    response = api.post(f"/requests/{item.pk}/comments", json={"text": "Да"})
    assert response.status_code == write
    created = api.post(
        f"/accounts/{accounts['a'].pk}/requests",
        json={"request_type": "question", "department": support.pk, "subject": "Ещё"},
    )
    assert created.status_code == write
    assert api.get("/requests/999999").status_code == 404


def test_list_filters_sla_and_visibility(call, org, accounts, support):
    old = _register(org.am_a, accounts["a"], support, received_at=timezone.now() - dt.timedelta(days=30))
    urgent = _register(org.am_a, accounts["a"], support, priority="critical", request_type="complaint")
    other = _register(org.am_b, accounts["b"], support)
    request_comment(by=org.lead_a, request=urgent, text="Смотрю")

    def items(user, **params):
        response = call(user).get("/requests", params=params)
        assert response.status_code == 200, response.text
        return response.json()["items"]

    def ids(user, **params):
        return [item["id"] for item in items(user, **params)]

    assert ids(org.am_a) == [urgent.pk, old.pk]  # the latest received first
    assert set(ids(org.head)) == {urgent.pk, old.pk, other.pk}
    assert ids(org.am_a, type="complaint") == [urgent.pk]
    assert ids(org.am_a, priority=["low", "critical"]) == [urgent.pk]
    assert ids(org.am_a, sort="received") == [old.pk, urgent.pk]
    assert ids(org.am_a, sort="-priority") == [urgent.pk, old.pk]
    assert ids(org.head, account=accounts["b"].pk) == [other.pk]
    assert ids(org.am_a, account=accounts["b"].pk) == []
    assert ids(org.head, mine=True) == []
    assert ids(org.am_a, sla="overdue") == [old.pk]
    assert ids(org.am_a, department=support.pk, status="new") == [urgent.pk, old.pk]
    states = {item["id"]: item["sla_state"] for item in items(org.am_a)}
    assert states == {old.pk: "overdue", urgent.pk: "ok"}
    assert ids(org.outsider) == []
    response = call(org.am_a).get("/requests", params={"sla": "late", "sort": "colour"})
    assert response.status_code == 422 and set(response.json()["errors"]) == {"sla", "sort"}


@pytest.mark.parametrize("persona", ["am_a", "head"])
def test_list_query_count_does_not_grow_with_the_page(org, accounts, persona, django_assert_max_num_queries):
    ensure_defaults()
    support = Department.objects.get(code="support")
    for n in range(30):
        item = _register(org.am_a, accounts["a"], support, subject=f"Вопрос {n}")
        if n % 2:
            RequestComment.objects.create(request=item, author=org.lead_a, text="Смотрю")
    _, raw = ApiToken.issue(user=getattr(org, persona), name="tests")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    client.get("/api/requests")  # the first use of a token records last_used_at
    for limit in (3, 30):
        with django_assert_max_num_queries(MAX_LIST_QUERIES):
            response = client.get("/api/requests", {"limit": limit, "sla": "near"})
        assert response.status_code == 200
        with django_assert_max_num_queries(MAX_LIST_QUERIES):
            response = client.get("/api/requests", {"limit": limit})
        assert len(response.json()["items"]) == limit


def test_resolving_a_complaint_without_how_is_refused_with_422(call, org, accounts, support):
    item = _register(org.am_a, accounts["a"], support, request_type="complaint", priority="high")
    speak(org.am_a, "en")
    api = call(org.am_a)
    url = f"/requests/{item.pk}/status"
    moved = api.post(url, json={"status": "in_progress", "version": item.version}).json()
    refused = api.post(url, json={"status": "resolved", "version": moved["version"], "comment": " "})
    assert refused.status_code == 422
    assert refused.json()["errors"] == {
        "comment": ["Describe how the complaint was resolved: the client and the reports need it."]
    }
    assert Request.objects.get(pk=item.pk).status == "in_progress"
    done = api.post(url, json={"status": "resolved", "version": moved["version"], "comment": "Довезли."})
    assert done.status_code == 200 and done.json()["status"] == "resolved"
    # The registrar resolved it himself: no answer from anyone else, so no first response.
    assert done.json()["first_responded_at"] is None
