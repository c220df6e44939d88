"""The account card's projects: running ones first with their current stage and next planned work, recent
finished ones after them, older ones left out; three queries whatever their number; the partial renders them."""

import datetime as dt

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from orbit.growth import projects as services
from orbit.growth.models import Project
from orbit.growth.selectors_projects import RECENT_DAYS, account_projects
from orbit.org.models import User
from tests.factories import make_account
from tests.growth.projects_world import project_manager, start_project, won_opportunity


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def card(org, stages):
    account = make_account(org.head, org.am_a)
    pm = project_manager()
    today = timezone.localdate()
    running = start_project(org.am_a, account, pm, opportunity=won_opportunity(org.am_a, account, "Идущий"))
    pm = User.objects.get(pk=pm.pk)
    services.project_stage_start(by=pm, stage=running.stages.get(position=1))
    for title, days in (("Позже", 5), ("Скоро", 2)):
        day = today + dt.timedelta(days=days)
        services.planned_work_add(
            by=pm, project=running, title=title, starts_at=_at(day, 10), ends_at=_at(day, 11)
        )
    planned = start_project(org.am_a, account, pm, start=today + dt.timedelta(days=3), name="Будущий")
    recent = start_project(org.am_a, account, pm, name="Недавний", stages=["Всё"])
    services.project_stage_start(by=pm, stage=recent.stages.get())
    services.project_stage_finish(by=pm, stage=recent.stages.get())
    old = start_project(org.am_a, account, pm, name="Давний", stages=["Всё"])
    services.project_cancel(by=org.am_a, project=old, reason="Отказ")
    Project.objects.filter(pk=old.pk).update(updated_at=timezone.now() - dt.timedelta(days=RECENT_DAYS + 1))
    return {"account": account, "running": running, "planned": planned, "recent": recent, "old": old}


def test_running_first_with_stage_and_next_work_then_recent(org, card):
    with CaptureQueriesContext(connection) as queries:
        rows = account_projects(org.am_a, card["account"])
    assert len(queries) == 3  # projects, their pending stages, their upcoming work
    # Running ones newest first (the planned one starts in 3 days), then the finished one; the old one is out.
    assert [r.project.name for r in rows] == ["Будущий", "Внедрение CRM", "Недавний"]
    future, running, recent = rows
    assert running.project.name == "Внедрение CRM" and running.stage.name == "Обследование"
    assert running.stage.status == "active" and running.next_work.title == "Скоро"
    assert (
        future.stage.name == "Обследование" and future.stage.status == "planned" and future.next_work is None
    )
    assert recent.project.status == "done" and recent.stage is None
    assert account_projects(org.am_b, card["account"]) == []  # he does not see the account


def test_the_partial_renders_the_projects_and_the_start_buttons(org, card, client):
    won = won_opportunity(org.am_a, card["account"], "Ещё одна")  # won, no project yet: offered to start one
    client.force_login(org.am_a)
    response = client.get(reverse("growth:account_panel", args=[card["account"].pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Скоро" in html and "Обследование" in html and "Давний" not in html
    assert f"{reverse('growth:project_start')}?opportunity={won.pk}" in html
    assert reverse("growth:project_start_account", args=[card["account"].pk]) in html
    assert reverse("growth:account_calendar", args=[card["account"].pk]) in html
    with translation.override("en"):  # the request switched to am_a's language
        html = render_to_string(
            "growth/projects/_card_projects.html",
            {"account": card["account"], "card_projects": [], "may_start": False, "won_without_project": []},
        )
    assert "No running or recent projects" in html and "project_start" not in html
