"""A double click on "Save" writes one touch: the button is disabled while the form is sending, and the
server would refuse a replay of the form's idempotency key anyway."""

from django.urls import reverse

from orbit.activities.models import CadencePolicy, Touch
from tests.e2e.conftest import login
from tests.factories import PASSWORD, make_account


def test_a_double_click_logs_one_touch(org, page, live_server):
    CadencePolicy.objects.all().delete()
    account = make_account(org.head, org.am_a, legal_name="ООО «Двойной щелчок»")
    login(page, "am_a", PASSWORD)
    page.goto(live_server.url + reverse("activities:touch_log", args=[account.pk]))
    page.fill("input[name=duration_minutes]", "10")
    page.fill("textarea[name=outcome]", "Договорились")
    # Slow the post down so the second click lands while the first is still being sent.
    page.route("**/touch/", lambda route: (page.wait_for_timeout(300), route.continue_()))
    page.locator("form.panel button[type=submit], form.panel button:not([type])").first.dblclick()
    page.wait_for_load_state("networkidle")
    assert Touch.objects.filter(account=account, status="done").count() == 1
