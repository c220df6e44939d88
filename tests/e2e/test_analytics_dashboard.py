"""The head opens the analytics overview: the Pareto chart is drawn (a canvas, the figures folded into their
table), the ABC×XYZ heatmap lists the cells with their treatments; a click on a cell lands on the accounts table
filtered to that cell. The RFM page and the card's panel are seen too (screenshots)."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from orbit.accounts.models import Tier
from orbit.analytics import figures
from orbit.analytics.models import SegmentChange
from tests.analytics.rows import done_run, metrics
from tests.e2e.conftest import login, open_tab, screenshot, settle
from tests.factories import PASSWORD, make_account

# (name, manager, window revenue, ABC, XYZ, RFM segment, R, F)
ROWS = [
    ("Северный ветер", "am_a", 5200, "A", "X", "champion", 5, 5),
    ("Уралтех", "am_a", 3100, "A", "Y", "loyal", 3, 4),
    ("Балтснаб", "am_b", 900, "B", "X", "potential", 4, 3),
    ("Волгапром", "am_b", 400, "B", "Z", "at_risk", 2, 3),
    ("Камтрейд", "am_a1", 250, "C", "Z", "hibernating", 2, 1),
    ("Новинка", "am_a", 150, "C", "", "new", 5, 1),
]


def test_the_dashboard_draws_pareto_and_the_heatmap_leads_to_the_accounts(org, page):
    today = timezone.localdate()
    run = done_run(
        params={"settings": {"basis": "revenue", "window_months": 12, "abc_a": "80", "abc_b": "95"}}
    )
    accounts = {}
    for name, manager, revenue, abc, xyz, segment, r, f in ROWS:
        account = make_account(
            org.head, getattr(org, manager), short_name=name, tier=Tier.KEY if abc == "A" else Tier.B
        )
        metrics(
            account, run, window_revenue=Decimal(revenue), abc=abc, xyz=xyz, rfm_segment=segment, recency=r,
            frequency=f, monetary=3, clv=Decimal(revenue * 2), p_alive=Decimal("0.8"),
            last_purchase_on=today - dt.timedelta(days=7 * (6 - r)), typical_interval_days=Decimal("21.0"),
            expected_purchases=Decimal("4.2"), expected_spend=Decimal("1200"),
        )  # fmt: skip
        accounts[name] = account
    SegmentChange.objects.create(
        account=accounts["Северный ветер"], run=run, on=today, kind="abc", old="B", new="A"
    )
    run.summary = figures.summarise(
        figures.Scope.of(
            [row[2] * 100 for row in ROWS], [row[3] for row in ROWS], [row[4] for row in ROWS],
            [row[5] for row in ROWS], [row[3] == "A" for row in ROWS],
        )
    )  # fmt: skip
    run.save()
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)

    login(page, "head", PASSWORD)
    page.get_by_role("link", name="Аналитика").click()
    settle(page)
    chart = page.locator("figure.chart").first
    expect(chart.locator(".chart-canvas canvas")).to_have_count(1)  # ECharts drew it
    expect(chart.locator("details.chart-table")).not_to_have_attribute("open", "")
    heatmap = page.locator("table.heatmap")
    expect(heatmap).to_contain_text("Менеджер по ключевым клиентам")
    screenshot(page, "analytics-dashboard")

    page.get_by_role("link", name="AX: 1 аккаунт").click()
    page.wait_for_url("**/analytics/accounts/?cell=AX")
    settle(page)
    table = page.locator("table.analytics-accounts tbody")
    expect(table.locator("tr")).to_have_count(1)
    expect(table).to_contain_text("Северный ветер")
    page.goto("/analytics/accounts/?sort=-clv")
    settle(page)
    screenshot(page, "analytics-accounts")
    page.goto("/analytics/rfm/")
    settle(page)
    expect(page.locator("table.rfm-grid td.seg-cell")).to_have_count(25)
    screenshot(page, "analytics-rfm")
    page.goto(f"/accounts/{accounts['Северный ветер'].pk}/")
    settle(page)
    open_tab(page, "Аналитика")
    panel = page.locator("#analytics")
    expect(panel).to_contain_text("Чемпионы")
    expect(panel).to_contain_text("B → A")
    panel.screenshot(path=str(screenshot(page, "analytics-card").with_name("analytics-card-panel.png")))
    assert not problems, problems
