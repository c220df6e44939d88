"""Large files in the background (imports/import_background.py): the check and the import run as a task (in-line here,
as every task test does), the progress page shows a progress bar and then the report; the progress is recorded;
a refused import leaves the base as it was and the batch refused with its report."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from orbit.accounts.models import Account
from orbit.imports.accounts import KIND
from orbit.imports.engine import import_file
from orbit.imports.models import ImportBatch, ImportStatus
from orbit.imports.reading import open_table
from tests.factories import unique_inn

HEADER = "Название;ИНН;КПП;Ответственный"


def _text(rows: int, bad_row: int = 0) -> str:
    lines = [HEADER]
    for n in range(rows):
        kpp = "" if n + 2 == bad_row else "770101001"  # an organisation without KPP: a row error
        lines.append(f"ООО «Фирма {n}»;{unique_inn()};{kpp};am_a")
    return "\r\n".join(lines) + "\r\n"


def _start(client, url: str, data: dict, capture) -> ImportBatch:
    with capture(execute=True):  # the task is enqueued on commit and runs in-line
        response = client.post(url, data)
    batch = ImportBatch.objects.latest("pk")
    assert response.status_code == 302 and response.url == reverse("imports:progress", args=[batch.pk])
    return batch


def test_a_large_file_is_checked_then_imported_in_the_background(
    org, client, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT, settings.ORBIT_IMPORT_BACKGROUND_BYTES = tmp_path, 1000
    org.head.language = "en"
    org.head.save()
    client.force_login(org.head)
    body = _text(40).encode("utf-8")
    upload = SimpleUploadedFile("big.csv", body, content_type="text/csv")
    check = _start(
        client,
        reverse("imports:preview"),
        {"file": upload, "on_duplicate": "update"},
        django_capture_on_commit_callbacks,
    )
    check.refresh_from_db()
    assert (check.status, check.dry_run, check.rows_done) == (ImportStatus.CHECKED, True, 40)
    assert check.bytes_read == check.bytes_total == len(body)
    assert check.counts == {"new": 40, "updated": 0, "unchanged": 0, "failed": 0}
    assert not Account.objects.exists()
    poll = client.get(reverse("imports:progress", args=[check.pk]), HTTP_HX_REQUEST="true")
    assert poll.status_code == 204 and poll["HX-Redirect"] == reverse("imports:progress", args=[check.pk])
    preview = client.get(reverse("imports:progress", args=[check.pk]))
    page = preview.content.decode()
    assert preview.status_code == 200 and "Import the rows" in page and "<dd>40</dd>" in page
    history = client.get(reverse("imports:home")).content.decode()
    assert "big.csv" not in history  # a check is not in the import history

    token = check.options["token"]
    batch = _start(
        client,
        reverse("imports:commit"),
        {"token": token, "kind": "accounts", "on_duplicate": "update"},
        django_capture_on_commit_callbacks,
    )
    batch.refresh_from_db()
    assert (batch.status, batch.rows_done, batch.counts["new"]) == (ImportStatus.COMMITTED, 40, 40)
    assert Account.objects.count() == 40 and batch.rows.count() == 40  # undo knows every account
    done = client.get(reverse("imports:progress", args=[batch.pk]))
    assert done.status_code == 302 and done.url == reverse("imports:batch", args=[batch.pk])


def test_a_refused_background_import_leaves_the_base_and_keeps_its_report(
    org, client, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT, settings.ORBIT_IMPORT_BACKGROUND_BYTES = tmp_path, 1000
    org.head.language = "en"
    org.head.save()
    client.force_login(org.head)
    upload = SimpleUploadedFile("bad.csv", _text(30, bad_row=17).encode("utf-8"), content_type="text/csv")
    check = _start(
        client,
        reverse("imports:preview"),
        {"file": upload, "on_duplicate": "update"},
        django_capture_on_commit_callbacks,
    )
    batch = _start(
        client,
        reverse("imports:commit"),
        {"token": check.options["token"], "kind": "accounts", "on_duplicate": "update"},
        django_capture_on_commit_callbacks,
    )
    batch.refresh_from_db()
    assert (batch.status, batch.counts["failed"], batch.counts["new"]) == (ImportStatus.REFUSED, 1, 29)
    assert batch.errors == [
        {"row": 17, "column": "КПП", "value": "", "message": "An organisation (10-digit INN) needs a KPP."}
    ]
    assert not Account.objects.exists() and not batch.rows.exists()


def test_the_progress_bar_while_it_runs(org, client):
    batch = ImportBatch.objects.create(
        kind="accounts", file_name="big.csv", status=ImportStatus.RUNNING, by=org.head, bytes_total=1000
    )
    from django.core.cache import caches

    caches["progress"].set(f"import:{batch.pk}", (3000, 250))
    client.force_login(org.head)
    poll = client.get(reverse("imports:progress", args=[batch.pk]), HTTP_HX_REQUEST="true")
    page = poll.content.decode()
    assert 'role="progressbar"' in page and 'aria-valuenow="25"' in page and "hx-get" in page
    client.force_login(org.am_a)  # somebody else's import: not found
    assert client.get(reverse("imports:progress", args=[batch.pk])).status_code == 404
    caches["progress"].delete(f"import:{batch.pk}")


def test_the_engine_reports_progress_every_thousand_rows(org):
    text = "Название;ИНН;КПП\r\n" + "".join(f"ООО «Ф{n}»;{unique_inn()};770101001\r\n" for n in range(2500))
    seen: list[int] = []
    with translation.override("en"):
        table = open_table(io.BytesIO(text.encode()), "p.csv")
        report = import_file(
            KIND, by=org.head, table=table, file_name="p.csv", dry_run=True, progress=seen.append
        )
    assert report.new == 2500 and seen == [1000, 2000, 2500]
