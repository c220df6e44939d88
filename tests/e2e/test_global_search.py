"""The global search in the browser: "/" focuses the top bar's box, results come grouped as one types, the
arrow keys move through them and Enter opens one; Esc closes the list."""

from playwright.sync_api import expect

from orbit.accounts import services
from tests.e2e.conftest import login, screenshot, settle
from tests.factories import PASSWORD, make_account


def test_type_and_open_a_result_with_the_keyboard(org, page):
    mine = make_account(org.head, org.am_a, legal_name="ООО «Кристалл Альфа»", short_name="Кристалл")
    services.contact_create(by=org.head, account=mine, full_name="Орлова Анна", phone="+79215550212")
    make_account(org.head, org.am_b, legal_name="АО «Кристалл Бета»")  # another team's: never shown
    page.set_viewport_size({"width": 1440, "height": 900})
    login(page, "am_a", PASSWORD)
    settle(page)

    page.keyboard.press("/")
    box = page.locator("#global-search")
    expect(box).to_be_focused()
    box.press_sequentially("крис", delay=40)
    listbox = page.get_by_role("listbox")
    expect(listbox).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(listbox.get_by_role("option")).to_have_count(1)
    expect(listbox).not_to_contain_text("Бета")
    screenshot(page, "search-suggest-1440-ru")

    page.keyboard.press("Escape")
    expect(listbox).to_be_hidden()
    box.fill("")
    box.press_sequentially("921 555", delay=40)
    expect(listbox.get_by_role("option", name="Орлова Анна")).to_be_visible()
    page.keyboard.press("ArrowDown")
    expect(box).to_have_attribute(
        "aria-activedescendant", listbox.get_by_role("option").first.get_attribute("id")
    )
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/accounts/{mine.pk}/**")

    # The search page: Enter with no option chosen searches there.
    page.keyboard.press("/")
    page.locator("#global-search").fill("кристалл")
    page.locator("#global-search").press("Enter")
    page.wait_for_url("**/search/?q=*")
    expect(page.locator("main")).to_contain_text("Кристалл")
    expect(page.locator("main")).not_to_contain_text("Бета")
    screenshot(page, "search-page-1440-ru")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "search-page-390-ru")
