"""Browser tests: Playwright for Python driving Debian's Chromium (never a downloaded browser)."""

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("ORBIT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
]
ARTIFACTS = Path(
    os.environ.get("ORBIT_TEST_ARTIFACTS", Path(__file__).resolve().parents[2] / "test-artifacts")
)

# Playwright's sync API runs an event loop in this thread; the ORM calls in tests are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        if os.environ.get("CI") in ("true", "1"):
            pytest.fail(f"CI requires Chromium at {CHROMIUM}")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    """Full-page PNG under test-artifacts/, to be looked at after a run."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def login(page, username: str, password: str) -> None:
    page.goto("/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("button[type=submit].primary").click()
    page.wait_for_url("**/agenda/**")


def settle(page) -> None:
    """Wait until htmx has loaded and wired every lazy panel: a control swapped in a moment ago may not listen yet."""
    page.wait_for_load_state("networkidle")
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping, [hx-trigger=\"load\"]')"
    )
    page.wait_for_timeout(50)  # htmx wires the swapped content after its settle delay (20 ms)


def open_tab(page, name: str) -> None:
    """Open one of the account card's tabs (its panel is fetched when first opened) and wait for it."""
    page.get_by_role("tab", name=name).click()
    settle(page)
