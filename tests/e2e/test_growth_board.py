"""A manager works the pipeline board in Russian: drags a card to the next stage with the mouse, moves another
with the keyboard only (its "Move to…" menu), drops one on Won past a required stage — refused: the reason in
the board's alert region, the card where it was — and drops one on Lost, which asks why. The database is checked
after each move; the board and the list are photographed."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from orbit.growth.defaults import ensure_defaults
from orbit.growth.models import LostReason, Opportunity, Stage
from orbit.growth.opportunities import opportunity_create
from tests.e2e.conftest import login, screenshot, settle
from tests.factories import PASSWORD, make_account


def _deal(org, account, title, amount, days):
    return opportunity_create(
        by=org.am_a,
        account=account,
        kind="upsell",
        title=title,
        amount=Decimal(amount),
        expected_close_on=timezone.localdate() + dt.timedelta(days=days),
    )


def _card(page, deal):
    return page.locator(f"#opp-card-{deal.pk}")


def _column(page, stage):
    return page.locator(f'.board-column[data-drop-stage="{stage.pk}"]')


def test_moves_on_the_board_with_the_mouse_and_the_keyboard(org, page):
    ensure_defaults()
    stage = {s.code: s for s in Stage.objects.filter(pipeline__code="account_growth")}
    north = make_account(org.head, org.am_a, legal_name="ООО «Северный ветер»", short_name="Северный ветер")
    south = make_account(org.head, org.am_a, legal_name="ООО «Южный порт»", short_name="Южный порт")
    dragged = _deal(org, north, "Лицензии на 200 мест", "1200000.00", 12)
    keyed = _deal(org, south, "Техподдержка 24/7", "480000.00", 20)
    skipper = _deal(org, north, "Обучение операторов", "150000.00", 35)
    doomed = _deal(org, south, "Второй склад", "2500000.00", 50)
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)

    login(page, "am_a", PASSWORD)
    page.goto(f"/growth/board/?pipeline={stage['identified'].pipeline_id}")
    settle(page)
    identified, qualified = _column(page, stage["identified"]), _column(page, stage["qualified"])
    expect(identified.locator(".board-card")).to_have_count(4)
    expect(identified.locator("[data-count]")).to_have_text("4")
    screenshot(page, "growth-board-ru")

    # 1. The mouse: drag the first card onto the next column.
    _card(page, dragged).drag_to(qualified)
    expect(qualified.locator(f"#opp-card-{dragged.pk}")).to_be_visible()
    expect(identified.locator("[data-count]")).to_have_text("3")
    dragged.refresh_from_db()
    assert dragged.stage == stage["qualified"] and dragged.probability == 30
    expect(page.locator("#board-status")).to_contain_text("Лицензии на 200 мест")

    # 2. The keyboard only: from the card's title, Tab past the account's link to its "Move to…" menu, pick the
    # next stage, Tab, Enter.
    settle(page)
    _card(page, keyed).locator(".card-title").focus()
    page.keyboard.press("Tab")
    expect(_card(page, keyed).locator("a.card-account")).to_be_focused()
    page.keyboard.press("Tab")
    menu = _card(page, keyed).locator("select[name=stage]")
    expect(menu).to_be_focused()
    page.keyboard.press("ArrowDown")  # Идентифицирована → Подтверждена клиентом
    expect(menu).to_have_value(str(stage["qualified"].pk))
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(qualified.locator(f"#opp-card-{keyed.pk}")).to_be_visible()
    expect(_card(page, keyed)).to_be_focused()  # focus follows the card to its new column
    keyed.refresh_from_db()
    assert keyed.stage == stage["qualified"]

    # 3. Refused: Won straight from the first stage skips the required ones.
    settle(page)
    _card(page, skipper).drag_to(page.locator(".drop-won"))
    alert = page.locator("#board-alert")
    expect(alert).to_contain_text("нельзя пропустить")
    expect(identified.locator(f"#opp-card-{skipper.pk}")).to_be_visible()  # still where it was
    skipper.refresh_from_db()
    assert skipper.stage == stage["identified"] and skipper.status == "open"
    screenshot(page, "growth-board-refused-ru")

    # 4. Lost asks why, in a dialog; the keyboard picks the reason.
    settle(page)
    _card(page, doomed).drag_to(page.locator(".drop-lost"))
    dialog = page.locator("#lost-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("select[name=lost_reason]")).to_be_focused()
    dialog.locator("select[name=lost_reason]").select_option(label="Нет бюджета")
    dialog.locator("#lost-note").fill("Бюджет перенесли на следующий год")
    dialog.get_by_role("button", name="Отметить проигранной").click()
    expect(page.locator(f"#opp-card-{doomed.pk}")).to_have_count(0)
    expect(alert).to_be_empty()
    doomed.refresh_from_db()
    assert doomed.status == "lost" and doomed.lost_reason == LostReason.objects.get(code="no_budget")
    assert doomed.lost_note == "Бюджет перенесли на следующий год"

    page.goto("/growth/opportunities/?status=all")
    settle(page)
    expect(page.locator("#total-amount")).to_contain_text(
        "4 330 000,00"
    )  # 1 200 000 + 480 000 + 150 000 + 2 500 000
    screenshot(page, "growth-list-ru")
    assert Opportunity.objects.filter(status="open").count() == 3
    # The refused move's 400 is the browser's only complaint: no script was blocked, nothing crashed.
    assert [p for p in problems if "status of 400" not in p] == [], problems


def test_the_forecast_chart_the_opportunity_page_and_the_form(org, page):
    ensure_defaults()
    north = make_account(org.head, org.am_a, legal_name="ООО «Северный ветер»", short_name="Северный ветер")
    south = make_account(org.head, org.am_a1, legal_name="ООО «Южный порт»", short_name="Южный порт")
    deal = _deal(org, north, "Лицензии на 200 мест", "1200000.00", 3)
    _deal(org, north, "Техподдержка 24/7", "480000.00", 40)
    opportunity_create(
        by=org.am_a1,
        account=south,
        kind="cross_sell",
        title="Мониторинг",
        amount=Decimal("300000.00"),
        expected_close_on=timezone.localdate() + dt.timedelta(days=75),
    )
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    login(page, "lead_a", PASSWORD)

    page.goto("/growth/forecast/")
    settle(page)
    expect(page.locator("#forecast-table tbody tr")).to_have_count(2)  # am_a and am_a1
    expect(page.locator(".chart-canvas canvas")).to_have_count(1)
    screenshot(page, "growth-forecast-ru")
    page.locator("#fc-by").select_option("team")
    page.wait_for_url("**by=team**")
    settle(page)
    expect(page.locator("#forecast-table tbody tr")).to_have_count(2)  # Team A (with A1) and Team A1
    expect(page.locator("#forecast-table tfoot")).to_contain_text(
        "1 980 000,00"
    )  # 1 200 000 + 480 000 + 300 000

    page.goto(f"/growth/opportunities/{deal.pk}/")
    settle(page)
    expect(page.locator("h1")).to_have_text("Лицензии на 200 мест")
    screenshot(page, "growth-opportunity-ru")
    page.goto(f"/growth/opportunities/new/?account={north.pk}&kind=cross_sell")
    expect(page.locator("#id_kind")).to_have_value("cross_sell")
    page.locator("#id_title").fill("Обучение")
    page.locator("#id_amount").fill("-5")
    page.locator("#id_expected_close_on").fill((timezone.localdate() + dt.timedelta(days=9)).isoformat())
    page.get_by_role("button", name="Сохранить").click()
    expect(page.locator(".field-error")).to_contain_text("Сумма не может быть отрицательной.")
    screenshot(page, "growth-form-error-ru")
    assert not Opportunity.objects.filter(title="Обучение").exists()
    assert [p for p in problems if "status of 400" not in p] == [], problems
