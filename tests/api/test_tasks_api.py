"""Tasks over real HTTP: a 1C exchange or a script gives someone a task, lists them, marks them done."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from orbit.accounts import services as account_services
from orbit.activities.models import Task, TaskStatus
from orbit.activities.services import task_create
from orbit.api.models import ApiToken
from orbit.requests.defaults import ensure_defaults
from orbit.requests.models import Department
from orbit.requests.services import request_create
from tests.api.conftest import speak
from tests.factories import make_account

MAX_LIST_QUERIES = 4  # token and user, access context, count, page (measured)


@pytest.fixture
def accounts(org):
    return {
        "a": make_account(org.head, org.am_a, legal_name="ООО «Альфа»"),
        "b": make_account(org.head, org.am_b, legal_name="ООО «Бета»"),
    }


def _day(days: int = 0) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


@pytest.mark.clock
def test_a_lead_gives_a_task_on_an_account(call, org, accounts):
    account = accounts["a"]
    contact = account_services.contact_create(by=org.am_a, account=account, full_name="Иван Петров")
    remind = (timezone.now() + dt.timedelta(days=1)).replace(microsecond=0)
    response = call(org.lead_a).post(
        "/tasks",
        json={
            "title": " Отправить КП ",
            "description": "С новыми ценами",
            "due_on": _day(2),
            "assignee": org.am_a.pk,
            "account": account.pk,
            "contact": contact.pk,
            "remind_at": remind.isoformat(),
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["title"] == "Отправить КП" and body["status"] == "open"
    assert (body["assignee"]["id"], body["account"]["id"], body["contact"]["id"]) == (
        org.am_a.pk,
        account.pk,
        contact.pk,
    )
    assert body["created_by"]["id"] == org.lead_a.pk and body["due_on"] == _day(2)
    assert dt.datetime.fromisoformat(body["remind_at"]) == remind
    assert Task.objects.get(pk=body["id"]).created_by == org.lead_a


def test_a_task_of_ones_own_goes_to_oneself(call, org):
    response = call(org.am_b).post("/tasks", json={"title": "Отчёт", "due_on": _day()})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["assignee"]["id"] == org.am_b.pk and body["account"] is None


def test_a_task_on_a_request_goes_on_its_account(call, org, accounts):
    ensure_defaults()
    client_request = request_create(
        by=org.am_a,
        account=accounts["a"],
        request_type="question",
        priority="normal",
        department=Department.objects.get(code="support"),
        subject="Акт сверки",
    )
    response = call(org.am_a).post(
        "/tasks", json={"title": "Собрать акт", "due_on": _day(1), "request": client_request.pk}
    )
    assert response.status_code == 201, response.text
    assert response.json()["request_id"] == client_request.pk
    assert response.json()["account"]["id"] == accounts["a"].pk
    hidden = call(org.am_b).post(
        "/tasks", json={"title": "x", "due_on": _day(1), "request": client_request.pk}
    )
    assert hidden.status_code == 422 and list(hidden.json()["errors"]) == ["request"]


@pytest.mark.clock
def test_field_errors(call, org, accounts):
    speak(org.am_a, "en")
    api = call(org.am_a)
    response = api.post("/tasks", json={"due_on": "tomorrow"})
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "title": ["This field is required."],
        "due_on": ["Enter a valid date."],
    }
    past = (timezone.now() - dt.timedelta(hours=1)).isoformat()
    response = api.post("/tasks", json={"title": "x", "due_on": _day(), "remind_at": past})
    assert response.json()["errors"] == {"remind_at": ["A reminder cannot be in the past."]}
    response = api.post(
        "/tasks", json={"title": "x", "due_on": _day(), "account": accounts["a"].pk, "assignee": org.am_b.pk}
    )
    assert list(response.json()["errors"]) == ["assignee"]  # am_b may not work am_a's account
    response = api.post("/tasks", json={"title": "Я" * 201, "due_on": _day()})
    assert response.json()["errors"]["title"] == [
        "Ensure this value has at most 200 characters (it has 201)."
    ]
    speak(org.am_a, "ru")
    response = api.post("/tasks", json={"title": "x", "due_on": _day(), "remind_at": past})
    assert response.json()["errors"] == {"remind_at": ["Напоминание не может быть в прошлом."]}
    assert not Task.objects.exists()


def test_an_invisible_account_is_refused_like_a_missing_one(call, org, accounts):
    api = call(org.am_a)
    hidden = api.post("/tasks", json={"title": "x", "due_on": _day(), "account": accounts["b"].pk})
    missing = api.post("/tasks", json={"title": "x", "due_on": _day(), "account": 999999})
    assert hidden.status_code == missing.status_code == 422
    assert hidden.json()["errors"] == missing.json()["errors"]
    assert list(hidden.json()["errors"]) == ["account"]


def test_the_auditor_reads_but_does_not_write(call, org, accounts):
    task = task_create(by=org.am_a, title="Позвонить", assignee=org.am_a, due_on=timezone.localdate())
    task_on_account = task_create(
        by=org.am_a, title="Встреча", assignee=org.am_a, due_on=timezone.localdate(), account=accounts["a"]
    )
    auditor = call(org.auditor)
    assert auditor.get(f"/tasks/{task_on_account.pk}").status_code == 200
    assert auditor.get(f"/tasks/{task.pk}").status_code == 404  # no account: only its people see it
    assert auditor.post("/tasks", json={"title": "x", "due_on": _day()}).status_code == 403
    assert auditor.post(f"/tasks/{task_on_account.pk}/complete").status_code == 403


@pytest.mark.parametrize(
    ("persona", "read", "complete"),
    [
        ("am_a", 200, 200),
        ("lead_a", 200, 200),
        ("head", 200, 200),
        ("am_b", 404, 404),
        ("outsider", 404, 404),
    ],
)
def test_who_may_read_and_complete_a_task(call, org, accounts, persona, read, complete):
    task = task_create(
        by=org.am_a, title="Позвонить", assignee=org.am_a, due_on=timezone.localdate(), account=accounts["a"]
    )
    api = call(getattr(org, persona))
    assert api.get(f"/tasks/{task.pk}").status_code == read
    response = api.post(f"/tasks/{task.pk}/complete")
    assert response.status_code == complete, response.text
    if complete == 200:
        assert response.json()["status"] == "done" and response.json()["completed_at"]
        speak(getattr(org, persona), "en")
        again = api.post(f"/tasks/{task.pk}/complete")
        assert again.status_code == 422
        assert again.json()["errors"] == {"__all__": ["This task is already closed."]}


@pytest.mark.clock
def test_list_filters_and_visibility(call, org, accounts):
    today = timezone.localdate()
    mine = task_create(by=org.lead_a, title="1", assignee=org.am_a, due_on=today, account=accounts["a"])
    later = task_create(by=org.am_a, title="2", assignee=org.am_a, due_on=today + dt.timedelta(days=5))
    leads = task_create(by=org.lead_a, title="3", assignee=org.lead_a, due_on=today, account=accounts["a"])
    done = task_create(by=org.am_a, title="4", assignee=org.am_a, due_on=today - dt.timedelta(days=1))
    done.status = TaskStatus.DONE
    done.save(update_fields=["status"])
    other = task_create(by=org.am_b, title="5", assignee=org.am_b, due_on=today, account=accounts["b"])

    def ids(user, **params):
        response = call(user).get("/tasks", params=params)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert ids(org.am_a) == [done.pk, mine.pk, leads.pk, later.pk]  # the earliest due first
    assert ids(org.am_a, mine=True) == [done.pk, mine.pk, later.pk]
    assert ids(org.am_a, status="open", due_to=today.isoformat()) == [mine.pk, leads.pk]
    assert ids(org.am_a, due_from=(today + dt.timedelta(days=1)).isoformat()) == [later.pk]
    assert ids(org.am_a, account=accounts["a"].pk, assignee=org.lead_a.pk) == [leads.pk]
    assert ids(org.am_a, account=accounts["b"].pk) == []
    assert other.pk in ids(org.head) and later.pk not in ids(org.head)  # a task without an account is private
    assert ids(org.outsider) == []
    response = call(org.am_a).get("/tasks", params={"status": "lost", "due_from": "soon"})
    assert response.status_code == 422 and set(response.json()["errors"]) == {"status", "due_from"}


@pytest.mark.parametrize("persona", ["am_a", "head"])
def test_list_query_count_does_not_grow_with_the_page(org, accounts, persona, django_assert_max_num_queries):
    for n in range(30):
        task_create(
            by=org.am_a,
            title=f"Задача {n}",
            assignee=org.am_a,
            due_on=timezone.localdate() + dt.timedelta(days=n),
            account=accounts["a"],
        )
    _, raw = ApiToken.issue(user=getattr(org, persona), name="tests")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    client.get("/api/tasks")  # the first use of a token records last_used_at
    for limit in (3, 30):
        with django_assert_max_num_queries(MAX_LIST_QUERIES):
            response = client.get("/api/tasks", {"limit": limit})
        assert response.status_code == 200
        assert len(response.json()["items"]) == limit
