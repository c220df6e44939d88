"""A whole handoff in the browser, as two people: the salesman writes the brief and records the joint meeting,
the account manager joins the deal, accepts, and later records the check-up; the card shows who holds it."""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from orbit.accounts.models import Account, AccountStatus
from tests.e2e.conftest import login, screenshot
from tests.factories import PASSWORD, make_account


def _page_for(browser, live_server, username):
    page = browser.new_context(viewport={"width": 1366, "height": 900}, base_url=live_server.url).new_page()
    page.set_default_timeout(10_000)
    login(page, username, PASSWORD)
    return page


def test_sales_hands_over_and_the_manager_accepts(org, browser, live_server):
    won = make_account(
        org.sales,
        None,
        status=AccountStatus.PROSPECT,
        legal_name="ООО «Новый горизонт»",
        short_name="Новый горизонт",
    )
    sales = _page_for(browser, live_server, "sales")
    sales.goto(f"/accounts/{won.pk}/")
    sales.get_by_role("link", name="Передать").click()
    sales.locator("#id_to_user").select_option(label="Am_A")
    sales.locator("#id_promised").fill("Внедрение за 6 недель, обучение 20 сотрудников")
    sales.locator("#id_technical_scope").fill("Интеграция с 1С:ERP, единый вход")
    sales.locator("#id_risks").fill("Клиент уже обжёгся на прошлом поставщике")
    sales.get_by_role("button", name="Начать передачу").click()
    expect(sales.locator("#handoff-status")).to_have_text("Подготовка брифа")
    # The stakeholders were forgotten: the brief is refused, the field named once and marked, the page stays.
    sales.locator("#step-brief").get_by_role("button", name="Отметить выполнение").click()
    expect(sales.locator("#brief-h ~ form .form-errors")).to_have_text(
        "Заполните бриф, прежде чем отмечать его выполненным: Заинтересованные лица и их роли."
    )
    expect(sales.locator(".field.has-error")).to_have_count(1)
    expect(sales.locator(".field.has-error #id_stakeholders")).to_be_visible()
    expect(sales.locator(".msg-error")).to_have_count(0)
    sales.locator("#id_stakeholders").fill("ЛПР — коммерческий директор Орлов; пользователи — отдел закупок")
    sales.get_by_role("button", name="Сохранить бриф").click()
    sales.locator("#step-brief").get_by_role("button", name="Отметить выполнение").click()
    expect(sales.locator("#step-brief")).to_have_class("done")

    manager = _page_for(browser, live_server, "am_a")
    manager.get_by_role("link", name="Передачи").click()
    manager.get_by_role("link", name="Принимающий подключается к завершающим этапам сделки").click()
    accept = manager.get_by_role("button", name="Принять аккаунт")
    expect(accept).to_be_disabled()  # the deal and the meeting are still open
    expect(manager.locator("#accept-waits")).to_contain_text("Совместная встреча с клиентом")
    manager.locator("#step-join_deal").get_by_role("button", name="Отметить выполнение").click()
    expect(manager.locator("#step-join_deal")).to_have_class("done")
    expect(accept).to_be_disabled()

    sales.reload()
    sales.locator("#step-meeting summary").click()
    sales.locator("#step-meeting").get_by_role("button", name="Сохранить").click()  # nothing filled in
    expect(sales.locator("#step-meeting details")).to_have_attribute("open", "")  # the block stays open
    expect(sales.locator("#step-meeting .field.has-error")).to_have_count(2)
    met = timezone.localtime(timezone.now() - dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    sales.locator("#id_meeting_at").fill(met)
    sales.locator("#id_meeting_participants").fill("Орлов, Am_A, Sales")
    sales.locator("#id_meeting_outcome").fill("Клиент познакомился с новым менеджером, сроки подтверждены")
    sales.locator("#step-meeting").get_by_role("button", name="Сохранить").click()
    expect(sales.locator("#step-meeting")).to_have_class("done")
    screenshot(sales, "handoff-before-acceptance")

    manager.reload()
    expect(manager.get_by_role("button", name="Принять аккаунт")).to_be_enabled()
    expect(manager.locator("#brief-h + dl")).to_contain_text("Интеграция с 1С:ERP")
    manager.locator("#step-acceptance textarea").fill("Бриф полный, беру")
    manager.get_by_role("button", name="Принять аккаунт").click()
    expect(manager.locator("#handoff-status")).to_have_text("Принята, ожидается контрольная встреча")

    manager.locator("#step-checkup input[value=yes]").check()
    manager.get_by_role("button", name="Записать итоги контрольной встречи").click()
    expect(manager.locator("#handoff-status")).to_have_text("Завершена")
    screenshot(manager, "handoff-completed")

    manager.goto(f"/accounts/{won.pk}/?tab=ownership")
    history = manager.locator("#history-h + ol.timeline")
    expect(history.locator("> li").first).to_contain_text("Am_A")
    expect(history.locator("> li").first).to_contain_text("Передача из отдела продаж")
    expect(manager.locator("#team-h + ul")).to_contain_text("Sales")
    screenshot(manager, "account-after-handoff")
    won = Account.objects.get(pk=won.pk)
    assert (won.status, won.responsible_manager) == (AccountStatus.ACTIVE, org.am_a)


def test_the_start_form_offers_the_owner_no_handoff_to_himself(org, browser, live_server):
    account = make_account(org.head, org.am_a, legal_name="ООО «Старый клиент»", short_name="Старый клиент")
    manager = _page_for(browser, live_server, "am_a")
    manager.goto(f"/accounts/{account.pk}/")
    manager.get_by_role("link", name="Передать").click()
    receivers = manager.locator("#id_to_user option").all_inner_texts()
    assert "Am_A" not in receivers and "Am_B" in receivers
    expect(manager.locator("#id_kind")).to_have_value("between_managers")
    expect(manager.locator("#id_reason")).to_have_value("reassignment")
