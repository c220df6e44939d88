"""The task list: mine, or my team's for a lead; filters on status, due day and account; done in one click
over htmx (the row back, or the reason with a 4xx)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from orbit.activities import services
from orbit.activities.models import Task, TaskStatus
from tests.factories import make_account

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def tasks(org):
    today = timezone.localdate()
    mine = make_account(org.head, org.am_a, legal_name="ООО «Моё»", short_name="Моё")
    other = make_account(org.head, org.am_a, legal_name="ООО «Другое»", short_name="Другое")
    theirs = make_account(org.head, org.am_b, legal_name="ООО «Чужое»", short_name="Чужое")

    def task(title, by, assignee, due, account=None):
        return services.task_create(by=by, title=title, assignee=assignee, due_on=due, account=account)

    return {
        "late": task("Просрочено", org.am_a, org.am_a, today - dt.timedelta(days=3), mine),
        "today": task("Сегодня", org.am_a, org.am_a, today, other),
        "later": task("Потом", org.am_a, org.am_a, today + dt.timedelta(days=30), mine),
        "private": task("Личное", org.am_a, org.am_a, today),
        "b": task("Задача Б", org.am_b, org.am_b, today, theirs),
        "lead": task("Лида", org.lead_a, org.lead_a, today),
    }


def _titles(response):
    return [t.title for t in response.context["page"].object_list]


def test_mine_by_default_open_and_by_due_day(client, org, tasks):
    client.force_login(org.am_a)
    url = reverse("activities:tasks")
    assert _titles(client.get(url)) == ["Просрочено", "Сегодня", "Личное", "Потом"]
    assert _titles(client.get(url, {"due": "overdue"})) == ["Просрочено"]
    assert _titles(client.get(url, {"due": "today"})) == ["Сегодня", "Личное"]
    week = _titles(client.get(url, {"due": "week"}))
    assert "Потом" not in week and "Сегодня" in week
    account = tasks["late"].account_id
    assert _titles(client.get(url, {"account": account})) == ["Просрочено", "Потом"]
    assert client.get(url, {"scope": "team"}).context["filters"].scope == "mine"  # not a lead
    services.task_complete(by=org.am_a, task=tasks["today"])
    assert _titles(client.get(url, {"status": "done"})) == ["Сегодня"]
    assert len(_titles(client.get(url, {"status": "all"}))) == 4


def test_team_scope_for_a_lead_and_the_head(client, org, tasks):
    url = reverse("activities:tasks")
    client.force_login(org.lead_a)
    team = _titles(client.get(url, {"scope": "team"}))
    # His own and his people's, never another team's or another person's private task.
    assert set(team) == {"Просрочено", "Сегодня", "Потом", "Лида"}
    assert _titles(client.get(url)) == ["Лида"]
    client.force_login(org.head)
    assert "Задача Б" in _titles(client.get(url, {"scope": "team"}))
    assert "Личное" not in _titles(client.get(url, {"scope": "team"}))


@pytest.mark.parametrize("persona", ["am_b", "outsider", "lead_b", "am_a1"])
def test_others_do_not_see_my_tasks(client, org, tasks, persona):
    client.force_login(getattr(org, persona))
    for scope in ("mine", "team"):
        titles = _titles(client.get(reverse("activities:tasks"), {"scope": scope}))
        assert not {"Просрочено", "Сегодня", "Потом", "Личное"} & set(titles)


def test_done_in_one_click(client, org, tasks):
    client.force_login(org.am_a)
    url = reverse("activities:task_complete", args=[tasks["today"].pk])
    response = client.post(url, **HTMX)
    assert response.status_code == 200
    assert f'id="task-{tasks["today"].pk}"' in response.content.decode()
    assert Task.objects.get(pk=tasks["today"].pk).status == TaskStatus.DONE
    again = client.post(url, **HTMX)
    assert again.status_code == 400 and again.context["reasons"]


def test_done_refused_with_the_reason(client, org, tasks):
    # The auditor reads every account's tasks (not private ones) but changes nothing: 403 and the reason.
    client.force_login(org.auditor)
    read = _titles(client.get(reverse("activities:tasks"), {"scope": "team"}))
    assert "Просрочено" in read and "Личное" not in read
    response = client.post(reverse("activities:task_complete", args=[tasks["late"].pk]), **HTMX)
    assert response.status_code == 403 and response.context["reasons"]
    client.force_login(org.am_b)
    assert (
        client.post(reverse("activities:task_complete", args=[tasks["late"].pk]), **HTMX).status_code == 404
    )
    assert Task.objects.get(pk=tasks["late"].pk).status == TaskStatus.OPEN


def test_a_fixed_number_of_queries(client, org, tasks, django_assert_max_num_queries):
    for n in range(20):
        account = make_account(org.head, org.am_a)
        services.task_create(
            by=org.am_a, title=f"Задача {n}", assignee=org.am_a, due_on=timezone.localdate(), account=account
        )
    client.force_login(org.am_a)
    client.get(reverse("activities:tasks"))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("activities:tasks"))
    assert len(response.context["page"].object_list) == 24
