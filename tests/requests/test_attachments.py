"""Attachments: size limit, allow-list by extension and by the first bytes, nothing saved on refusal; downloads
only through the request's visibility, always as an attachment."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from orbit.requests import services
from orbit.requests.models import Attachment

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
DOCX = b"PK\x03\x04" + b"\x14\x00\x06\x00" + b"\x00" * 40
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 40


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _stored(media):
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("Акт сверки.pdf", PDF, "application/pdf"),
        ("photo.PNG", PNG, "image/png"),
        ("договор.docx", DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("выгрузка.csv", "ИНН;Сумма\n7707083893;1000\n".encode("cp1251"), "text/csv"),
        ("заметка.txt", "Привет".encode(), "text/plain"),
    ],
)
def test_allowed_files_are_kept_with_their_real_name(org, request_, media, name, content, content_type):
    attachment = services.attachment_add(
        by=org.am_a, request=request_, upload=SimpleUploadedFile(name, content, content_type="text/html")
    )
    assert attachment.original_name == name and attachment.size == len(content)
    assert attachment.content_type == content_type  # ours, not the browser's claim
    assert name not in attachment.file.name  # stored under a random name
    [path] = _stored(media)
    assert path.read_bytes() == content


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("setup.exe", EXE, "Files of this type are not accepted."),
        ("invoice.pdf", EXE, "The content of invoice.pdf does not match its extension: the file is refused."),
        ("scan.jpg", PDF, "The content of scan.jpg does not match its extension: the file is refused."),
        ("notes.txt", b"abc\x00\x01\x02", "The content of notes.txt does not match its extension"),
        ("noextension", PDF, "Files of this type are not accepted."),
        ("page.html", b"<html></html>", "Files of this type are not accepted."),
        ("empty.pdf", b"", "The file is empty."),
    ],
)
def test_forbidden_files_are_refused_and_nothing_is_saved(org, request_, media, name, content, message):
    with translation.override("en"), pytest.raises(Exception) as error:
        services.attachment_add(by=org.am_a, request=request_, upload=SimpleUploadedFile(name, content))
    assert error.value.message_dict["file"][0].startswith(message)
    assert not Attachment.objects.exists() and _stored(media) == []


def test_a_file_over_the_limit_is_refused(org, request_, media, settings):
    settings.ORBIT_ATTACHMENT_MAX_MB = 1
    big = PDF + b"0" * (1024 * 1024)
    with translation.override("en"), pytest.raises(Exception) as error:
        services.attachment_add(by=org.am_a, request=request_, upload=SimpleUploadedFile("big.pdf", big))
    assert error.value.message_dict == {"file": ["The file is 1.0 MB; at most 1 MB may be attached."]}
    assert not Attachment.objects.exists() and _stored(media) == []
    exactly = PDF + b"0" * (1024 * 1024 - len(PDF))
    services.attachment_add(by=org.am_a, request=request_, upload=SimpleUploadedFile("ok.pdf", exactly))


def test_the_upload_page_shows_the_error_on_the_field(org, request_, media, client):
    client.force_login(org.am_a)
    org.am_a.language = "ru"
    org.am_a.save()
    response = client.post(
        reverse("requests:attach", args=[request_.pk]), {"file": SimpleUploadedFile("virus.exe", EXE)}
    )
    assert response.status_code == 400
    assert "Файлы этого типа не принимаются" in response.context["attachment_form"].errors["file"][0]
    assert not Attachment.objects.exists()


def test_download_is_an_attachment_for_those_who_see_the_request(org, request_, media, client):
    attachment = services.attachment_add(
        by=org.am_a, request=request_, upload=SimpleUploadedFile("Акт сверки.pdf", PDF)
    )
    url = reverse("requests:download", args=[request_.pk, attachment.pk])
    for persona in ("am_a", "lead_a", "auditor", "head"):
        client.force_login(getattr(org, persona))
        response = client.get(url)
        assert response.status_code == 200, persona
        assert response["Content-Disposition"].startswith("attachment;")
        assert "filename*=utf-8''%D0%90%D0%BA%D1%82" in response["Content-Disposition"]
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == PDF
    for persona in ("am_b", "lead_b", "outsider"):
        client.force_login(getattr(org, persona))
        assert client.get(url).status_code == 404, persona
    # The file's number under another request is not found either.
    client.force_login(org.am_a)
    assert client.get(reverse("requests:download", args=[request_.pk + 1, attachment.pk])).status_code == 404
