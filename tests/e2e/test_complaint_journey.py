"""A complaint in the browser: the manager registers it from the account's card, the lead answers, the manager
attaches the client's photo, moves it on and resolves it; the SLA clock and the card follow."""

from playwright.sync_api import expect

from orbit.requests.defaults import ensure_defaults
from orbit.requests.models import Request, RequestStatus
from tests.e2e.conftest import login, screenshot
from tests.factories import PASSWORD, make_account

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _page_for(browser, live_server, username):
    page = browser.new_context(viewport={"width": 1366, "height": 900}, base_url=live_server.url).new_page()
    page.set_default_timeout(10_000)
    login(page, username, PASSWORD)
    return page


def test_a_complaint_is_registered_answered_and_resolved(org, browser, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    ensure_defaults()  # departments and SLA rules, should an earlier test have flushed them
    account = make_account(org.head, org.am_a, legal_name="ООО «Ромашка»", short_name="Ромашка")
    manager = _page_for(browser, live_server, "am_a")
    manager.goto(f"/accounts/{account.pk}/?tab=requests")
    manager.locator("#account-requests").get_by_role("link", name="+ Новое обращение").click()
    manager.locator("#id_request_type").select_option(label="Претензия")
    manager.locator("#id_priority").select_option(label="Высокий")
    manager.locator("#id_department").select_option(label="Логистика")
    manager.locator("#id_subject").fill("Недовоз 20 коробок")
    manager.locator("#id_description").fill("По накладной 200, по факту 180.")
    manager.get_by_role("button", name="Зарегистрировать обращение").click()
    expect(manager.locator("#request-status")).to_have_text("Новое")
    expect(manager.locator("#sla-left")).to_contain_text("Осталось рабочих часов")
    complaint = Request.objects.get()

    lead = _page_for(browser, live_server, "lead_a")
    lead.goto(f"/requests/{complaint.pk}/")
    lead.locator("#id_text").fill("Склад подтвердил недовоз, довезём завтра.")
    lead.get_by_role("button", name="Добавить комментарий").click()
    expect(lead.locator(".timeline")).to_contain_text("Склад подтвердил недовоз")

    manager.reload()
    manager.locator("#id_file").set_input_files(
        files=[{"name": "фото.png", "mimeType": "image/png", "buffer": PNG}]
    )
    manager.get_by_role("button", name="Прикрепить").click()
    expect(manager.get_by_role("link", name="фото.png")).to_be_visible()
    manager.get_by_role("button", name="Взять в работу").click()
    expect(manager.locator("#request-status")).to_have_text("В работе")
    manager.get_by_role("button", name="Отметить решённым").click()  # a complaint is resolved with how
    expect(manager.locator("#actions-h ~ form .field-error")).to_contain_text("Опишите, как решена претензия")
    manager.locator("#id_comment").fill("Довезли 20 коробок, клиент подтвердил.")
    manager.get_by_role("button", name="Отметить решённым").click()
    expect(manager.locator("#request-status")).to_have_text("Решено")
    expect(manager.locator(".timeline")).to_contain_text("Статус: В работе → Решено")
    expect(manager.locator("#sla")).to_contain_text("SLA соблюдён")
    screenshot(manager, "complaint-resolved")
    complaint.refresh_from_db()
    assert complaint.status == RequestStatus.RESOLVED and complaint.first_responded_at is not None
    assert complaint.attachments.get().original_name == "фото.png"

    # The list opens on open requests (issue 17): the resolved complaint is under "All".
    manager.goto("/requests/?type=complaint")
    expect(manager.locator("#results")).not_to_contain_text("Недовоз 20 коробок")
    manager.locator("#f-status").select_option(label="Все")
    expect(manager.locator("#results")).to_contain_text("Недовоз 20 коробок")
    screenshot(manager, "requests-list")
