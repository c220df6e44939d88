"""In Russian, a date field's default is shown and sent as it is (issue 10, #3): "New task" is created without
retyping its due day, and the reassignment report keeps its default period. Before, the default rendered as
02.12.2026, which Chromium's <input type="date"> shows as empty, and the form failed with "required"."""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from orbit.activities.models import Task
from tests.e2e.conftest import login, screenshot
from tests.factories import PASSWORD


def test_new_task_keeps_its_default_due_day_in_russian(org, page):
    today = timezone.localdate()
    login(page, "am_a", PASSWORD)
    page.goto("/agenda/tasks/new/")
    expect(page.locator("h1")).to_have_text("Новая задача")
    expect(page.locator("#id_due_on")).to_have_value(today.isoformat())
    page.locator("#id_title").fill("Подготовить акт сверки")
    page.get_by_role("button", name="Создать").click()
    expect(page.locator(".messages, [role=status]").first).to_contain_text("Задача создана")
    assert Task.objects.get(title="Подготовить акт сверки").due_on == today


def test_reassignment_report_keeps_its_default_period_in_russian(org, page):
    today = timezone.localdate()
    login(page, "head", PASSWORD)
    page.goto("/accounts/reassignments/")
    expect(page.locator("#id_start")).to_have_value((today - dt.timedelta(days=90)).isoformat())
    expect(page.locator("#id_end")).to_have_value(today.isoformat())
    page.get_by_role("button", name="Показать").click()
    expect(page.locator("#id_start")).to_have_value((today - dt.timedelta(days=90)).isoformat())
    expect(page.locator(".field-error")).to_have_count(0)
    screenshot(page, "reassignments-ru")
