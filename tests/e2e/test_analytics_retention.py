"""A manager opens the retention page and the key-account share page on two years of invoices: the cohort
triangle is there with its coloured cells, the NRR toggle switches the measure, and both pages draw their charts
(ECharts canvases) without a script error. Screenshots go to ORBIT_TEST_ARTIFACTS (or test-artifacts/)."""

import random
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from orbit.accounts.models import Tier
from orbit.analytics.retention import month_index, month_of
from orbit.revenue.models import AccountRevenueMonth, ProductLine
from tests.e2e.conftest import login, screenshot, settle
from tests.factories import PASSWORD, make_account


def _two_years_of_invoices(org) -> None:
    """30 clients of am_a joining over 24 months; each buys most months after joining, some stop, a few grow;
    a fifth are key accounts. Seeded: the same book every run."""
    rng = random.Random(13)
    line = ProductLine.objects.create(code="equipment", name_ru="Оборудование", name_en="Equipment")
    last = month_index(timezone.localdate()) - 1
    rows = []
    for n in range(30):
        account = make_account(org.head, org.am_a, tier=Tier.KEY if n % 5 == 0 else Tier.B)
        start = last - rng.randrange(24)
        size = Decimal(rng.randrange(50, 500) * 1000)
        stops = rng.random() < 0.3
        for idx in range(start, last + 1):
            if stops and idx > start + 3:
                break
            if idx > start and rng.random() < 0.25:
                continue
            amount = size * (Decimal(1) + Decimal(idx - start) / 20 if n % 3 == 0 else Decimal(1))
            rows.append(
                AccountRevenueMonth(
                    account=account,
                    month=month_of(idx),
                    product_line=line,
                    net_base=amount,
                    cost_base=0,
                    lines=1,
                )
            )
    AccountRevenueMonth.objects.bulk_create(rows)


def test_retention_and_share_pages_draw_their_charts(org, page):
    _two_years_of_invoices(org)
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    login(page, "am_a", PASSWORD)

    page.goto("/analytics/retention/")
    settle(page)
    triangle = page.locator("table.cohort-triangle")
    expect(triangle).to_be_visible()
    expect(triangle.locator("tbody tr")).to_have_count(12)
    expect(triangle.locator("td.heat[style]").first).to_be_visible()
    expect(page.locator(".chart-canvas canvas")).to_have_count(2)
    expect(page.locator('nav.tabs a[aria-current="page"]')).to_have_attribute("href", "/analytics/retention/")
    screenshot(page, "analytics-retention-logo")

    page.get_by_role("link", name="Удержание выручки (NRR)").click()
    settle(page)
    assert "basis=nrr" in page.url
    expect(page.locator("table.cohort-triangle caption")).to_contain_text("выручки")
    page.locator("#f-cohorts").select_option("24")
    page.get_by_role("button", name="Показать").click()
    settle(page)
    expect(page.locator("table.cohort-triangle tbody tr")).to_have_count(24)
    assert "basis=nrr" in page.url  # the measure is kept
    screenshot(page, "analytics-retention-nrr-24")

    page.goto("/analytics/shares/")
    settle(page)
    expect(page.locator(".share-figure")).to_have_count(2)
    expect(page.locator(".chart-canvas canvas")).to_have_count(1)
    expect(page.locator(".chart-canvas")).to_be_visible()
    screenshot(page, "analytics-shares")
    assert not problems, problems
