"""The head imports a Windows-1251 file whose name column Orbit does not recognise: the check shows the missing
column and keeps Import disabled; he maps the column, checks again, sees a bad row in the report, fixes the
file, and imports; the accounts are there; he undoes the import and they are gone. Screenshots go to
ORBIT_TEST_ARTIFACTS (or test-artifacts/)."""

from playwright.sync_api import expect

from orbit.accounts.models import Account
from tests.e2e.conftest import login, screenshot
from tests.factories import PASSWORD

HEADER = "Юр. лицо;ИНН;КПП;Ответственный;Категория"


def _write(tmp_path, *rows: str):
    path = tmp_path / "клиенты.csv"
    path.write_bytes("\r\n".join([HEADER, *rows, ""]).encode("cp1251"))
    return path


def test_import_with_a_mapping_fix_and_a_row_report(org, page, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    org.am_a.first_name, org.am_a.last_name = "Ольга", "Смирнова"
    org.am_a.save()
    bad = _write(
        tmp_path,
        "ООО «Ромашка»;7707083893;770701001;Смирнова Ольга;A",
        "АО «Вектор»;7736207543;;Смирнова Ольга;B",
    )
    login(page, "head", PASSWORD)
    page.goto("/accounts/")
    page.get_by_role("link", name="Импорт").click()
    page.locator("#id_file").set_input_files(str(bad))
    page.get_by_role("button", name="Проверить файл").click()
    expect(page.locator(".form-errors")).to_contain_text("ничего не будет загружено")
    expect(page.locator("#row-report")).to_contain_text("Нет столбца для: полное наименование")
    expect(page.get_by_role("button", name="Загрузить")).to_be_disabled()

    page.get_by_label("Юр. лицо").select_option("legal_name")  # the mapping fix
    page.get_by_role("button", name="Проверить снова").click()
    report = page.locator("#row-report")
    expect(report).to_contain_text("КПП")  # the bad row: an organisation without its KPP
    expect(report.locator("tbody tr")).to_have_count(1)
    screenshot(page, "import-preview-with-report")

    good = _write(
        tmp_path,
        "ООО «Ромашка»;7707083893;770701001;Смирнова Ольга;A",
        "АО «Вектор»;7736207543;773601001;Смирнова Ольга;B",
    )
    page.goto("/imports/")
    page.locator("#id_file").set_input_files(str(good))
    page.get_by_role("button", name="Проверить файл").click()
    page.get_by_label("Юр. лицо").select_option("legal_name")
    page.get_by_role("button", name="Проверить снова").click()
    expect(page.locator("#import-counts")).to_contain_text("2")
    page.get_by_role("button", name="Загрузить").click()
    expect(page.locator("#import-status")).to_contain_text("Записан")
    screenshot(page, "import-done")
    assert set(Account.objects.values_list("inn", "responsible_manager__username")) == {
        ("7707083893", "am_a"),
        ("7736207543", "am_a"),
    }
    page.get_by_role("button", name="Отменить эту загрузку").click()
    expect(page.locator("#import-status")).to_contain_text("Отменён")
    assert not Account.objects.exists()
