"""The import in the browser's requests: upload, preview with a mapping to fix, commit, the row report, and
the file kept only for the user who previewed it."""

import json
import pathlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from orbit.accounts.models import Account
from orbit.imports import uploads
from orbit.imports.models import ImportBatch, SavedMapping

HEADER = "Юр. лицо;ИНН;КПП;Ответственный"  # the first column's name is one Orbit does not know


def _file(*rows: str, name: str = "clients.csv", encoding: str = "cp1251") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, "\r\n".join([HEADER, *rows]).encode(encoding), content_type="text/csv")


@pytest.fixture
def head(org, client):
    org.head.language = "en"
    org.head.save()
    org.am_a.first_name, org.am_a.last_name = "Ольга", "Смирнова"
    org.am_a.save()
    client.force_login(org.head)
    return org


def test_upload_fix_the_mapping_then_import(head, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = _file(
        "ООО «Ромашка»;7707083893;770701001;Ольга Смирнова", "АО «Вектор»;7736207543;773601001;am_a"
    )
    preview = client.post(reverse("imports:preview"), {"file": upload, "on_duplicate": "update"})
    assert preview.status_code == 200, preview.content.decode()[-3000:]
    page = preview.content.decode()
    assert "No column for: legal name. Map it and try again." in page and "disabled" in page
    assert "Encoding: Windows-1251; delimiter: semicolon." in page
    token = preview.context["token"]
    assert not Account.objects.exists()  # a preview writes nothing

    fixed = client.post(
        reverse("imports:preview"), {"token": token, "on_duplicate": "update", "col-0": "legal_name"}
    )
    assert (
        fixed.status_code == 200 and fixed.context["report"].new == 2 and not fixed.context["report"].errors
    )

    done = client.post(
        reverse("imports:commit"), {"token": token, "on_duplicate": "update", "col-0": "legal_name"}
    )
    batch = ImportBatch.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse("imports:batch", args=[batch.pk])
    assert set(Account.objects.values_list("inn", flat=True)) == {"7707083893", "7736207543"}
    assert batch.mapping["Юр. лицо"] == "legal_name"
    assert not (pathlib.Path(tmp_path) / "imports" / token).exists()  # the kept file is gone
    assert client.get(done["Location"]).status_code == 200
    again = client.post(reverse("imports:commit"), {"token": token})
    assert again.status_code == 404  # committed once; a second click finds nothing to import


def test_a_refused_commit_is_a_400_with_the_report_to_download(head, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = _file("ООО «Ромашка»;7707083893;;Ольга Смирнова")  # an organisation without its KPP
    preview = client.post(reverse("imports:preview"), {"file": upload, "on_duplicate": "update"})
    token = preview.context["token"]
    refused = client.post(reverse("imports:commit"), {"token": token, "col-0": "legal_name"})
    assert refused.status_code == 400 and not Account.objects.exists()
    assert "An organisation (10-digit INN) needs a KPP." in refused.content.decode()
    report = client.get(reverse("imports:report", args=[token]))
    text = b"".join(report.streaming_content).decode("utf-8-sig")
    assert text.splitlines()[1] == "2;КПП;;An organisation (10-digit INN) needs a KPP."
    assert ImportBatch.objects.get().status == "refused"


def test_a_file_is_only_his_who_previewed_it(head, client, settings, tmp_path, django_user_model):
    settings.MEDIA_ROOT = tmp_path
    preview = client.post(
        reverse("imports:preview"), {"file": _file("А;7707083893;770701001;"), "on_duplicate": "skip"}
    )
    token = preview.context["token"]
    client.force_login(head.am_a)
    assert client.post(reverse("imports:commit"), {"token": token}).status_code == 404
    assert client.get(reverse("imports:report", args=[token])).status_code == 404
    assert uploads.SESSION_KEY not in client.session or token not in client.session[uploads.SESSION_KEY]


def test_what_is_not_a_table_is_refused_on_the_form(head, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    fake = SimpleUploadedFile("clients.xlsx", b"%PDF-1.4 not a spreadsheet", content_type="application/pdf")
    response = client.post(reverse("imports:preview"), {"file": fake, "on_duplicate": "update"})
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == [
        "This is not a spreadsheet Orbit can read: save it as XLSX or CSV and try again."
    ]
    assert list((pathlib.Path(tmp_path) / "imports").iterdir()) == []  # nothing kept


def test_the_auditor_may_not_import(org, client):
    client.force_login(org.auditor)
    assert client.get(reverse("imports:home")).status_code == 403


def test_a_fixed_mapping_saved_by_name_maps_the_next_file(head, client, settings, tmp_path, capsys):
    settings.MEDIA_ROOT = tmp_path
    preview = client.post(
        reverse("imports:preview"), {"file": _file("А;7707083893;770701001;am_a"), "on_duplicate": "update"}
    )
    token = preview.context["token"]
    saved = client.post(
        reverse("imports:preview"), {"token": token, "col-0": "legal_name", "save_as": "  1С   клиенты "}
    )
    assert saved.status_code == 200 and not saved.context["report"].errors
    mapping = SavedMapping.objects.get()
    assert (mapping.kind, mapping.name, mapping.by) == ("accounts", "1С клиенты", head.head)
    assert mapping.mapping == {"Юр. лицо": "legal_name", "ИНН": "inn", "КПП": "kpp", "Ответственный": "owner"}

    # Next month's file of the same shape: chosen on upload, mapped without fixing anything.
    upload = client.get(reverse("imports:home"))
    assert ("1С клиенты", "1С клиенты (accounts)") in upload.context["form"].fields["preset"].choices
    again = client.post(
        reverse("imports:preview"),
        {"file": _file("Б;7736207543;773601001;am_a"), "preset": "1С клиенты", "on_duplicate": "update"},
    )
    assert (
        again.status_code == 200 and again.context["report"].new == 1 and not again.context["report"].errors
    )

    # The CLI knows it too; an unknown name is refused before anything is read.
    path = tmp_path / "next.csv"
    path.write_bytes("\r\n".join([HEADER, "В;7702070139;770201001;am_a"]).encode("cp1251"))
    call_command("import", "accounts", str(path), "--preset", "1С клиенты", "--dry-run", "--format", "json")
    assert json.loads(capsys.readouterr().out)["new"] == 1
    with pytest.raises(CommandError, match="no preset or saved mapping 'нет такого'"):
        call_command("import", "accounts", str(path), "--preset", "нет такого")


def test_a_built_in_presets_name_cannot_be_taken(head, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    preview = client.post(
        reverse("imports:preview"), {"file": _file("А;7707083893;770701001;am_a"), "on_duplicate": "update"}
    )
    response = client.post(
        reverse("imports:preview"),
        {"token": preview.context["token"], "col-0": "legal_name", "save_as": "amocrm"},
    )
    assert response.status_code == 400
    assert "“amocrm” is a built-in preset: choose another name." in response.content.decode()
    assert not SavedMapping.objects.exists()


def test_the_preview_shows_the_first_warnings_and_counts_the_rest(
    head, client, settings, tmp_path, monkeypatch
):
    from orbit.imports import views_import
    from tests.factories import make_account

    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(views_import, "SHOWN_ERRORS", 1)
    make_account(head.head, head.am_a, legal_name="ООО «Ромашка»", inn="7707083893", kpp="770701001")
    upload = _file("Ромашка;7736207543;773601001;am_a", "Ромашка, ООО;7728168971;772801001;am_a")
    preview = client.post(
        reverse("imports:preview"), {"file": upload, "on_duplicate": "update", "col-0": "legal_name"}
    )
    token = preview.context["token"]
    fixed = client.post(
        reverse("imports:preview"), {"token": token, "on_duplicate": "update", "col-0": "legal_name"}
    )
    page = fixed.content.decode()
    assert fixed.context["report"].warnings_total == 2
    assert page.count("A company with this name is already in Orbit") == 1
    assert "And 1 more warning." in page
