"""The manager's day in the browser: he logs an overdue call from "My day" in a few keystrokes, then opens the
overdue complaint listed there and resolves it; the day, the card and the timeline follow."""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from orbit.activities.cadence import ensure_defaults as ensure_default_cadence
from orbit.activities.models import Touch, TouchStatus
from orbit.requests import services as request_services
from orbit.requests.defaults import ensure_defaults
from orbit.requests.models import Department, Request, RequestStatus
from tests.e2e.conftest import login, open_tab, screenshot
from tests.factories import PASSWORD, make_account


def test_log_a_touch_from_the_day_and_resolve_a_complaint(org, page):
    ensure_defaults()
    ensure_default_cadence()  # a flushed database (live server tests) has lost the migration's rules
    today = timezone.localdate()
    late = make_account(
        org.head, org.am_a, tier="A", legal_name="ООО «Забытый клиент»", short_name="Забытый клиент"
    )
    Touch.objects.create(
        account=late, owner=org.am_a, planned_for=today - dt.timedelta(days=5), subject="Сверка"
    )
    complaint = request_services.request_create(
        by=org.am_a,
        account=late,
        request_type="complaint",
        priority="high",
        department=Department.objects.get(code="logistics"),
        subject="Сорвана отгрузка",
        received_at=timezone.now() - dt.timedelta(days=10),
    )

    login(page, "am_a", PASSWORD)
    expect(page.locator("h1")).to_have_text("Мой день")
    overdue = page.locator("section[aria-labelledby=overdue-h]")
    row = overdue.locator("tr", has_text="Забытый клиент")
    expect(row).to_contain_text("Сверка")
    row.get_by_label("Минуты").fill("25")
    row.get_by_label("Итоги").fill("Согласовали новую дату отгрузки")
    screenshot(page, "agenda-before-logging")
    row.get_by_role("button", name="Сделано").click()
    expect(page.locator(".messages, [role=status]").first).to_contain_text("Касание записано")
    expect(overdue).to_contain_text("Просроченных касаний нет")

    sla = page.locator("section[aria-labelledby=sla-h]")
    expect(sla).to_contain_text("Сорвана отгрузка")
    sla.get_by_role("link", name="Сорвана отгрузка").click()
    page.get_by_role("button", name="Взять в работу").click()
    expect(page.locator("#request-status")).to_have_text("В работе")
    page.locator("#id_comment").fill("Отгрузили в четверг, клиент подтвердил.")  # a complaint says how
    page.get_by_role("button", name="Отметить решённым").click()
    expect(page.locator("#request-status")).to_have_text("Решено")

    page.get_by_role("link", name="Мой день").click()
    expect(page.locator("section[aria-labelledby=sla-h]")).not_to_contain_text("Сорвана отгрузка")
    screenshot(page, "agenda-after")
    page.goto(f"/accounts/{late.pk}/")
    expect(page.locator("#account-touches")).to_contain_text("Согласовали новую дату отгрузки")
    open_tab(page, "Лента событий")
    expect(page.locator("#history")).to_contain_text("Согласовали новую дату отгрузки")

    done = Touch.objects.get(account=late, status=TouchStatus.DONE)
    assert (done.duration_minutes, done.owner) == (25, org.am_a)
    assert Touch.objects.get(account=late, status=TouchStatus.PLANNED).planned_for == today + dt.timedelta(
        days=30
    )
    complaint.refresh_from_db()
    assert complaint.status == RequestStatus.RESOLVED
    assert Request.objects.count() == 1
