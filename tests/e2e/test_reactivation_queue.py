"""A manager opens his reactivation queue, gives one dormant client up with a reason: the row leaves the open
queue, the outcomes count it as lost, and the "lost" filter shows it with the reason. Without a reason the form
says so at the field. The changes page and the day's block show the latest run's changes."""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from orbit.accounts.models import AccountStatus
from orbit.analytics.models import ReactivationCase, SegmentChange
from tests.analytics.rows import done_run, metrics
from tests.e2e.conftest import login, screenshot, settle
from tests.factories import PASSWORD, make_account


def _world(org):
    today = timezone.localdate()
    run = done_run(today)
    cases = []
    for name, silent, interval, clv in (
        ("Северный ветер", 94, "21.0", "1250000.00"),
        ("Балтийские верфи", 130, "30.0", "480000.00"),
        ("Уральская сталь", 61, "14.0", None),
    ):
        account = make_account(org.head, org.am_a, status=AccountStatus.DORMANT, short_name=name)
        last = today - dt.timedelta(days=silent)
        metrics(account, run, typical_interval_days=interval, clv=clv, last_purchase_on=last, is_dormant=True)
        SegmentChange.objects.create(account=account, run=run, on=today, kind="dormant", new=last.isoformat())
        cases.append(
            ReactivationCase.objects.create(
                account=account, manager=org.am_a, opened_on=today, last_purchase_on=last
            )
        )
    SegmentChange.objects.create(account=cases[0].account, run=run, on=today, kind="abc", old="B", new="A")
    SegmentChange.objects.create(
        account=cases[1].account, run=run, on=today, kind="ltv_drop", old="960000.00", new="480000.00"
    )
    return cases


def test_mark_a_case_lost_in_the_browser(org, page):
    cases = _world(org)
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    login(page, "am_a", PASSWORD)
    settle(page)
    expect(page.locator("[data-analytics-day]")).to_contain_text("Очередь на возврат: 3 клиента")
    screenshot(page, "reactivation-day")

    page.goto("/analytics/reactivation/")
    expect(page.locator("nav.tabs a[aria-current=page]")).to_have_text("Реактивация")
    expect(page.locator("[data-outcome=open]")).to_have_text("3")
    screenshot(page, "reactivation-queue")

    row = page.locator("tr", has_text="Балтийские верфи")
    row.get_by_label("Почему Балтийские верфи потерян?").fill("Ушли к конкуренту")
    row.get_by_role("button", name="Отметить потерянным").click()
    expect(page.locator(".messages")).to_contain_text("Балтийские верфи отмечен как потерянный")
    expect(page.locator("tr", has_text="Балтийские верфи")).to_have_count(0)
    expect(page.locator("[data-outcome=open]")).to_have_text("2")
    expect(page.locator("[data-outcome=lost]")).to_have_text("1")
    expect(page.locator("[data-outcome=rate]")).to_have_text("0,0 %")  # 0 reactivated of 1 closed
    screenshot(page, "reactivation-queue-after")

    page.select_option("#f-status", "lost")
    page.get_by_role("button", name="Применить").click()
    lost = page.locator("tr", has_text="Балтийские верфи")
    expect(lost).to_contain_text("Потерян")
    expect(lost).to_contain_text("Ушли к конкуренту")
    case = ReactivationCase.objects.get(pk=cases[1].pk)
    assert (case.status, case.lost_reason, case.closed_by) == ("lost", "Ушли к конкуренту", org.am_a)
    case.account.refresh_from_db()
    assert case.account.status == AccountStatus.CHURNED

    page.goto(f"/analytics/reactivation/{cases[0].pk}/lost/")
    page.get_by_role("button", name="Отметить потерянным").click()
    expect(page.locator(".field-error")).to_have_text("Укажите, почему клиент потерян.")
    screenshot(page, "reactivation-lost-form-error")

    page.goto("/analytics/changes/")
    expect(page.locator("main tbody tr")).to_have_count(5)
    expect(page.locator("tr", has_text="Северный ветер").first).to_contain_text("Класс ABC B → A")
    expect(page.locator("tr", has_text="Балтийские верфи").first).to_contain_text("прогноз LTV упал с 960")
    screenshot(page, "reactivation-changes")
    # The card's history tells the automatic change in words: a run moved Северный ветер to dormant.
    from orbit.accounts.services import account_set_status
    from orbit.analytics import dormancy

    northern = cases[0].account
    account_set_status(by=org.head, account=northern, status=AccountStatus.ACTIVE)  # back, as before the run
    dormancy.apply(SegmentChange.objects.filter(kind="dormant").first().run)
    page.goto(f"/accounts/{northern.pk}/?tab=timeline")
    settle(page)
    expect(page.locator("#history")).to_contain_text(
        "Orbit: спящий — нет покупок 94 дн., обычный интервал 21 дн."
    )
    page.locator("#history").screenshot(
        path=str(screenshot(page, "reactivation-card").with_name("reactivation-history.png"))
    )
    # The browser logs the form's honest 400 as a failed resource; no script error may follow it.
    assert [p for p in problems if "400 (Bad Request)" not in p] == []
