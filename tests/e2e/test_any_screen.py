"""Orbit on a phone (390 px) and a wide screen: the top bar folds into a menu button that works from the keyboard,
no main page scrolls sideways as a whole, the keyboard shortcuts work, and empty lists fit the role. Screenshots of
the main pages in Russian at 390 px and 1440 px go to test-artifacts/screens/."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login, screenshot, settle
from tests.e2e.test_accessibility import _world, main_pages
from tests.factories import PASSWORD

WIDTHS = {"phone": (390, 844), "desktop": (1440, 900)}
# The outermost elements that stick out to the right: what to fix when a page scrolls sideways.
STICKING_OUT = """(width) => [...document.querySelectorAll("main *")]
  .filter((el) => el.getBoundingClientRect().right > width + 1 && el.parentElement.getBoundingClientRect().right <= width + 1)
  .slice(0, 5).map((el) => `${el.tagName.toLowerCase()}.${el.className}`)"""


def _slug(url: str) -> str:
    return url.strip("/").replace("/", "-") or "home"


@pytest.fixture
def sized_page(browser, live_server):
    contexts = []

    def make(width: int, height: int):
        context = browser.new_context(viewport={"width": width, "height": height}, base_url=live_server.url)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_main_pages_fit_the_screen_and_are_photographed(org, sized_page, size):
    account, request = _world(org)
    width, height = WIDTHS[size]
    page = sized_page(width, height)
    login(page, "head", PASSWORD)
    wide = []
    for url in main_pages(account, request, head=True):
        page.goto(url)
        settle(page)
        # The page itself never scrolls sideways: a wide table scrolls inside its own box.
        if page.evaluate("document.documentElement.scrollWidth") > width:
            wide.append(f"{url} {page.evaluate(STICKING_OUT, width)}")
        screenshot(page, f"screens/{size}-{width}-{_slug(url)}")
    assert wide == [], f"pages wider than {width} px: {wide}"


def test_the_menu_folds_on_a_phone_and_opens_from_the_keyboard(org, sized_page):
    page = sized_page(*WIDTHS["phone"])
    login(page, "head", PASSWORD)
    toggle = page.get_by_role("button", name="Меню")
    nav = page.get_by_role("navigation", name="Главное меню")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(nav).to_be_hidden()

    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(nav).to_be_visible()
    # The head reaches the settings and the administration from the menu (he is staff here).
    expect(nav.get_by_role("link", name="Настройки")).to_be_visible()
    screenshot(page, "screens/phone-390-menu-open")
    page.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_be_focused()

    page.keyboard.press("Enter")
    nav.get_by_role("link", name="Аккаунты").click()
    page.wait_for_url("**/accounts/")
    expect(page.locator("h1")).to_be_visible()


def test_settings_and_admin_in_the_menu_only_for_those_allowed(org, page):
    org.head.is_staff = True
    org.head.save(update_fields=["is_staff"])
    login(page, "head", PASSWORD)
    nav = page.get_by_role("navigation", name="Главное меню")
    expect(nav.get_by_role("link", name="Настройки")).to_be_visible()
    expect(nav.get_by_role("link", name="Администрирование")).to_have_attribute("href", "/admin/")
    expect(nav.locator("svg.nav-icon").first).to_have_attribute("aria-hidden", "true")

    page.get_by_role("button", name="Выйти").click()
    login(page, "am_a", PASSWORD)
    expect(nav.get_by_role("link", name="Аккаунты")).to_be_visible()
    expect(nav.get_by_role("link", name="Настройки")).to_have_count(0)
    expect(nav.get_by_role("link", name="Администрирование")).to_have_count(0)


def test_keyboard_shortcuts(org, page):
    account, _request = _world(org)
    login(page, "am_a", PASSWORD)
    dialog = page.get_by_role("dialog", name="Сочетания клавиш")
    page.keyboard.press("?")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("g a")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    page.keyboard.press("g")
    page.keyboard.press("a")
    page.wait_for_url("**/accounts/")

    page.goto(f"/accounts/{account.pk}/")
    settle(page)
    page.keyboard.press("n")
    expect(page.locator("[data-shortcut-new-touch]")).to_have_attribute("open", "")
    focused = page.evaluate("document.activeElement.closest('[data-shortcut-new-touch]') !== null")
    assert focused
    # Typed into a field, the same letters are text, not shortcuts.
    page.keyboard.type("ga")
    assert page.url.endswith(f"/accounts/{account.pk}/")

    page.keyboard.press("Escape")
    page.locator("body").click(position={"x": 5, "y": 300})
    page.keyboard.press("g")
    page.keyboard.press("t")
    page.wait_for_url("**/agenda/")
    # Tab from the top reaches the skip link first, and it is visible when focused.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Перейти к содержимому")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()


def test_empty_lists_do_not_tell_an_auditor_to_add_things(org, page):
    login(page, "auditor", PASSWORD)
    today = page.locator("section[aria-labelledby=today-h]")
    expect(today).to_contain_text("На сегодня ничего не запланировано.")
    expect(today).not_to_contain_text("Запланируйте")
    page.goto("/accounts/")
    empty = page.locator(".empty")
    expect(empty).to_be_visible()
    expect(empty.get_by_role("link", name="Новый аккаунт")).to_have_count(0)
    page.goto("/requests/")
    expect(page.locator(".empty")).not_to_contain_text("Новое обращение")
