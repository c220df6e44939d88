"""The head answers a person's erasure request: from the card to the contact's personal-data page, a consent
recorded by the manager is there, the JSON export downloads, the erasure asks for a confirmation, then the
contact is anonymous on the card and in the audit."""

import json

from playwright.sync_api import expect

from orbit.accounts import services as account_services
from orbit.privacy.models import Erasure
from tests.e2e.conftest import login, screenshot
from tests.factories import PASSWORD, make_account


def test_consent_export_and_erasure_in_the_browser(org, page):
    account = make_account(org.head, org.am_a, legal_name="АО «Заря»")
    contact = account_services.contact_create(
        by=org.head, account=account, full_name="Орлова Мария", email="orlova@zarya.example"
    )
    login(page, "am_a", PASSWORD)
    page.goto(f"/accounts/{account.pk}/?tab=contacts")
    page.get_by_role("link", name="персональные данные").click()
    expect(page.locator("h1")).to_contain_text("Орлова Мария")
    expect(page.locator("#erase-h")).to_have_count(0)  # a manager does not erase
    page.locator("#id_purpose").fill("Рассылка о новинках")
    page.locator("#id_on_date").fill("2026-11-02")
    page.get_by_role("button", name="Записать согласие").click()
    expect(page.locator("table.data")).to_contain_text("Рассылка о новинках")
    page.context.clear_cookies()

    login(page, "head", PASSWORD)
    page.goto(f"/privacy/accounts/{account.pk}/contacts/{contact.pk}/")
    with page.expect_download() as download:
        page.get_by_role("link", name="JSON").click()
    data = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert data["consents"][0]["purpose"] == "Рассылка о новинках"

    page.locator("#id_reference").fill("Заявление № 12 от 01.12.2026")
    page.locator("#id_confirm").check()
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Удалить персональные данные").click()
    assert dialogs and "нельзя отменить" in dialogs[0]
    assert not Erasure.objects.exists()  # dismissed: nothing erased

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Удалить персональные данные").click()
    expect(page.locator(".msg-success")).to_be_visible()
    expect(page.locator("h1")).not_to_contain_text("Орлова")
    screenshot(page, "privacy-erased")
    page.goto(f"/accounts/{account.pk}/")
    expect(page.locator("main")).not_to_contain_text("Орлова")
    page.goto("/privacy/erasures/")
    expect(page.locator("table.data")).to_contain_text("Заявление № 12 от 01.12.2026")
    assert Erasure.objects.get().contact_id == contact.pk
