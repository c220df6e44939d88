"""The head opens the Workload tab: an overloaded and an underloaded manager, the chart drawn, a person's
accounts one click away."""

from django.core.cache import cache
from playwright.sync_api import expect

from orbit.accounts.models import Tier
from orbit.activities import cadence
from orbit.handoffs.models import Handoff
from tests.e2e.conftest import login, screenshot, settle
from tests.factories import PASSWORD, make_account


def test_the_head_sees_overload_and_underload(org, page):
    cadence.ensure_defaults()  # the live server's flush emptied the default rules
    cache.clear()
    org.am_a.monthly_capacity_hours = 5
    org.am_a.save()
    for n in range(3):  # 3 A accounts: 3 × 2.25 h (Orbit's defaults) against about 5 h: overloaded
        make_account(org.head, org.am_a, tier=Tier.A, short_name=f"Альфа {n + 1}")
    make_account(org.head, org.am_a1, tier=Tier.C, short_name="Малый")  # 0.36 h of about 140: underloaded
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)

    login(page, "head", PASSWORD)
    page.goto("/managers/workload/")
    settle(page)
    expect(page.get_by_role("heading", name="Загрузка", exact=True)).to_be_visible()
    rows = page.locator("section[aria-labelledby=people-title] tbody tr")
    expect(rows.nth(0)).to_contain_text("Am_A")
    expect(rows.nth(0)).to_contain_text("перегружен")
    expect(rows.filter(has_text="Am_A1")).to_contain_text("недогружен")
    expect(page.locator(".chart-canvas").first).to_be_visible()
    screenshot(page, "managers-workload")
    page.get_by_role("link", name="Предложить перераспределение: Team A").click()
    settle(page)
    # Am_A's three A accounts (2.25 h each) against about 5 h: one move finishes her, to the one with most room.
    expect(page.get_by_role("heading", name="Предлагаемые передачи")).to_be_visible()
    screenshot(page, "managers-workload-rebalance")
    page.get_by_role("button", name="Применить: запустить передачи").click()
    settle(page)
    expect(page.get_by_role("status").first).to_contain_text("передачи клиентов запущены")
    assert Handoff.objects.filter(reason="overload").count() == 1
    page.goto(f"/managers/workload/person/{org.am_a.pk}/")
    settle(page)
    expect(page.get_by_role("row", name="Альфа 1")).to_be_visible()
    screenshot(page, "managers-workload-person")
    assert not problems, problems
