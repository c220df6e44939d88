"""The bell in the browser: htmx loads the unread count, the list opens from it, following a notification
marks it read and the bell counts one less; the settings page saves the table."""

from playwright.sync_api import expect

from orbit.notifications.kinds import Channels, Kind
from orbit.notifications.models import Notification
from orbit.notifications.services import notify, preferences_of
from tests.e2e.conftest import login, screenshot
from tests.factories import PASSWORD, make_account


def test_bell_list_and_settings(org, page):
    account = make_account(org.head, org.am_a, legal_name="ООО «Ромашка»", short_name="Ромашка")
    notify(
        recipients=[org.am_a],
        kind=Kind.REQUEST_ASSIGNED,
        title="Новая претензия по «Ромашке»",
        body="Клиент недоволен сроками поставки.",
        url=f"/accounts/{account.pk}/",
        account=account,
    )
    notify(recipients=[org.am_a], kind=Kind.TASK_DUE, title="Срок задачи: позвонить Орлову", url="/agenda/")
    login(page, "am_a", PASSWORD)

    bell = page.locator("#bell-link")
    expect(bell).to_have_attribute("aria-label", "Уведомления: 2 непрочитанных")  # loaded by htmx
    expect(bell.locator(".bell-count")).to_have_text("2")
    bell.focus()
    page.keyboard.press("Enter")  # reachable and usable from the keyboard
    page.wait_for_url("**/notifications/")
    expect(page.locator("li.notif.unread")).to_have_count(2)
    screenshot(page, "notifications-list")

    page.get_by_role("link", name="Новая претензия по «Ромашке»").click()
    page.wait_for_url(f"**/accounts/{account.pk}/")
    expect(page.locator("#bell-link")).to_have_attribute("aria-label", "Уведомления: 1 непрочитанное")
    assert Notification.objects.filter(read_at__isnull=True).count() == 1

    page.goto("/notifications/")
    page.get_by_role("button", name="Отметить все как прочитанные").click()
    expect(page.locator("li.notif.unread")).to_have_count(0)
    expect(page.locator("#bell-link")).to_have_attribute("aria-label", "Уведомления: непрочитанных нет")

    page.get_by_role("link", name="Настройки уведомлений").click()
    page.get_by_role("checkbox", name="Подошёл срок моей задачи По почте").check()
    page.get_by_role("button", name="Сохранить").click()
    expect(page.locator(".messages")).to_contain_text("Настройки уведомлений сохранены.")
    assert preferences_of(org.am_a)[Kind.TASK_DUE] == Channels(in_app=True, email=True)
    screenshot(page, "notifications-settings")
