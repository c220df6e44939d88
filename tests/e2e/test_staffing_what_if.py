"""The head opens the Org model tab with a hybrid's logged hours, enters the salaries and a farmer's capacity, and
reads every figure of the what-if (a screenshot is kept).

One hybrid, last complete month: 6 h serving on an old client (first invoice long ago), 2 h hunting on a
prospect. S = 6 h a month (one month with hours); capacity 4 h → ⌈6 / 4⌉ = 2 farmers; farmer 50,000 → added
payroll 100,000."""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from orbit.activities.models import Touch, TouchStatus
from orbit.org.models import Role
from tests.e2e.conftest import login, screenshot, settle
from tests.factories import PASSWORD, make_account, make_user


def test_the_what_if_page_shows_every_figure(org, page):
    hybrid = make_user(
        "hybrid", Role.SALES_MANAGER, Role.ACCOUNT_MANAGER, team=org.team_a, display_name="Гибрид"
    )
    client = make_account(org.head, hybrid)
    prospect = make_account(org.head, hybrid, status="prospect")
    zone = timezone.get_current_timezone()
    last = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=10)
    for account, minutes in ((client, 360), (prospect, 120)):
        Touch.objects.create(
            account=account,
            owner=hybrid,
            status=TouchStatus.DONE,
            happened_at=dt.datetime.combine(last, dt.time(12), tzinfo=zone),
            duration_minutes=minutes,
        )
    login(page, "head", PASSWORD)
    page.goto("/managers/staffing/org-model/")
    settle(page)
    page.get_by_label("Оклад охотника в месяц").fill("120000")
    page.get_by_label("Оклад фермера в месяц").fill("50000")
    page.get_by_label("Ёмкость фермера, часов в месяц").fill("4")
    page.get_by_role("button", name="Рассчитать").click()
    settle(page)
    expect(page.locator('[data-figure="freed"]')).to_have_text("6,00")
    expect(page.locator('[data-figure="farmers"]')).to_have_text("2")
    expect(page.locator('[data-figure="serving"]')).to_have_text("6,00")
    expect(page.locator('[data-figure="hunting"]')).to_have_text("2,00")
    expect(page.locator('[data-figure="added"]')).to_contain_text("100")
    screenshot(page, "staffing-what-if")
