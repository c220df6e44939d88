"""The requests board in the browser: a card dragged with the mouse to the next status column, another moved with
the keyboard only (its "Move to…" menu), a move the status flow does not allow refused with the reason on the card,
and a card changed by someone else meanwhile (409) left where it is with the reason; the counts follow."""

from playwright.sync_api import expect

from orbit.requests import services
from orbit.requests.defaults import ensure_defaults
from orbit.requests.models import Department, Request, RequestStatus
from tests.e2e.conftest import login, screenshot, settle
from tests.factories import PASSWORD, make_account


def _request(org, account, subject):
    return services.request_create(
        by=org.am_a,
        account=account,
        request_type="question",
        priority="normal",
        department=Department.objects.get(code="support"),
        subject=subject,
    )


def test_cards_move_by_mouse_and_keyboard_and_refusals_say_why(org, page):
    ensure_defaults()
    account = make_account(org.head, org.am_a, legal_name="ООО «Северный ветер»", short_name="Северный ветер")
    dragged = _request(org, account, "Не приходят счета")
    keyed = _request(org, account, "Сверка за квартал")
    skipper = _request(org, account, "Пропуск этапа")
    stale = _request(org, account, "Изменено коллегой")
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    login(page, "am_a", PASSWORD)
    page.goto("/requests/board/")
    new_column = page.locator("[data-drop-status=new]")
    working = page.locator("[data-drop-status=in_progress]")
    expect(new_column.locator("[data-count]")).to_have_text("4")

    # 1. The mouse: drag a new request onto "In progress".
    page.locator(f"#req-card-{dragged.pk}").drag_to(working)
    expect(working.locator(f"#req-card-{dragged.pk}")).to_be_visible()
    expect(working.locator("[data-count]")).to_have_text("1")
    expect(new_column.locator("[data-count]")).to_have_text("3")
    assert Request.objects.get(pk=dragged.pk).status == RequestStatus.IN_PROGRESS
    settle(page)

    # 2. The keyboard only: the card's menu, the next status, Tab to the button, Enter.
    menu = page.locator(f"#move-{keyed.pk}")
    menu.focus()
    menu.select_option("in_progress")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(working.locator(f"#req-card-{keyed.pk}")).to_be_visible()
    expect(working.locator("[data-count]")).to_have_text("2")
    settle(page)

    # 3. New → Resolved skips the work: refused, the card stays, the reason is on it.
    page.locator(f"#req-card-{skipper.pk}").drag_to(page.locator("[data-drop-status=resolved]"))
    why = new_column.locator(f"#req-card-{skipper.pk}-why")
    expect(why).to_contain_text("нельзя перевести в статус «Решено»")
    expect(page.locator(f"#move-{skipper.pk}")).to_be_focused()
    assert Request.objects.get(pk=skipper.pk).status == RequestStatus.NEW
    screenshot(page, "requests-board-refused")

    # 4. Someone else took the request into work after the board was drawn: 409, the card back where it was.
    services.request_change_status(
        by=org.head, request=stale, status=RequestStatus.IN_PROGRESS, version=stale.version
    )
    page.locator(f"#req-card-{stale.pk}").drag_to(page.locator("[data-drop-status=waiting_client]"))
    expect(page.locator(f"#req-card-{stale.pk}-why")).to_be_visible()
    expect(page.locator("[data-drop-status=waiting_client] [data-count]")).to_have_text("0")
    assert Request.objects.get(pk=stale.pk).status == RequestStatus.IN_PROGRESS
    screenshot(page, "requests-board-conflict")
    assert [p for p in problems if "409" not in p and "400" not in p] == []
