"""A manager opens the Bonuses tab and lands on his own statement: provisional, with its lines, the sum and the
bonus breakdown chart drawn (an ECharts canvas) without a script error; the head sees the month's list. The
screenshots go to ORBIT_TEST_ARTIFACTS (or test-artifacts/)."""

import datetime as dt
import re
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from orbit.growth import plans
from tests.bonuses.conftest import am_rule, save_version
from tests.e2e.conftest import login, screenshot, settle
from tests.factories import PASSWORD
from tests.revenue.conftest import build_shop
from tests.revenue.ledger import issue, manual, pay

D = Decimal


def test_a_manager_reads_his_provisional_statement_with_its_chart(org, page):
    shop = build_shop(org)
    today = timezone.localdate()
    month = today.replace(day=1)
    save_version(org.head, f"{month:%Y-%m}", am=am_rule(accelerator="1.5", threshold_percent="50"))
    plans.plan_set(by=org.head, month=month, user=org.am_a, revenue=D("100000"), margin=D("1"))
    for n, amount in enumerate(("60000", "50000", "15000")):
        invoice = issue(shop, month, manual(amount), by=org.head)
        pay(
            shop,
            month + dt.timedelta(days=min(n, today.day - 1)),
            amount,
            allocate=[(invoice, D(amount))],
            by=org.head,
        )
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    login(page, "am_a", PASSWORD)

    page.goto("/managers/bonuses/")
    settle(page)
    expect(page).to_have_url(re.compile(rf"/managers/bonuses/people/{org.am_a.pk}/\?month={month:%Y-%m}$"))
    expect(page.locator("h1 .badge.warn")).to_be_visible()  # provisional
    # 125 000 paid × 5 % = 6 250; plan 100 000: the 25 000 above it × 1.5: 6 250 × 25 000 / 125 000 × 0.5 = 625.
    rows = page.locator("section[aria-labelledby=lines-title] table.data tbody tr")
    expect(rows).to_have_count(5)  # fixed, three payments, the accelerator
    expect(page.locator("figure.chart canvas")).to_be_visible()
    screenshot(page, "bonus-statement")
    assert not problems, problems

    page.context.clear_cookies()
    login(page, "head", PASSWORD)
    page.goto(f"/managers/bonuses/?month={month:%Y-%m}")
    settle(page)
    expect(page.locator("table.data").first).to_contain_text("Am_A")
    screenshot(page, "bonus-statements")
