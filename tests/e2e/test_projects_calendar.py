"""A project manager opens his project in Russian, starts its first stage with the button, and walks the calendar
of planned work from the keyboard (next month, back); the list alternative carries the same work. The account
manager is told. No script or style is blocked by the CSP. Screenshots: test-artifacts/project-*.png."""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from orbit.growth import projects as services
from orbit.growth.defaults import ensure_defaults
from orbit.notifications.models import Notification
from tests.e2e.conftest import login, screenshot, settle
from tests.factories import PASSWORD, make_account
from tests.growth.projects_world import project_manager, start_project, won_opportunity


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def test_project_page_and_calendar(org, page):
    ensure_defaults()  # the browser test's flush emptied the pipelines
    account = make_account(org.head, org.am_a, legal_name="ООО «Северный ветер»", short_name="Северный ветер")
    pm = project_manager("pm", display_name="Пётр Менеджеров")
    today = timezone.localdate()
    project = start_project(
        org.am_a,
        account,
        pm,
        opportunity=won_opportunity(org.am_a, account),
        start=today - dt.timedelta(days=2),
    )
    plan = [
        ("Выезд на объект", 0, 10, 12, pm, "Москва, ул. Ленина, 1"),
        ("Созвон с ИТ-отделом", 0, 15, 16, None, ""),
        ("Установка сервера", 3, 9, 18, pm, "Серверная клиента"),
        ("Обучение пользователей", 12, 10, 13, None, "Онлайн"),
        ("Приёмка", 27, 11, 12, pm, ""),
    ]
    for title, days, start, end, who, where in plan:
        day = today + dt.timedelta(days=days)
        services.planned_work_add(
            by=org.am_a,
            project=project,
            title=title,
            starts_at=_at(day, start),
            ends_at=_at(day, end),
            assignee=who,
            location=where,
        )
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)

    login(page, "pm", PASSWORD)
    page.goto(f"/growth/projects/{project.pk}/")
    settle(page)
    expect(page.locator("h1")).to_have_text("Внедрение CRM")
    expect(page.locator("#stages-h")).to_have_text("Этапы")
    screenshot(page, "project-page-before")
    page.get_by_role("button", name="Начать «Обследование»").click()
    settle(page)
    first = page.locator("ol.project-stages > li").first
    expect(first).to_contain_text("В работе")
    expect(page.get_by_role("button", name="Завершить «Обследование»")).to_be_visible()
    screenshot(page, "project-page")
    # The account manager started the project himself (not told); the stage start by the PM is his to know.
    assert Notification.objects.filter(recipient=org.am_a, kind="project_stage").count() == 1

    page.locator("#main").get_by_role("link", name="Календарь").first.click()  # not the menu's week calendar
    settle(page)
    month = page.locator("#month-h")
    this_month = month.inner_text()
    expect(page.locator("table.month td.today")).to_have_count(1)
    expect(page.locator("table.month a", has_text="Выезд на объект")).to_have_count(1)
    screenshot(page, "project-calendar")
    # From the keyboard: focus the "next month" link, Enter; then back with the "previous month" link.
    page.locator("a[rel=next]").focus()
    page.keyboard.press("Enter")
    settle(page)
    assert month.inner_text() != this_month
    page.locator("a[rel=prev]").focus()
    page.keyboard.press("Enter")
    settle(page)
    expect(page.locator("#month-h")).to_have_text(this_month)
    in_month = [t for t, d, *_ in plan if (today + dt.timedelta(days=d)).month == today.month]
    expect(page.locator("#work-list tbody tr")).to_have_count(len(in_month))
    page.goto("/growth/projects/calendar/")
    settle(page)
    screenshot(page, "project-my-calendar")
    page.goto("/growth/projects/")
    settle(page)
    expect(page.locator("table.data tbody tr")).to_have_count(1)
    screenshot(page, "project-list")
    assert not problems, problems
    # The start form without a project manager: the error at its field, in Russian (a 400, as a refused write).
    page.goto(f"/growth/accounts/{account.pk}/projects/new/")
    page.locator("#id_name").fill("Второй этап")
    page.get_by_role("button", name="Начать проект").click()
    expect(page.locator("#id_project_manager_error")).to_have_text(
        "У проекта должен быть руководитель проекта: выберите, кто ведёт его для клиента."
    )
    screenshot(page, "project-start-errors")
    assert problems == ["Failed to load resource: the server responded with a status of 400 (Bad Request)"]
