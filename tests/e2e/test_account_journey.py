"""A manager logs in, finds an account, opens its card, edits it and sees the change and the history."""

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import expect

from orbit.accounts import ownership
from orbit.accounts.models import ChangeReason
from tests.e2e.conftest import login, open_tab, screenshot
from tests.factories import PASSWORD, make_account


def test_search_open_edit_and_see_history(org, page):
    start = timezone.now() - dt.timedelta(days=400)
    target = make_account(
        org.head,
        org.am_b,
        legal_name="ООО «Северный ветер»",
        short_name="Северный ветер",
        inn="7707083893",
        kpp="773601001",
        at=start,
    )
    ownership.transfer(
        account=target,
        manager=org.am_a,
        by=org.head,
        reason=ChangeReason.OVERLOAD,
        at=start + dt.timedelta(days=200),
        comment="Балансировка портфеля",
    )
    for n in range(3):
        make_account(org.head, org.am_a, legal_name=f"АО «Южный порт {n}»")
    make_account(org.head, org.am_b, legal_name="ООО «Чужой клиент»")

    login(page, "am_a", PASSWORD)
    expect(page.locator("h1")).to_have_text("Мой день")  # a manager starts on his day
    page.get_by_role("link", name="Аккаунты").click()
    expect(page.locator("h1")).to_have_text("Аккаунты")
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(4)  # am_a's own accounts only, not am_b's
    screenshot(page, "accounts-list")

    page.locator("#q").fill("северн")
    expect(rows).to_have_count(1)
    expect(page).to_have_url(re.compile(r"[?&]q="))
    page.locator("#results tbody a", has_text="Северный ветер").click()
    expect(page.locator("h1")).to_have_text("Северный ветер")
    open_tab(page, "Команда и владение")
    history = page.locator("#history-h + ol.timeline > li")
    expect(history).to_have_count(2)
    expect(history.first).to_contain_text("Балансировка портфеля")
    screenshot(page, "account-card")

    page.get_by_role("link", name="Изменить").click()
    page.locator("#id_goals").fill("Выйти на рынок Казахстана к 2027 году")
    page.locator("#id_inn").fill("7707083894")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.locator("#id_inn_error")).to_contain_text("контрольн")
    screenshot(page, "account-edit-error")

    page.locator("#id_inn").fill("7707083893")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.locator(".msg-success")).to_be_visible()
    expect(page.locator("#strategy-h + dl")).to_contain_text("Выйти на рынок Казахстана")
    target.refresh_from_db()
    assert target.goals == "Выйти на рынок Казахстана к 2027 году"
    # Created, first owner set, reassigned, edited once: the refused edit changed nothing.
    assert target.version == 4
    screenshot(page, "account-card-after-edit")
