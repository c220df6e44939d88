"""Faults survived (issue 16): the disk is full when an attachment is saved. The user is told so (507, the form
with the reason, in his language), no attachment row is made and no partly written file stays behind. Once
with a storage that fills up halfway through the file, once on a real 64 KB tmpfs when the machine lets the
test mount one (root with CAP_SYS_ADMIN)."""

import errno
import os
import subprocess

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from orbit.requests.models import Attachment

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"


class FillsUpHalfway(FileSystemStorage):
    """Writes the first half of the file, then the disk is full (what write(2) says: ENOSPC)."""

    def _save(self, name, content):
        path = self.path(name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        data = content.read()
        with open(path, "wb") as half:
            half.write(data[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")


def _files(folder):
    return [p for p in folder.rglob("*") if p.is_file()]


def _post(client, request_, size: int):
    upload = SimpleUploadedFile("Акт сверки.pdf", PDF + b"0" * size, content_type="application/pdf")
    return client.post(reverse("requests:attach", args=[request_.pk]), {"file": upload})


def test_a_disk_full_halfway_is_a_clear_refusal_without_row_or_file(
    org, request_, client, tmp_path, monkeypatch
):
    monkeypatch.setattr(Attachment._meta.get_field("file"), "storage", FillsUpHalfway(location=tmp_path))
    client.force_login(org.am_a)
    response = _post(client, request_, 10_000)
    assert response.status_code == 507
    assert "На диске сервера нет места: файл не сохранён" in response.content.decode()
    assert not Attachment.objects.exists() and _files(tmp_path) == []


@pytest.fixture
def tiny_disk(tmp_path, settings):
    disk = tmp_path / "tiny"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(disk)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    settings.MEDIA_ROOT = disk
    try:
        yield disk
    finally:
        subprocess.run(["umount", str(disk)], check=True)


def test_a_really_full_disk_refuses_the_file_and_then_takes_a_small_one(org, request_, client, tiny_disk):
    client.force_login(org.am_a)
    response = _post(client, request_, 200_000)  # over the 64 KB the disk holds, under the attachment limit
    assert response.status_code == 507
    assert "файл не сохранён" in response.content.decode()
    assert not Attachment.objects.exists() and _files(tiny_disk) == []

    response = _post(client, request_, 1_000)  # room enough: the disk is fine again, nothing to repair
    assert response.status_code == 302 and Attachment.objects.count() == 1
    assert len(_files(tiny_disk)) == 1
