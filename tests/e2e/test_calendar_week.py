"""The week calendar and the task list in the browser: the manager drags a planned touch onto another day, moves
another with the keyboard ("Move to"), is told when someone else changed a touch first (409), then closes a task
in one click on the task list. Screenshots of the three pages (RU, 1440 and 390 px) go to test-artifacts/."""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from orbit.activities import services
from orbit.activities.cadence import ensure_defaults as ensure_default_cadence
from orbit.activities.models import Task, TaskStatus, Touch, TouchKind
from orbit.activities.week import monday_of
from orbit.requests import services as request_services
from orbit.requests.defaults import ensure_defaults
from orbit.requests.models import Department
from tests.e2e.conftest import login, screenshot, settle
from tests.factories import PASSWORD, make_account


def _shots(page, name: str) -> None:
    for width in (1440, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(100)
        screenshot(page, f"{name}-{width}")
    page.set_viewport_size({"width": 1440, "height": 900})


def test_drag_a_touch_in_the_week_and_close_a_task(org, page):
    ensure_defaults()
    ensure_default_cadence()
    today = timezone.localdate()
    monday = monday_of(today) + dt.timedelta(days=7)  # next week: every day of it is still ahead
    client = make_account(org.head, org.am_a, tier="A", legal_name="ООО «Вектор»", short_name="Вектор")
    other = make_account(org.head, org.am_a, tier="B", legal_name="ООО «Гамма»", short_name="Гамма")
    call = services.touch_plan(by=org.am_a, account=client, planned_for=monday, subject="Звонок по договору")
    visit = services.touch_plan(
        by=org.am_a, account=other, planned_for=monday, kind=TouchKind.MEETING, subject="Визит на склад"
    )
    task = services.task_create(
        by=org.am_a, title="Выставить счёт", assignee=org.am_a, due_on=today, account=client
    )
    services.task_create(by=org.am_a, title="Сверка", assignee=org.am_a, due_on=monday, account=other)
    request_services.request_create(
        by=org.am_a,
        account=client,
        request_type="complaint",
        priority="high",
        department=Department.objects.get(code="logistics"),
        subject="Сорвана отгрузка",
    )

    login(page, "am_a", PASSWORD)
    page.get_by_role("navigation", name="Главное").get_by_role("link", name="Календарь").click()
    expect(page.locator("h1")).to_have_text("Моя неделя")
    expect(page.locator(".week-day.today")).to_have_count(1)
    _shots(page, "calendar-week-this")
    page.get_by_role("link", name="Следующая неделя").click()
    settle(page)
    wednesday = monday + dt.timedelta(days=2)
    card = page.locator(f"#touch-card-{call.pk}")
    expect(card).to_contain_text("Звонок по договору")
    expect(page.locator(f"li[data-day='{monday.isoformat()}']")).to_contain_text("Сверка")

    # Drag the call onto Wednesday: the week comes back with it there.
    card.drag_to(page.locator(f"li[data-day='{wednesday.isoformat()}']"), source_position={"x": 12, "y": 8})
    expect(page.locator(f"li[data-day='{wednesday.isoformat()}']")).to_contain_text("Звонок по договору")
    call.refresh_from_db()
    assert call.planned_for == wednesday and call.version == 2

    # The keyboard way: the visit's "Move to" field.
    friday = monday + dt.timedelta(days=4)
    page.locator(f"#move-{visit.pk}").fill(friday.isoformat())
    page.locator(f"#touch-card-{visit.pk}").get_by_role("button", name="Переместить").click()
    expect(page.locator(f"li[data-day='{friday.isoformat()}']")).to_contain_text("Визит на склад")
    assert Touch.objects.get(pk=visit.pk).planned_for == friday
    _shots(page, "calendar-week-next")

    # Someone else moves the call meanwhile: the drag is refused with 409 and the reason, nothing moves.
    Touch.objects.filter(pk=call.pk).update(version=call.version + 1)
    page.locator(f"#touch-card-{call.pk}").drag_to(
        page.locator(f"li[data-day='{monday.isoformat()}']"), source_position={"x": 12, "y": 8}
    )
    expect(page.locator("#week-alert")).to_contain_text("Это касание только что изменил кто-то другой")
    assert Touch.objects.get(pk=call.pk).planned_for == wednesday

    # The task list: today's task is done in one click, the row says so without leaving the page.
    page.get_by_role("navigation", name="Главное").get_by_role("link", name="Задачи").click()
    expect(page.locator("h1")).to_have_text("Задачи")
    settle(page)
    _shots(page, "tasks-list")
    row = page.locator(f"#task-{task.pk}")
    row.get_by_role("button", name="Сделано").click()
    closed = page.locator(f"#task-{task.pk}")
    expect(closed.get_by_role("button")).to_have_count(0)
    expect(closed.locator(".badge")).to_have_text("Сделано")
    assert Task.objects.get(pk=task.pk).status == TaskStatus.DONE
    page.get_by_label("Срок").select_option("today")
    # Due today and still open: nothing left (the one closed, "Сверка" is due next week).
    expect(page.locator("section[aria-labelledby=tasks-h]")).to_contain_text("Открытых задач нет")

    page.goto("/requests/board/")
    expect(page.locator("section[data-status=new]")).to_contain_text("Сорвана отгрузка")
    _shots(page, "requests-board")
