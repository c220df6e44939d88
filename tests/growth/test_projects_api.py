"""The projects API: list and detail (visibility, query counts), start (201; a project without a project manager
is a 422 at its field in the caller's language; an unseen account 404), stage start and finish (409 on a stale
version, with the project as it is), planned work (422 at the fields)."""

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from orbit.api.models import ApiToken
from orbit.growth.models import PlannedWork, Project
from tests.factories import make_account
from tests.growth.projects_world import project_manager, start_project, won_opportunity


@pytest.fixture
def account(org, stages):
    return make_account(org.head, org.am_a)


def _api(user, language="en"):
    user.language = language
    user.save(update_fields=["language"])
    return Client(HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(user=user, name='t')[1]}")


def _post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_start_a_project_from_a_won_opportunity(org, account):
    won = won_opportunity(org.am_a, account)
    pm = project_manager()
    start = timezone.localdate()
    body = {
        "name": "Внедрение",
        "project_manager": pm.pk,
        "starts_on": start.isoformat(),
        "ends_on": (start + dt.timedelta(days=20)).isoformat(),
        "opportunity": won.pk,
        "stages": [{"name": "Обследование", "starts_on": start.isoformat(), "ends_on": start.isoformat()}],
    }
    client = _api(org.am_a)
    response = client.post(
        f"/api/accounts/{account.pk}/projects",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["opportunity"] == {"id": won.pk, "title": won.title}
    assert data["project_manager"]["id"] == pm.pk and data["account_manager"]["id"] == org.am_a.pk
    assert [s["name"] for s in data["stages"]] == ["Обследование"] and data["status"] == "planned"
    again = client.post(
        f"/api/accounts/{account.pk}/projects",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert again.status_code == 201 and again.json()["id"] == data["id"] and Project.objects.count() == 1
    second = _post(client, f"/api/accounts/{account.pk}/projects", body)  # no key: the service refuses
    assert second.status_code == 422
    assert second.json()["errors"]["opportunity"] == ["This opportunity has started a project already."]


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "A project needs a project manager: choose who runs it for the client."),
        ("ru", "У проекта должен быть руководитель проекта: выберите, кто ведёт его для клиента."),
    ],
)
def test_a_project_without_a_project_manager_is_422_at_its_field(org, account, language, message):
    start = timezone.localdate().isoformat()
    response = _post(
        _api(org.am_a, language),
        f"/api/accounts/{account.pk}/projects",
        {"name": "Проект", "project_manager": None, "starts_on": start, "ends_on": start},
    )
    assert response.status_code == 422
    assert response.json()["errors"]["project_manager"] == [message]
    assert not Project.objects.exists()


def test_bad_input_is_field_level_and_unseen_is_404(org, account):
    client = _api(org.am_a)
    start = timezone.localdate().isoformat()
    bad = _post(
        client,
        f"/api/accounts/{account.pk}/projects",
        {"name": "П", "project_manager": 999999, "starts_on": "2026-13-01", "ends_on": start},
    )
    assert bad.status_code == 422 and "starts_on" in bad.json()["errors"]
    unknown = _post(
        client,
        f"/api/accounts/{account.pk}/projects",
        {"name": "П", "project_manager": 999999, "starts_on": start, "ends_on": start},
    )
    assert unknown.status_code == 422 and "project_manager" in unknown.json()["errors"]
    not_json = client.post(f"/api/accounts/{account.pk}/projects", data="{", content_type="application/json")
    assert not_json.status_code == 400
    other = make_account(org.head, org.am_b)
    assert (
        _post(
            client,
            f"/api/accounts/{other.pk}/projects",
            {"name": "П", "project_manager": org.am_a.pk, "starts_on": start, "ends_on": start},
        ).status_code
        == 404
    )
    project = start_project(org.am_b, other, org.am_b)
    assert client.get(f"/api/projects/{project.pk}").status_code == 404
    assert _post(client, f"/api/project-stages/{project.stages.first().pk}/start", {}).status_code == 404
    assert (
        _post(_api(org.auditor), f"/api/project-stages/{project.stages.first().pk}/start", {}).status_code
        == 403
    )


def test_stages_start_and_finish_and_a_stale_version_is_409(org, account):
    pm = project_manager()
    project = start_project(org.am_a, account, pm, opportunity=won_opportunity(org.am_a, account))
    first = project.stages.get(position=1)
    client = _api(org.am_a)
    started = _post(client, f"/api/project-stages/{first.pk}/start", {"version": project.version})
    assert started.status_code == 200 and started.json()["status"] == "active"
    assert started.json()["stages"][0]["status"] == "active"
    stale = _post(client, f"/api/project-stages/{first.pk}/finish", {"version": project.version})
    assert stale.status_code == 409
    assert stale.json()["current"]["version"] == project.version + 1
    second = project.stages.get(position=2)
    out_of_order = _post(client, f"/api/project-stages/{second.pk}/start", {})
    assert out_of_order.status_code == 422
    assert out_of_order.json()["detail"] == "Stages go in order: finish «Обследование» first."


def test_plan_work_through_the_api(org, account):
    pm = project_manager()
    project = start_project(org.am_a, account, pm, opportunity=won_opportunity(org.am_a, account))
    client = _api(org.am_a)
    day = project.starts_on
    bad = _post(
        client,
        f"/api/projects/{project.pk}/work",
        {
            "title": "Визит",
            "starts_at": f"{day}T12:00:00",
            "ends_at": f"{day}T10:00:00",
            "assignee": org.am_b.pk,
        },
    )
    assert bad.status_code == 422 and set(bad.json()["errors"]) == {"ends_at", "assignee"}
    ok = _post(
        client,
        f"/api/projects/{project.pk}/work",
        {"title": "Визит", "starts_at": f"{day}T10:00:00", "ends_at": f"{day}T12:00:00", "assignee": pm.pk},
    )
    assert ok.status_code == 201 and ok.json()["works"][0]["assignee"]["id"] == pm.pk
    assert PlannedWork.objects.count() == 1


def test_the_list_reads_in_a_fixed_number_of_queries(org, stages, django_assert_max_num_queries):
    for i in range(5):
        account = make_account(org.head, org.am_a)
        start_project(org.am_a, account, project_manager(f"pm{i}"))
    start_project(org.am_b, make_account(org.head, org.am_b), org.am_b)
    client = _api(org.am_a)
    with django_assert_max_num_queries(8):
        response = client.get("/api/projects")
    assert response.json()["count"] == 5
    assert client.get("/api/projects", {"status": "done"}).json()["count"] == 0
