"""The account list's bars in the browser: save a view and reopen it from the views bar; select rows and change
their tier in bulk; see the refusal list (nothing changed) when one selected account is not his to change."""

from orbit.accounts import team
from orbit.accounts.models import Account, TeamRole, Tier
from orbit.savedviews.models import SavedView
from tests.e2e.conftest import login, screenshot, settle
from tests.factories import PASSWORD, make_account


def test_save_a_view_and_reopen_it_from_the_bar(org, page):
    make_account(org.head, org.am_a, legal_name="ООО «Ключевой»", tier=Tier.A)
    make_account(org.head, org.am_a, legal_name="ООО «Обычный»", tier=Tier.C)
    login(page, "am_a", PASSWORD)
    page.goto("/accounts/")
    settle(page)
    page.select_option("#f-tier", "A")
    page.wait_for_function("() => location.search.includes('tier=A')")  # htmx pushes the filtered address
    settle(page)
    page.locator(".views-save summary").click()
    page.fill("#view-name", "Ключевые клиенты")
    page.locator(".views-save button[type=submit]").click()
    page.wait_for_url("**view=**")
    view = SavedView.objects.get(owner=org.am_a)
    assert "tier=A" in view.query and "view=" not in view.query
    page.goto("/accounts/")  # back to the whole list
    settle(page)
    assert page.locator("table.data tbody tr").count() == 2
    page.select_option("#saved-view", str(view.pk))
    page.locator(".views-bar button[type=submit]").first.click()
    page.wait_for_url("**tier=A**")
    settle(page)
    rows = page.locator("table.data tbody tr")
    assert rows.count() == 1 and "ООО «Ключевой»" in rows.first.inner_text()
    assert page.locator("#saved-view").input_value() == str(view.pk)
    screenshot(page, "views-bulk-view-reopened")


def test_bulk_tier_change_and_the_refusal_list(org, page):
    mine = [
        make_account(org.head, org.am_a, legal_name="ООО «Альфа»", tier=Tier.C),
        make_account(org.head, org.am_a, legal_name="ООО «Бета»", tier=Tier.C),
    ]
    foreign = make_account(org.head, org.am_b, legal_name="ООО «Дельта»", tier=Tier.C)
    team.team_member_add(by=org.head, account=foreign, user=org.am_a, role=TeamRole.SUPPORT_ENGINEER)
    login(page, "am_a", PASSWORD)
    page.goto("/accounts/")
    settle(page)
    assert page.locator("#bulk-form").is_hidden()  # no row selected: no bar
    for account in mine:
        page.locator(f"input[data-bulk-row][value^='{account.pk}:']").check()
    assert page.locator("[data-bulk-count]").inner_text().endswith("2")
    page.select_option("#bulk-action", "tier")
    page.select_option("#bulk-tier", "A")
    screenshot(page, "views-bulk-bar")
    page.locator("#bulk-form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "2" in page.locator(".messages").inner_text()
    assert [Account.objects.get(pk=a.pk).tier for a in mine] == ["A", "A"]
    # Now one of his and one he only sits on the team of: refused, listed, nothing changed.
    settle(page)
    page.locator(f"input[data-bulk-row][value^='{mine[0].pk}:']").check()
    page.locator(f"input[data-bulk-row][value^='{foreign.pk}:']").check()
    page.select_option("#bulk-tier", "B")
    with page.expect_response("**/accounts/bulk/") as answer:
        page.locator("#bulk-form button[type=submit]").click()
    assert answer.value.status == 400
    refusals = page.locator("table.bulk-refusals tbody tr")
    assert refusals.count() == 1 and "ООО «Дельта»" in refusals.first.inner_text()
    assert Account.objects.get(pk=mine[0].pk).tier == "A" and Account.objects.get(pk=foreign.pk).tier == "C"
    screenshot(page, "views-bulk-refused")


def test_bulk_handoff_to_a_receiver_loaded_when_the_field_shows(org, page):
    from orbit.handoffs.models import Handoff

    account = make_account(org.head, org.am_a, legal_name="ООО «Гамма»")
    login(page, "am_a", PASSWORD)
    page.goto("/accounts/")
    settle(page)
    assert page.locator("#bulk-receiver option").count() == 1  # only "—" until the field is shown
    page.locator(f"input[data-bulk-row][value^='{account.pk}:']").check()
    page.select_option("#bulk-action", "handoff")
    # Playwright's select_option waits for the option: the receivers arrive when the field is on screen.
    page.select_option("#bulk-receiver", label=org.am_b.display_name)
    screenshot(page, "views-bulk-handoff")
    page.locator("#bulk-form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert Handoff.objects.get(account=account).to_user == org.am_b
