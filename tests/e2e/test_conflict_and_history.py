"""Two people edit one account at once: the second sees the first one's change, nothing is overwritten,
and the audit timeline on the card tells who changed what."""

from playwright.sync_api import expect

from tests.e2e.conftest import login, open_tab, screenshot, settle
from tests.factories import PASSWORD, make_account


def test_second_writer_gets_the_conflict_and_the_timeline_shows_both(org, browser, live_server):
    account = make_account(org.head, org.am_a, legal_name="АО «Заря»", goals="Исходная цель")
    pages = {}
    for who in ("am_a", "lead_a"):
        context = browser.new_context(viewport={"width": 1366, "height": 900}, base_url=live_server.url)
        pages[who] = context.new_page()
        login(pages[who], who, PASSWORD)
        pages[who].goto(f"/accounts/{account.pk}/edit/")

    lead, manager = pages["lead_a"], pages["am_a"]
    lead.locator("#id_goals").fill("Цель руководителя")
    lead.locator("form.panel button[type=submit]").click()
    expect(lead.locator(".msg-success")).to_be_visible()

    manager.locator("#id_goals").fill("Цель менеджера")
    manager.locator("form.panel button[type=submit]").click()
    conflict = manager.locator("#conflict")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("Цель руководителя")
    expect(conflict).to_contain_text("Lead_A")
    expect(manager.locator("#id_goals")).to_have_value("Цель менеджера")
    screenshot(manager, "edit-conflict")
    account.refresh_from_db()
    assert account.goals == "Цель руководителя"

    # The form now carries the current version: saving again is a deliberate overwrite, and it is recorded.
    manager.locator("form.panel button[type=submit]").click()
    expect(manager.locator(".msg-success")).to_be_visible()
    open_tab(manager, "Лента событий")  # the card's timeline tab
    history = manager.locator("#history")
    expect(history.locator("ol.timeline > li")).to_have_count(
        4
    )  # created, owner, lead's edit, manager's edit
    expect(history).to_contain_text("Цель руководителя")
    expect(history).to_contain_text("Цель менеджера")
    settle(manager)
    manager.locator("#h-actor").select_option(label="Lead_A")
    expect(history.locator("ol.timeline > li")).to_have_count(1)
    screenshot(manager, "account-history")
