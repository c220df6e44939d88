"""Orbit's main pages work in Chromium under their Content-Security-Policy: no violation, no console error,
and the behaviours that used to be inline (the agenda's person picker) still work from static files."""

from playwright.sync_api import expect

from tests.e2e.conftest import login, settle
from tests.factories import PASSWORD, make_account

WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def _watch(page) -> list[str]:
    """Console errors and failed subresources (by URL; the browser's own /favicon.ico request aside)."""
    errors: list[str] = []
    page.add_init_script(WATCH)

    def console(msg):
        if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
            errors.append(msg.text)

    def response(resp):
        if resp.status >= 400 and resp.request.resource_type != "document" and "favicon.ico" not in resp.url:
            errors.append(f"{resp.status} {resp.url}")

    page.on("console", console)
    page.on("response", response)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def _violations(page) -> list[str]:
    return page.evaluate("window.__csp || []")


def test_main_pages_run_under_the_policy_without_violations(org, page, live_server):
    account = make_account(org.head, org.am_a, legal_name="ООО «Политика»", short_name="Политика")
    errors = _watch(page)
    login(page, "lead_a", PASSWORD)
    for url in ("/agenda/", "/accounts/", f"/accounts/{account.pk}/", "/requests/", "/handoffs/", "/teams/"):
        response = page.goto(url)
        assert response.status == 200, url
        assert "default-src 'self'" in response.headers["content-security-policy"], url
        settle(page)
        assert _violations(page) == [], url
    assert errors == []

    # The person picker of the lead's day submits itself (a static script, not an inline onchange).
    page.goto("/agenda/")
    settle(page)
    page.locator("#person").select_option(str(org.am_a.pk))
    page.wait_for_url(f"**/agenda/?person={org.am_a.pk}")
    expect(page.locator("h1")).to_contain_text(str(org.am_a))
    assert _violations(page) == [] and errors == []


def test_error_pages_and_the_api_docs_run_under_the_policy(org, page, live_server):
    errors = _watch(page)
    login(page, "am_a", PASSWORD)
    response = page.goto("/accounts/999999/")
    assert response.status == 404
    expect(page.locator("[role=alert] strong")).to_have_text("Здесь ничего нет.")
    page.locator("a.btn", has_text="Мой день").click()
    page.wait_for_url("**/agenda/")

    page.goto("/api/docs")
    expect(page.locator("#swagger-ui .info .title")).to_contain_text("Orbit")
    expect(page.locator("#swagger-ui .opblock").first).to_be_visible()
    assert _violations(page) == []
    assert errors == []
