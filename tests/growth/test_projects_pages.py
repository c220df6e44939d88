"""The project pages: the list (scopes, filters, pagination, query counts), the project page with its stages and
buttons, the start form from a won opportunity (one project on a double submit; field errors in RU/EN with a
4xx), stage and planned-work forms, and the calendar of planned work (a month grid with a list, query counts)."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from orbit.growth import projects as services
from orbit.growth.models import PlannedWork, Project
from orbit.growth.selectors_projects import month_calendar, parse_month
from orbit.org.models import User
from tests.factories import make_account
from tests.growth.projects_world import project_manager, start_project, won_opportunity


@pytest.fixture
def account(org, stages):
    return make_account(org.head, org.am_a)


@pytest.fixture
def pm(db):
    return project_manager()


def _client(user, language="en"):
    user.language = language
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def test_the_start_form_from_a_won_opportunity_starts_one_project(org, account, pm):
    won = won_opportunity(org.am_a, account)
    client = _client(org.am_a)
    url = reverse("growth:project_start") + f"?opportunity={won.pk}"
    page = client.get(url)
    assert page.status_code == 200 and won.title in page.content.decode()
    start = timezone.localdate()
    data = {
        "opportunity": won.pk,
        "name": "Внедрение",
        "project_manager": pm.pk,
        "starts_on": start.isoformat(),
        "ends_on": (start + dt.timedelta(days=30)).isoformat(),
        "stage_1_name": "Обследование",
        "stage_1_starts_on": start.isoformat(),
        "stage_1_ends_on": (start + dt.timedelta(days=5)).isoformat(),
        "idempotency_key": "start-1",
    }
    first = client.post(url, data)
    second = client.post(url, data)  # a double click
    project = Project.objects.get()
    assert first.status_code == second.status_code == 302
    assert first.url == second.url == reverse("growth:project", args=[project.pk])
    assert (project.opportunity, project.project_manager, project.stages.count()) == (won, pm, 1)


def test_the_start_form_refuses_an_opportunity_not_won_or_started_already(org, account, pm):
    from orbit.growth.opportunities import opportunity_create

    open_one = opportunity_create(
        by=org.am_a,
        account=account,
        kind="upsell",
        title="Открытая",
        amount=1,
        expected_close_on=timezone.localdate() + dt.timedelta(days=5),
    )
    won = won_opportunity(org.am_a, account)
    start_project(org.am_a, account, pm, opportunity=won)
    client = _client(org.am_a)
    for opportunity, reason in [
        (open_one, "Only a won opportunity starts a project: win it first."),
        (won, "This opportunity has started a project already."),
    ]:
        response = client.get(reverse("growth:project_start"), {"opportunity": opportunity.pk})
        assert response.status_code == 400 and reason in response.content.decode()
    assert client.get(reverse("growth:project_start"), {"opportunity": "x"}).status_code == 404
    assert _client(org.am_b).get(reverse("growth:project_start"), {"opportunity": won.pk}).status_code == 404


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "A project needs a project manager: choose who runs it for the client."),
        ("ru", "У проекта должен быть руководитель проекта: выберите, кто ведёт его для клиента."),
    ],
)
def test_a_project_without_a_project_manager_is_a_field_error_in_the_form(org, account, language, message):
    won = won_opportunity(org.am_a, account)
    client = _client(org.am_a, language)
    start = timezone.localdate()
    response = client.post(
        reverse("growth:project_start_account", args=[account.pk]),
        {"name": "Проект", "starts_on": start.isoformat(), "ends_on": start.isoformat()},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["project_manager"] == [message]
    assert not Project.objects.exists() and won.pk


def test_the_project_page_shows_stages_buttons_work_and_links(org, account, pm):
    won = won_opportunity(org.am_a, account)
    project = start_project(org.am_a, account, pm, opportunity=won)
    day = project.starts_on
    services.planned_work_add(
        by=org.am_a, project=project, title="Визит к клиенту", starts_at=_at(day, 10), ends_at=_at(day, 12)
    )
    project.refresh_from_db()  # the planned work bumped its version
    client = _client(org.am_a)
    page = client.get(reverse("growth:project", args=[project.pk]))
    html = page.content.decode()
    first, second, _third = project.stages.order_by("position")
    assert page.status_code == 200
    assert reverse("growth:project_stage_start", args=[first.pk]) in html
    assert reverse("growth:project_stage_start", args=[second.pk]) not in html  # in order: only the next one
    assert "Визит к клиенту" in html and won.title in html
    assert reverse("accounts:detail", args=[account.pk]) in html
    start = client.post(reverse("growth:project_stage_start", args=[first.pk]), {"version": project.version})
    assert start.status_code == 302
    # A stale version (the page was open before the start): 409 with the reason, nothing changed.
    stale = client.post(reverse("growth:project_stage_finish", args=[first.pk]), {"version": project.version})
    assert stale.status_code == 409
    first.refresh_from_db()
    assert first.status == "active"
    auditor = _client(org.auditor).get(reverse("growth:project", args=[project.pk])).content.decode()
    assert reverse("growth:project_stage_finish", args=[first.pk]) not in auditor  # he reads only


def test_stage_and_work_forms_answer_4xx_with_field_errors(org, account, pm):
    project = start_project(org.am_a, account, pm, opportunity=won_opportunity(org.am_a, account))
    client = _client(org.am_a, "ru")
    day = project.ends_on + dt.timedelta(days=1)
    response = client.post(
        reverse("growth:work_add", args=[project.pk]),
        {
            "title": "Обучение",
            "starts_at": f"{day.isoformat()}T12:00",
            "ends_at": f"{day.isoformat()}T10:00",
            "version": project.version,
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["ends_at"] == [
        "Работа должна заканчиваться позже, чем начинается."
    ]
    response = client.post(
        reverse("growth:project_stage_add", args=[project.pk]),
        {"name": "", "starts_on": project.starts_on.isoformat(), "ends_on": day.isoformat()},
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"name", "ends_on"}
    ok = client.post(
        reverse("growth:work_add", args=[project.pk]),
        {
            "title": "Обучение",
            "starts_at": f"{project.starts_on.isoformat()}T10:00",
            "ends_at": f"{project.starts_on.isoformat()}T12:00",
            "assignee": pm.pk,
            "version": project.version,
        },
    )
    assert ok.status_code == 302 and PlannedWork.objects.get().assignee == pm
    # The same form again (a double submit): its version is stale now, 409 and no second row.
    again = client.post(
        reverse("growth:work_add", args=[project.pk]),
        {
            "title": "Обучение",
            "starts_at": f"{project.starts_on.isoformat()}T10:00",
            "ends_at": f"{project.starts_on.isoformat()}T12:00",
            "version": project.version,
        },
    )
    assert again.status_code == 409 and PlannedWork.objects.count() == 1


def _many_projects(org, n):
    managers = [project_manager(f"pm{i}") for i in range(3)]
    for i in range(n):
        account = make_account(org.head, org.am_a if i % 2 else org.am_a1)
        project = start_project(
            org.head, account, managers[i % 3], opportunity=won_opportunity(org.head, account, f"Сделка {i}")
        )
        services.project_stage_start(by=org.head, stage=project.stages.get(position=1))
    return managers


def test_the_list_scopes_filters_and_pages_in_a_fixed_number_of_queries(
    org, stages, settings, django_assert_max_num_queries
):
    settings.ORBIT_PAGE_SIZE = 4
    managers = _many_projects(org, 6)
    head = _client(org.head)
    # session, user, roles/access context, count, page, stages prefetch, filter choices, ...: not per row.
    with django_assert_max_num_queries(12):
        page = head.get(reverse("growth:projects"))
    assert page.context["scope"] == "all" and page.context["page"].paginator.count == 6
    assert len(page.context["page"].object_list) == 4
    html = page.content.decode()
    assert "Обследование" in html  # the stage in progress
    mine = _client(org.am_a).get(reverse("growth:projects"))
    assert mine.context["scope"] == "mine" and mine.context["page"].paginator.count == 3  # i = 1, 3, 5
    lead = _client(org.lead_a).get(reverse("growth:projects"), {"scope": "team"})
    assert lead.context["page"].paginator.count == 6  # am_a and am_a1 are both in his tree
    by_pm = head.get(reverse("growth:projects"), {"manager": managers[0].pk, "status": "active"})
    assert by_pm.context["page"].paginator.count == 2  # i = 0, 3
    assert head.get(reverse("growth:projects"), {"status": "done"}).context["page"].paginator.count == 0
    outsider = _client(org.am_b).get(reverse("growth:projects"), {"scope": "all"})
    assert outsider.context["page"].paginator.count == 0


def test_the_calendar_puts_work_on_its_days_with_a_list_in_fixed_queries(
    org, account, pm, django_assert_max_num_queries
):
    # The 3rd of next month: the work of the next days stays in the same month whatever the day of the run.
    base = (timezone.localdate().replace(day=1) + dt.timedelta(days=32)).replace(day=3)
    project = start_project(org.am_a, account, pm, opportunity=won_opportunity(org.am_a, account), start=base)
    # Three works: one on the start day, one over the night into the next day, one an hour long on day 3.
    services.planned_work_add(
        by=org.am_a, project=project, title="A", starts_at=_at(base, 9), ends_at=_at(base, 10)
    )
    services.planned_work_add(
        by=org.am_a,
        project=project,
        title="B",
        starts_at=_at(base, 22),
        ends_at=_at(base + dt.timedelta(days=1), 2),
        assignee=pm,
    )
    services.planned_work_add(
        by=org.am_a,
        project=project,
        title="C",
        starts_at=_at(base + dt.timedelta(days=3), 10),
        ends_at=_at(base + dt.timedelta(days=3), 11),
    )
    month = month_calendar(PlannedWork.objects.all(), base.replace(day=1), today=base)
    days = {d.day: [w.title for w in d.items] for week in month.weeks for d in week}
    assert days[base] == ["A", "B"]
    assert days[base + dt.timedelta(days=1)] == ["B"]  # B runs past midnight
    assert days.get(base + dt.timedelta(days=2), []) == []
    assert len(month.weeks[0]) == 7 and month.weeks[0][0].day.weekday() == 0  # weeks from Monday
    client = _client(org.am_a)
    url = reverse("growth:project_calendar", args=[project.pk]) + f"?month={base:%Y-%m}"
    with django_assert_max_num_queries(8):
        page = client.get(url)
    html = page.content.decode()
    assert (
        page.status_code == 200 and 'rel="prev"' in html and 'rel="next"' in html and 'id="work-list"' in html
    )
    for _n in range(10):  # more work does not mean more queries
        services.planned_work_add(
            by=org.am_a, project=project, title="D", starts_at=_at(base, 11), ends_at=_at(base, 12)
        )
    with django_assert_max_num_queries(8):
        client.get(url)
    account_page = client.get(reverse("growth:account_calendar", args=[account.pk]) + f"?month={base:%Y-%m}")
    assert account_page.context["month"].works[0].title == "A"
    # "My planned work": what is assigned to him, and unassigned work on the projects he runs.
    mine = _client(User.objects.get(pk=pm.pk)).get(reverse("growth:my_calendar") + f"?month={base:%Y-%m}")
    assert [w.title for w in mine.context["month"].works] == ["A", *["D"] * 10, "B", "C"]
    assert _client(org.am_b).get(url).status_code == 404


def test_parse_month():
    today = dt.date(2026, 12, 4)
    assert parse_month("2027-02", today) == dt.date(2027, 2, 1)
    assert parse_month("2027-13", today) == dt.date(2026, 12, 1)
    assert parse_month("garbage", today) == dt.date(2026, 12, 1)
    assert parse_month(None, today) == dt.date(2026, 12, 1)
