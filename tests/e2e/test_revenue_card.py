"""A manager opens a client's card in Russian, sees the revenue chart drawn (and its figures as a table), records
a payment; the receivables list and the invoice page in both languages. No script is blocked by the CSP."""

import datetime as dt
import re
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from orbit.accounts import services
from orbit.revenue.invoicing import LineInput
from orbit.revenue.models import Payment
from tests.e2e.conftest import ARTIFACTS, login, open_tab, screenshot, settle
from tests.factories import PASSWORD
from tests.revenue.conftest import build_shop, client_since_2024
from tests.revenue.ledger import issue, pay


def _months_ago(today: dt.date, months: int) -> dt.date:
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    return dt.date(year, month + 1, 5)


def _history(shop, account):
    """Fourteen months of routers and support, paid a month later, except the last two invoices."""
    today = timezone.localdate()
    invoices = []
    for n in range(14, 0, -1):
        day = _months_ago(today, n)
        lines = [LineInput(product=shop.router, quantity=Decimal(1 + n % 3))]
        if n % 2:
            lines.append(LineInput(product=shop.support, quantity=Decimal(1)))
        invoices.append(issue(shop, day, *lines, account=account, by=account.responsible_manager))
    for invoice in invoices[:-2]:
        pay(
            shop,
            invoice.issued_on + dt.timedelta(days=20),
            str(invoice.total),
            account=account,
            by=account.responsible_manager,
        )
    return invoices


def test_the_card_draws_the_revenue_chart_and_records_a_payment(org, page):
    shop = build_shop(org)
    account = client_since_2024(
        org.head, org.am_a, legal_name="ООО «Северный ветер»", short_name="Северный ветер"
    )
    shop.account = account
    invoices = _history(shop, account)
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)

    login(page, "am_a", PASSWORD)
    page.goto(f"/accounts/{account.pk}/")
    settle(page)
    open_tab(page, "Деньги")
    expect(page).to_have_url(re.compile(r"\?tab=money$"))  # a reload opens the same tab
    panel = page.locator("#account-money")
    expect(panel.locator(".chart-canvas canvas")).to_have_count(1)
    expect(panel.locator(".chart-canvas")).to_be_visible()
    # The same figures as a table, folded under the chart once it is drawn (still there for screen readers).
    table = panel.locator("details.chart-table")
    expect(table.locator("tbody tr")).to_have_count(24)
    expect(table).not_to_have_attribute("open", "")
    expect(table.locator("summary")).to_have_text("Данные графика таблицей")
    expect(panel).to_contain_text("Выручка за 12 месяцев")
    expect(panel.locator(".figure.bad .value")).to_contain_text("₽")  # the two unpaid invoices, one overdue
    screenshot(page, "revenue-card-ru")
    panel.screenshot(path=str(ARTIFACTS / "revenue-card-panel-ru.png"))

    panel.get_by_role("link", name="Внести платёж").click()
    expect(page.locator("h1")).to_have_text("Внести платёж")
    screenshot(page, "revenue-payment-form-ru")
    oldest_open = invoices[-2]
    page.locator("#id_amount").fill("1 000,50")
    page.get_by_role("button", name="Внести платёж").click()
    expect(page.locator(".msg-success")).to_have_text("Платёж внесён.")
    payment = Payment.objects.get(account=account, amount=Decimal("1000.50"))
    assert payment.allocations.get().invoice_id == oldest_open.pk  # oldest first
    settle(page)
    expect(page.locator("#account-money .chart-canvas canvas")).to_have_count(1)

    page.goto("/revenue/receivables/")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    expect(page.locator("#results tfoot")).to_contain_text("Итого")
    screenshot(page, "revenue-receivables-ru")
    page.goto(f"/revenue/invoices/{oldest_open.pk}/")
    expect(page.locator("h1")).to_contain_text(oldest_open.number)
    screenshot(page, "revenue-invoice-ru")

    org.am_a.language = "en"
    org.am_a.save(update_fields=["language"])
    page.goto(f"/accounts/{account.pk}/")
    settle(page)
    open_tab(page, "Money")
    expect(page.locator("#account-money .chart-canvas canvas")).to_have_count(1)
    expect(page.locator("#account-money")).to_contain_text("Revenue, 12 months")
    screenshot(page, "revenue-card-en")
    page.locator("#account-money").screenshot(path=str(ARTIFACTS / "revenue-card-panel-en.png"))
    page.goto("/revenue/receivables/")
    screenshot(page, "revenue-receivables-en")
    page.goto(f"/revenue/invoices/{oldest_open.pk}/")
    screenshot(page, "revenue-invoice-en")
    page.goto("/revenue/invoices/")
    screenshot(page, "revenue-invoices-en")
    page.locator("#account-search").fill("Северн")
    page.locator(".lookup-results button", has_text="Северный ветер").click()
    expect(page).to_have_url(re.compile(rf"account={account.pk}"))
    expect(page.locator("#results tbody tr")).to_have_count(14)
    assert problems == []


def test_without_javascript_the_table_is_there_instead_of_the_chart(org, browser, live_server):
    shop = build_shop(org)
    _history(shop, shop.account)
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url)
    page = context.new_page()
    login_page = page.goto("/login/")
    assert login_page.ok
    page.locator("#id_username").fill("am_a")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("button[type=submit].primary").click()
    page.goto(f"/revenue/accounts/{shop.account.pk}/")  # the panel htmx would have loaded
    expect(page.locator(".chart-canvas")).to_be_hidden()
    expect(page.locator("details.chart-table[open] tbody tr")).to_have_count(24)
    context.close()


def test_the_holding_page_adds_up_its_companies(org, page):
    shop = build_shop(org)
    parent = client_since_2024(
        org.head, org.am_a, legal_name="АО «Холдинг Север»", short_name="Холдинг Север"
    )
    daughter = client_since_2024(org.head, org.am_a, legal_name="ООО «Север-Логистика»")
    hidden = client_since_2024(org.head, org.am_b, legal_name="ООО «Север-Юг»")
    for child in (daughter, hidden):
        services.account_update(by=org.head, account=child, version=None, parent=parent)
    for account in (parent, daughter, hidden):
        _history(shop, account)
    login(page, "lead_a", PASSWORD)
    page.goto(f"/accounts/{parent.pk}/holding/")
    settle(page)
    money = page.locator("#holding-money")
    expect(money.locator(".chart-canvas canvas")).to_have_count(1)
    expect(money).to_contain_text("1 компания холдинга вам не видна")
    rows = money.locator("table", has=page.locator("tfoot")).locator("tbody tr")
    expect(rows).to_have_count(2)  # the parent and the daughter lead_a sees
    expect(money).not_to_contain_text("Север-Юг")
    screenshot(page, "revenue-holding-ru")
