"""A manager types an INN into the new-account form and sees the company's details filled from the register (a
local fake of DaData's findById/party); a liquidated company is flagged. The card's header with its key facts and
quick actions, in Russian at 1440 and 390 px."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from orbit.activities import services as touches
from tests.accounts.fake_dadata import KEY, FakeDaData, party
from tests.e2e.conftest import login, screenshot, settle
from tests.factories import PASSWORD, make_account, unique_inn


@pytest.fixture
def dadata(settings):
    with FakeDaData() as fake:
        settings.ORBIT_DADATA_API_KEY = KEY
        settings.ORBIT_DADATA_URL = fake.url
        settings.ORBIT_DADATA_TIMEOUT = 2
        yield fake


def test_typing_an_inn_fills_the_company_from_the_register(org, page, dadata):
    inn, closed = unique_inn(), unique_inn()
    dadata.answer(inn, party(inn, kpp="770301001"))
    dadata.answer(closed, party(closed, status="LIQUIDATED", liquidation_date=1_704_067_200_000))
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)

    login(page, "am_a", PASSWORD)
    page.goto("/accounts/new/")
    page.locator("#id_inn").fill(inn)
    expect(page.locator("#id_legal_name")).to_have_value('ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ "РОМАШКА"')
    expect(page.locator("#id_short_name")).to_have_value('ООО "РОМАШКА"')
    expect(page.locator("#id_kpp")).to_have_value("770301001")
    expect(page.locator("#id_address")).to_have_value("125009, г Москва, Тверской р-н, ул Тверская, д 1")
    expect(page.locator("#id_director")).to_have_value("Иванов Иван Иванович, ГЕНЕРАЛЬНЫЙ ДИРЕКТОР")
    expect(page.locator("#inn-register")).to_contain_text("Заполнено из реестра компаний")
    screenshot(page, "account-form-inn-ru")

    page.locator("#id_inn").fill(closed)
    expect(page.locator("#inn-register .conflict")).to_contain_text("ликвидирована")
    expect(page.locator("#inn-register .conflict")).to_contain_text("01.01.2024")
    screenshot(page, "account-form-inn-liquidated-ru")

    page.locator("#id_inn").fill(inn)
    expect(page.locator("#inn-register .conflict")).to_have_count(0)
    page.get_by_role("button", name="Сохранить").click()
    expect(page.locator("h1")).to_have_text('ООО "РОМАШКА"')
    expect(page.locator("#key-facts")).to_contain_text("ул Тверская")
    assert problems == []


@pytest.mark.parametrize(("width", "height"), [(1440, 900), (390, 844)])
def test_the_card_header_shows_the_key_facts_and_quick_actions(org, page, width, height):
    account = make_account(
        org.head,
        org.am_a,
        legal_name="ООО «Северный ветер»",
        short_name="Северный ветер",
        phone="+74951234567",
        address="125009, г Москва, ул Тверская, д 1",
        website="https://veter.ru",
    )
    touches.touch_log(
        by=org.am_a, account=account, duration_minutes=30, happened_at=timezone.now() - dt.timedelta(days=2)
    )
    page.set_viewport_size({"width": width, "height": height})
    login(page, "am_a", PASSWORD)
    page.goto(f"/accounts/{account.pk}/")
    settle(page)
    facts = page.locator("#key-facts")
    expect(facts).to_contain_text("+7 495 123-45-67")
    expect(facts).to_contain_text("veter.ru")
    expect(facts).to_contain_text("Открытые обращения")
    actions = page.get_by_role("group", name="Быстрые действия")
    expect(actions.get_by_role("link", name="Записать касание")).to_be_visible()
    expect(actions.get_by_role("link", name="Зарегистрировать обращение")).to_be_visible()
    # The header fits its box at either width (its buttons and facts wrap, the sections' links scroll).
    assert page.evaluate(
        "(() => { const h = document.querySelector('.card-head'); return h.scrollWidth <= h.clientWidth; })()"
    )
    screenshot(page, f"account-card-ru-{width}")
    actions.get_by_role("link", name="Запланировать касание").click()
    page.wait_for_url(f"**/agenda/accounts/{account.pk}/plan/")


@pytest.mark.parametrize(("width", "height"), [(1440, 900), (390, 844)])
def test_the_card_tabs_open_by_mouse_and_keyboard_and_stay_in_the_address(org, page, width, height):
    account = make_account(org.head, org.am_a, legal_name="ООО «Северный ветер»", short_name="Северный ветер")
    touches.touch_log(
        by=org.am_a, account=account, duration_minutes=30, happened_at=timezone.now() - dt.timedelta(days=2)
    )
    fetched = []
    page.on("request", lambda request: fetched.append(request.url))
    page.set_viewport_size({"width": width, "height": height})
    login(page, "am_a", PASSWORD)
    page.goto(f"/accounts/{account.pk}/")
    settle(page)
    tabs = page.get_by_role("tablist", name="Разделы карточки")
    overview = tabs.get_by_role("tab", name="Обзор")
    expect(overview).to_have_attribute("aria-selected", "true")
    expect(page.locator("#account-touches")).to_be_visible()
    expect(page.locator("#panel-money")).to_be_hidden()
    assert not [url for url in fetched if "/history/" in url or "/ownership/" in url]  # not opened: not read

    # The keyboard: arrows move and select, Home and End jump; the chosen panel is fetched once and shown.
    overview.focus()
    page.keyboard.press("ArrowRight")
    requests_tab = tabs.get_by_role("tab", name="Обращения")
    expect(requests_tab).to_be_focused()
    expect(requests_tab).to_have_attribute("aria-selected", "true")
    expect(overview).to_have_attribute("aria-selected", "false")
    expect(page.locator("#account-requests")).to_be_visible()
    page.keyboard.press("End")
    expect(tabs.get_by_role("tab", name="Лента событий")).to_be_focused()
    expect(page.locator("#history")).to_be_visible()
    expect(page).to_have_url(f"{page.url.split('?')[0]}?tab=timeline")
    page.keyboard.press("Home")
    expect(overview).to_be_focused()
    page.keyboard.press("ArrowLeft")  # wraps round to the last
    expect(tabs.get_by_role("tab", name="Лента событий")).to_have_attribute("aria-selected", "true")

    # The mouse, and a reload opens the same tab (rendered in the page: the ownership tab is the card's own).
    tabs.get_by_role("tab", name="Команда и владение").click()
    expect(page.locator("#history-h")).to_be_visible()
    assert len([url for url in fetched if "/requests/account/" in url]) == 1  # each panel once
    page.reload()
    expect(tabs.get_by_role("tab", name="Команда и владение")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#history-h")).to_be_visible()
    expect(page.locator("#panel-overview")).to_be_hidden()
    # The header's open-requests figure opens its tab.
    page.locator("#key-facts").get_by_role("link", name="0").click()
    expect(requests_tab).to_have_attribute("aria-selected", "true")
    settle(page)
    # The tab list is one line: at 390 px it scrolls sideways instead of wrapping or widening the page.
    box = page.evaluate(
        "(() => { const t = document.querySelector('[role=tablist]'); return [t.scrollWidth, t.clientWidth,"
        " t.getBoundingClientRect().height, document.documentElement.scrollWidth, window.innerWidth]; })()"
    )
    assert box[3] <= box[4]
    assert box[2] < 60  # one row of tabs
    if width == 390:
        assert box[0] > box[1]
        # A link to a tab far along the list (the ownership tab) shows that tab, scrolled into sight.
        page.goto(f"/accounts/{account.pk}/?tab=ownership")
        settle(page)
        assert page.evaluate(
            "(() => { const l = document.querySelector('[role=tablist]').getBoundingClientRect();"
            " const t = document.querySelector('[role=tab][aria-selected=true]').getBoundingClientRect();"
            " return t.left >= l.left && t.right <= l.right; })()"
        )
    screenshot(page, f"account-card-tabs-{width}")
