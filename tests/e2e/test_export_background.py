"""The head exports a list longer than the background threshold: the link opens the progress page, which polls
while the worker writes the file, then shows the download link; the file holds his accounts. Screenshots go to
ORBIT_TEST_ARTIFACTS (or test-artifacts/)."""

import io

import openpyxl
from playwright.sync_api import expect

from orbit.imports.models import ExportLog
from orbit.imports.tasks import run_export
from tests.e2e.conftest import login, screenshot
from tests.factories import PASSWORD, make_account


def test_a_large_export_in_the_background(org, page, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ORBIT_EXPORT_BACKGROUND_ROWS = 1  # Orbit's default is 20 000; two accounts are "large" here
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # the worker: below
    for name in ("ООО «Альфа»", "ООО «Бета»"):
        make_account(org.head, org.am_a, legal_name=name)
    login(page, "head", PASSWORD)
    page.goto("/accounts/")
    page.locator(".export-links").first.get_by_role("link", name="XLSX").click()
    progress = page.locator("#export-progress")
    expect(progress).to_contain_text("Ждёт фонового обработчика")
    expect(page.locator("#export-download")).to_have_count(0)
    screenshot(page, "export-queued")

    run_export.call(ExportLog.objects.get().pk)  # the worker writes the file; the page is polling meanwhile
    expect(page.locator("#export-download")).to_be_visible(timeout=10_000)
    expect(progress).to_contain_text("2 из 2 строк")
    screenshot(page, "export-ready")
    with page.expect_download() as download:
        page.locator("#export-download").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["ООО «Альфа»", "ООО «Бета»"]
