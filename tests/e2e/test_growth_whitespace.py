"""A manager opens the whitespace page, finds a client's gap (a line it does not buy in the year) and opens a
cross-sell opportunity for it with one click: the cell turns into "opportunity open" with its link, the
database holds one opportunity even after a double click, and a refusal shows its reason in the cell."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from orbit.growth.defaults import ensure_defaults
from orbit.growth.models import Opportunity
from orbit.revenue.models import AccountRevenueMonth, ProductLine
from tests.e2e.conftest import login, screenshot, settle
from tests.factories import PASSWORD, make_account


def test_one_click_on_a_gap_opens_an_opportunity(org, page):
    ensure_defaults()  # the live server's flush emptied the default pipelines
    equipment = ProductLine.objects.create(code="equipment", name_ru="Оборудование", name_en="Equipment")
    service = ProductLine.objects.create(code="service", name_ru="Сервис", name_en="Service")
    software = ProductLine.objects.create(code="software", name_ru="Программы", name_en="Software")
    account = make_account(org.head, org.am_a, short_name="Северный ветер")
    month = timezone.localdate().replace(day=1)
    AccountRevenueMonth.objects.create(
        account=account, month=month, product_line=equipment, net_base=Decimal("1000"), cost_base=0, lines=1
    )
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)

    login(page, "am_a", PASSWORD)
    page.goto("/growth/whitespace/")
    settle(page)
    row = page.locator("table.ws-matrix tbody tr", has_text="Северный ветер")
    # Columns in the Russian names' order: Оборудование (bought), Программы, Сервис.
    cells = row.locator("td.ws-cell")
    bought, software_cell, gap = cells.nth(0), cells.nth(1), cells.nth(2)
    expect(bought).to_contain_text("Покупает")
    expect(gap).to_contain_text("Не покупает")
    # Slow the post down so the second click lands while the first is still being sent.
    page.route("**/open/", lambda route: (page.wait_for_timeout(300), route.continue_()))
    gap.get_by_role("button", name="Открыть сделку: Сервис для Северный ветер").dblclick()
    expect(gap).to_contain_text("есть открытая сделка")
    settle(page)
    screenshot(page, "growth-whitespace-opened")

    opened = Opportunity.objects.get(account=account, product_line=service)  # one, not two
    assert opened.kind == "cross_sell" and opened.title == "Сервис для Северный ветер"
    assert opened.owner == org.am_a and opened.amount == 0
    assert opened.expected_close_on == timezone.localdate() + dt.timedelta(days=90)
    assert gap.locator("a.ws-open").get_attribute("href").endswith((f"/{opened.pk}/", "#growth-h"))
    assert not Opportunity.objects.filter(account=account, product_line=equipment).exists()

    assert not problems, problems
    # A refusal is shown in the cell: the account is archived after the page was loaded. (The browser logs the
    # 400 itself as a failed resource; no script error follows it.)
    from orbit.accounts.services import account_archive

    account_archive(by=org.head, account=account)
    software_cell.get_by_role("button").click()
    expect(software_cell).to_contain_text("Аккаунт в архиве")
    assert not Opportunity.objects.filter(account=account, product_line=software).exists()
    screenshot(page, "growth-whitespace-refused")
    assert [p for p in problems if "status of 400" not in p] == []
