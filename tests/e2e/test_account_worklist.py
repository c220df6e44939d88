"""The account list carries the day's work (issue 17): a manager chooses the columns with the keyboard, sorts
by next touch and finds the overdue account first, marked in words; in Russian at 1440 and 390 px, and axe
finds nothing serious with the chooser open."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from orbit.accounts import pulse
from orbit.activities import services as touches
from orbit.activities.models import Touch
from tests.e2e.conftest import login, screenshot, settle
from tests.e2e.test_accessibility import AXE, RUN_AXE
from tests.factories import PASSWORD, make_account


def _portfolio(org):
    today = timezone.localdate()
    late = make_account(org.head, org.am_a, legal_name="ООО «Просрочка»", short_name="Просрочка")
    # A touch left planned for last week (planning in the past is refused, so it is written as it stands).
    Touch.objects.create(account=late, owner=org.am_a, planned_for=today - dt.timedelta(days=7))
    pulse.refresh([late.pk])
    soon = make_account(org.head, org.am_a, legal_name="ООО «Завтра»", short_name="Завтра")
    touches.touch_log(by=org.am_a, account=soon, duration_minutes=20, next_on=today + dt.timedelta(days=1))
    make_account(org.head, org.am_a, legal_name="ООО «Тишина»", short_name="Тишина")  # nothing at all


@pytest.mark.parametrize(("width", "height"), [(1440, 900), (390, 844)])
def test_choosing_columns_and_sorting_by_next_touch(org, page, width, height):
    _portfolio(org)
    page.set_viewport_size({"width": width, "height": height})
    login(page, "am_a", PASSWORD)
    page.goto("/accounts/")
    settle(page)

    chooser = page.locator("details.column-chooser")
    chooser.locator("summary").focus()
    page.keyboard.press("Enter")  # opened from the keyboard
    for label in ("ИНН", "Статус", "Категория"):
        box = chooser.get_by_label(label, exact=True)
        box.focus()
        page.keyboard.press("Space")
        expect(box).not_to_be_checked()
    page.add_script_tag(url=AXE)
    assert page.evaluate(RUN_AXE) == []
    chooser.get_by_role("button", name="Показать эти столбцы").click()
    page.wait_for_url("**/accounts/?*cols=*")
    settle(page)
    headers = page.locator("table.data thead th")
    expect(headers).to_have_count(7)  # the bulk selection, the name, segment, manager, the three work columns
    expect(page.locator("table.data thead")).not_to_contain_text("ИНН")

    page.locator("table.data thead").get_by_role("link", name="Следующее касание").click()
    page.wait_for_url("**sort=next_touch**")
    settle(page)
    assert "cols=" in page.url  # the choice stays with the sort
    rows = page.locator("table.data tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("Просрочка")
    expect(rows.nth(0).locator(".badge.overdue")).to_have_text("просрочено")
    expect(rows.nth(1)).to_contain_text("Завтра")
    expect(rows.nth(2)).to_contain_text("Тишина")
    expect(rows.nth(2)).to_contain_text("ничего не запланировано")
    expect(headers).to_have_count(7)
    screenshot(page, f"account-worklist-{width}")
