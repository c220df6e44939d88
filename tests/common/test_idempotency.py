"""A double click or a retried API call writes once: the same idempotency key returns the first result."""

import datetime as dt
import threading
import time

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from orbit.accounts.models import Account, Contact
from orbit.activities.models import CadencePolicy, Task, Touch
from orbit.activities.services import touch_plan
from orbit.api.models import ApiToken
from orbit.common import idempotency
from orbit.common.models import IdempotencyKey
from orbit.requests.models import Department, Request, RequestComment
from orbit.requests.services import request_create
from tests.factories import make_account, unique_inn


@pytest.fixture(autouse=True)
def _no_cadence(db):
    CadencePolicy.objects.all().delete()


def _browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _twice(client, url, data, key="k-1") -> list:
    return [client.post(url, {**data, "idempotency_key": key}) for _ in range(2)]


def test_the_form_renders_a_fresh_key_each_time(org):
    account = make_account(org.head, org.am_a)
    client = _browser(org.am_a)
    url = reverse("activities:touch_log", args=[account.pk])
    first, second = (client.get(url).content.decode() for _ in range(2))
    assert 'name="idempotency_key"' in first
    key = first.split('name="idempotency_key" value="')[1][:32]
    assert key not in second


def test_a_double_click_logs_one_touch(org):
    account = make_account(org.head, org.am_a)
    client = _browser(org.am_a)
    url = reverse("activities:touch_log", args=[account.pk])
    responses = _twice(client, url, {"kind": "call", "duration_minutes": 10, "outcome": "ok"})
    assert [r.status_code for r in responses] == [302, 302]
    assert responses[0]["Location"] == responses[1]["Location"]
    assert Touch.objects.filter(account=account, status="done").count() == 1


def test_a_double_click_plans_one_touch(org):
    account = make_account(org.head, org.am_a)
    day = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    _twice(
        _browser(org.am_a),
        reverse("activities:touch_plan", args=[account.pk]),
        {"kind": "call", "planned_for": day},
    )
    assert Touch.objects.filter(account=account, status="planned").count() == 1


def test_a_double_click_adds_one_contact_and_one_account(org):
    account = make_account(org.head, org.am_a)
    client = _browser(org.am_a)
    _twice(client, reverse("accounts:contact_create", args=[account.pk]), {"full_name": "Иван Петров"})
    assert Contact.objects.filter(account=account).count() == 1
    before = Account.objects.count()
    responses = _twice(
        client,
        reverse("accounts:create"),
        {
            "legal_name": "ООО «Новая»",
            "inn": unique_inn(12),
            "status": "prospect",
            "budget_currency": "RUB",
            "tier": "C",
        },
        key="k-2",
    )
    assert responses[0].status_code == 302, responses[0].context["form"].errors
    assert Account.objects.count() == before + 1
    assert responses[0]["Location"] == responses[1]["Location"]


def test_a_double_click_creates_one_task(org):
    account = make_account(org.head, org.am_a)
    url = reverse("activities:task_create") + f"?account={account.pk}"
    data = {"title": "Позвонить", "assignee": org.am_a.pk, "due_on": timezone.localdate().isoformat()}
    responses = _twice(_browser(org.am_a), url, data)
    assert responses[0].status_code == 302, responses[0].content.decode()[:2000]
    assert Task.objects.filter(account=account).count() == 1


def _request(org, account):
    department = Department.objects.create(code="it", name_ru="ИТ", name_en="IT")
    return request_create(
        by=org.am_a,
        account=account,
        request_type="question",
        priority="normal",
        department=department,
        subject="Вопрос",
        description="",
        contact=None,
        assignee=None,
        received_at=None,
    )


def test_a_double_click_adds_one_comment(org):
    account = make_account(org.head, org.am_a)
    item = _request(org, account)
    responses = _twice(_browser(org.am_a), reverse("requests:comment", args=[item.pk]), {"text": "Смотрим"})
    assert [r.status_code for r in responses] == [302, 302]
    assert RequestComment.objects.filter(request=item).count() == 1


class _Api:
    """The API over Django's test client with a token of the user."""

    def __init__(self, user):
        _, token = ApiToken.issue(user=user, name="tests")
        self.client, self.auth = Client(), f"Bearer {token}"

    def post(self, url, *, json, headers):
        return self.client.post(
            "/api" + url,
            json,
            content_type="application/json",
            headers={"Authorization": self.auth, **headers},
        )


def test_the_api_replays_the_first_result(org):
    account = make_account(org.head, org.am_a)
    client = _Api(org.am_a)
    body = {"kind": "call", "duration_minutes": 5}
    url = f"/accounts/{account.pk}/touches"
    first = client.post(url, json=body, headers={"Idempotency-Key": "abc"})
    second = client.post(url, json=body, headers={"Idempotency-Key": "abc"})
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert Touch.objects.filter(account=account).count() == 1
    other = client.post(url, json=body, headers={"Idempotency-Key": "def"})
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]
    contact = {"full_name": "Анна"}
    ids = {
        client.post(
            f"/accounts/{account.pk}/contacts", json=contact, headers={"Idempotency-Key": "c"}
        ).json()["id"]
        for _ in range(2)
    }
    assert len(ids) == 1


def test_a_key_used_for_another_write_is_refused(org):
    account = make_account(org.head, org.am_a)
    client = _Api(org.am_a)
    headers = {"Idempotency-Key": "same"}
    assert (
        client.post(
            f"/accounts/{account.pk}/touches", json={"duration_minutes": 5}, headers=headers
        ).status_code
        == 201
    )
    day = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    refused = client.post(
        f"/accounts/{account.pk}/touches/planned", json={"planned_for": day}, headers=headers
    )
    assert refused.status_code == 422 and "idempotency_key" in refused.json()["errors"]
    assert Touch.objects.filter(account=account, status="planned").count() == 0


def test_a_failed_write_leaves_the_key_free(org):
    account = make_account(org.head, org.am_a)
    client = _browser(org.am_a)
    url = reverse("activities:touch_plan", args=[account.pk])
    past = (timezone.localdate() - dt.timedelta(days=3)).isoformat()
    refused = client.post(url, {"kind": "call", "planned_for": past, "idempotency_key": "k"})
    assert refused.status_code == 400
    assert not IdempotencyKey.objects.exists()
    day = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    assert client.post(url, {"kind": "call", "planned_for": day, "idempotency_key": "k"}).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_posts_write_once(postgres_only):
    from tests.factories import Org

    org = Org()
    account = make_account(org.head, org.am_a)
    day = timezone.localdate() + dt.timedelta(days=4)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def slow_plan():
        touch = touch_plan(by=org.am_a, account=account, planned_for=day)
        time.sleep(0.3)  # the other thread's insert of the key waits on this one's transaction
        return touch

    def post():
        try:
            barrier.wait()
            touch, _created = idempotency.once(
                user=org.am_a, key="double", scope="touch_plan", model=Touch, write=slow_plan
            )
            results.append(touch.pk)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(results) == 2 and results[0] == results[1]
    assert Touch.objects.filter(account=account, status="planned").count() == 1


def test_requests_register_once(org):
    account = make_account(org.head, org.am_a)
    department = Department.objects.create(code="sales", name_ru="Продажи", name_en="Sales")
    data = {
        "account": account.pk,
        "request_type": "question",
        "priority": "normal",
        "department": department.pk,
        "subject": "Вопрос",
        "description": "",
    }
    responses = _twice(_browser(org.am_a), reverse("requests:create"), data)
    assert responses[0].status_code == 302, responses[0].content.decode()[:3000]
    assert Request.objects.filter(account=account).count() == 1
