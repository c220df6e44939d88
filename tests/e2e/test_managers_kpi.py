"""The head opens the managers' KPI page for a month with invoices, payments and logged hours: the teams' and
people's tables, the three charts drawn (ECharts canvases) without a script error; then one manager's page with
his peers and the drill-down to his invoices. A manager opening a colleague's page gets 404. Screenshots go to
ORBIT_TEST_ARTIFACTS (or test-artifacts/)."""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from orbit.growth import plans
from tests.e2e.conftest import login, screenshot, settle
from tests.factories import PASSWORD, make_account
from tests.kpi.rows import D, invoice, payment, since, touch


def _a_month_of_work(org) -> str:
    today = timezone.localdate()
    month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)  # last month: whole
    zone = timezone.get_current_timezone()
    for n, manager in enumerate((org.am_a, org.am_a1, org.am_b, org.lead_a)):
        for k in range(3):
            account = make_account(org.head, manager, agreed_budget=D(1_200_000 * (k + 1)))
            since(account, dt.datetime(2025, 1, 1, tzinfo=zone))
            bill = invoice(
                account, manager, month + dt.timedelta(days=3 + k), 100_000 * (n + 1), 60_000 * (n + 1)
            )
            payment(account, manager, month + dt.timedelta(days=10 + k), bill.total / 2, bill)
            touch(
                account,
                manager,
                dt.datetime.combine(month + dt.timedelta(days=5), dt.time(11), tzinfo=zone),
                45 * (n + 1),
            )
        plans.plan_set(
            by=org.head, month=month, user=manager, revenue=D(350_000 * (n + 1)), margin=D(100_000)
        )
    return month.strftime("%Y-%m")


def test_the_head_sees_the_kpi_page_and_drills_down(org, page, live_server):
    code = _a_month_of_work(org)
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    login(page, "head", PASSWORD)
    page.goto(f"/managers/kpi/?period={code}")
    settle(page)
    expect(page.locator("h1")).to_be_visible()
    expect(page.get_by_role("link", name="Am_A", exact=True)).to_be_visible()
    expect(page.locator(".chart-canvas canvas").first).to_be_visible()
    assert page.locator(".chart-canvas canvas").count() >= 3
    screenshot(page, "managers-kpi-head")
    page.get_by_role("link", name="Am_A", exact=True).click()
    settle(page)
    expect(
        page.get_by_role("heading", name="Margin per hour of work").or_(
            page.get_by_role("heading", name="Маржа за час работы")
        )
    ).to_be_visible()
    screenshot(page, "managers-kpi-person")
    page.locator("a[href*='/invoices/']").first.click()
    settle(page)
    expect(page.locator("table.data tbody tr")).to_have_count(3)
    assert not problems, problems


def test_a_manager_cannot_open_a_colleagues_page(org, page, live_server):
    _a_month_of_work(org)
    login(page, "am_a", PASSWORD)
    response = page.goto(f"/managers/kpi/people/{org.am_b.pk}/")
    assert response.status == 404
    page.goto("/managers/")
    settle(page)
    screenshot(page, "managers-kpi-own")
    expect(page.locator("a[href='/managers/bonuses/']").first).to_be_visible()
