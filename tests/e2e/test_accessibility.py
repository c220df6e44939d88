"""axe-core (vendored, orbit/static/vendor/axe-core) over every main page, in Russian and English, as a manager and
as the head: no serious or critical violation. The script is added from Orbit's own origin, so the page's
Content-Security-Policy is the one users get."""

import datetime as dt

import pytest
from django.utils import timezone

from orbit.activities.cadence import ensure_defaults as ensure_default_cadence
from orbit.activities.models import Touch
from orbit.requests import services as request_services
from orbit.requests.defaults import ensure_defaults
from orbit.requests.models import Department
from orbit.savedviews import rules
from tests.e2e.conftest import login, settle
from tests.factories import PASSWORD, make_account

AXE = "/static/vendor/axe-core/axe.min.js"
CARD_TABS = ("requests", "contacts", "money", "growth", "analytics", "ownership", "timeline")
RUN_AXE = """async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ` + v.nodes.slice(0, 4).map((n) => n.target.join(" ")).join(" | "));
}"""


def _world(org):
    ensure_defaults()
    ensure_default_cadence()
    account = make_account(org.head, org.am_a, tier="A", legal_name="ООО «Доступ»", short_name="Доступ")
    Touch.objects.create(
        account=account,
        owner=org.am_a,
        planned_for=timezone.localdate() - dt.timedelta(days=2),
        subject="Звонок",
    )
    request = request_services.request_create(
        by=org.am_a,
        account=account,
        request_type="complaint",
        priority="high",
        department=Department.objects.get(code="logistics"),
        subject="Сорвана отгрузка",
        received_at=timezone.now() - dt.timedelta(days=1),
    )
    return account, request


def main_pages(account, request, *, head: bool) -> list[str]:
    pages = [
        "/agenda/",
        "/accounts/",
        "/accounts/?cols=last_touch&cols=next_touch&cols=open_requests&cols=manager&sort=next_touch",
        f"/accounts/{account.pk}/",
        # The card's tabs, each opened by its link (the panel it fetches is checked with the tab markup).
        *(f"/accounts/{account.pk}/?tab={tab}" for tab in CARD_TABS),
        "/requests/",
        "/requests/board/",
        f"/requests/{request.pk}/",
        "/analytics/",
        "/managers/kpi/",
        "/imports/",
        "/profile/",
        "/teams/",
    ]
    if head:
        pages += ["/settings/visibility/", "/calendars/", "/requests/sla/"]
    return pages


def axe_violations(page, url: str) -> list[str]:
    response = page.goto(url)
    assert response.status == 200, url
    settle(page)
    page.add_script_tag(url=AXE)
    return [f"{url} {v}" for v in page.evaluate(RUN_AXE)]


@pytest.mark.parametrize("language", ["ru", "en"])
@pytest.mark.parametrize("who", ["am_a", "head"])
def test_main_pages_have_no_serious_accessibility_violations(org, page, language, who):
    account, request = _world(org)
    user = getattr(org, who)
    user.language = language
    user.save(update_fields=["language"])
    login(page, who, PASSWORD)
    found = []
    for url in main_pages(account, request, head=who == "head"):
        found += axe_violations(page, url)
        assert page.locator("html").get_attribute("lang") == language, url
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("language", ["ru", "en"])
def test_the_account_lists_bars_have_no_serious_accessibility_violations(org, page, language):
    """The views bar with "Save current as…" open and the bulk bar shown (a row checked), and the views page."""
    make_account(org.head, org.am_a, legal_name="ООО «Доступ»")
    make_account(org.head, org.am_a, legal_name="ООО «Доступ-2»")
    rules.view_create(by=org.am_a, kind="accounts", name="Мои", query="tier=A", shared=True)
    org.am_a.language = language
    org.am_a.save(update_fields=["language"])
    login(page, "am_a", PASSWORD)
    page.goto("/accounts/")
    settle(page)
    page.locator("input[data-bulk-row]").first.check()
    page.locator(".views-save summary").click()
    assert page.locator("#bulk-form").is_visible()
    page.add_script_tag(url=AXE)
    found = [f"/accounts/ (bars open) {v}" for v in page.evaluate(RUN_AXE)]
    found += axe_violations(page, "/views/?kind=accounts")
    assert found == [], "\n".join(found)
